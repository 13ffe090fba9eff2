from django.urls import URLPattern

app_name = "member_data_deletion"
urlpatterns: list[URLPattern] = []
