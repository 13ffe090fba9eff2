from django.urls import path

from hearth.safety import views

app_name = "safety"
urlpatterns = [
    path(
        "settings/content-notes/", views.content_note_preferences, name="content_note_preferences"
    ),
]
