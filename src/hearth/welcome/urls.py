from django.urls import path

from hearth.welcome import views

app_name = "welcome"
urlpatterns = [
    path("guidelines/", views.guidelines, name="guidelines"),
    path("guidelines/accept/", views.accept, name="accept"),
    path("welcome/", views.welcome, name="welcome"),
]
