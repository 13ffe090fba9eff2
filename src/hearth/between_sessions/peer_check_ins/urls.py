"""The helper's addresses (and the asker's view of one request): ``/check-ins/``."""

from django.urls import path

from hearth.between_sessions.peer_check_ins import views

app_name = "peer_check_ins"
urlpatterns = [
    path("check-ins/", views.received, name="received"),
    path("check-ins/<id:check_in_id>/", views.detail, name="detail"),
    path("check-ins/<id:check_in_id>/accept/", views.accept, name="accept"),
    path("check-ins/<id:check_in_id>/decline/", views.decline, name="decline"),
    path("check-ins/<id:check_in_id>/stop/", views.stop, name="stop"),
    path("check-ins/<id:check_in_id>/message/", views.message, name="message"),
]
