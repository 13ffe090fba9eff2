from django.urls import path

from hearth.member_data import deletion_views

app_name = "member_data_deletion"
urlpatterns = [
    path("settings/delete-account/", deletion_views.delete_account, name="delete_account"),
]
