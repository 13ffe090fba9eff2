from django.urls import path

from hearth.accounts import views

app_name = "accounts"
urlpatterns = [
    path("members/<str:username>/", views.profile, name="profile"),
    path("members/<str:username>/mute/", views.change_mute, name="change_mute"),
    path("settings/profile/", views.edit_profile, name="edit_profile"),
    path("settings/muted/", views.mutes, name="mutes"),
    path("settings/muted/words/", views.muted_words, name="muted_words"),
]
