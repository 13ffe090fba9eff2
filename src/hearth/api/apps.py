from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API at /api/v1/: wiring, personal access tokens, the error shape."""

    name = "hearth.api"
    label = "api"
    verbose_name = "API"
