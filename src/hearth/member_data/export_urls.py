from django.urls import path

from hearth.member_data import export_views

app_name = "member_data_export"
urlpatterns = [
    path("settings/data/", export_views.export, name="export"),
    path("settings/data/<id:export_id>/download/", export_views.download, name="download"),
]
