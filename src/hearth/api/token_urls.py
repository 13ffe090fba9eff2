from django.urls import path

from hearth.api import token_views

app_name = "api_tokens"
urlpatterns = [
    path("settings/api-tokens/", token_views.tokens, name="tokens"),
    path("settings/api-tokens/<id:token_id>/revoke/", token_views.revoke, name="revoke"),
]
