from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "hearth.operations"
    label = "operations"
    verbose_name = "Hearth operations"
