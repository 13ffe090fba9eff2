from django.urls import path

from hearth.live import views

app_name = "live"
urlpatterns = [path("live/", views.stream, name="stream")]
