from django.urls import path

from hearth.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
