from django.urls import path

from hearth.notifications import views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("notifications/<id:notification_id>/", views.open_notification, name="open"),
    path("notifications/<id:notification_id>/read/", views.mark_read, name="mark_read"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("settings/notifications/", views.notification_settings, name="settings"),
    path("settings/following/", views.following, name="following"),
    path("settings/break/", views.take_a_break, name="take_a_break"),
    path("settings/break/end/", views.end_break, name="end_break"),
]
