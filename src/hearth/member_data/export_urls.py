from django.urls import URLPattern

app_name = "member_data_export"
urlpatterns: list[URLPattern] = []
