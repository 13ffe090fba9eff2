from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hearth.core"
    label = "core"
    verbose_name = _("Hearth core")

    def ready(self) -> None:
        from django.urls import register_converter  # noqa: PLC0415

        from hearth.core import key_safety  # noqa: F401, PLC0415 - registers its system check
        from hearth.core.converters import IdConverter  # noqa: PLC0415
        from hearth.core.private_files import keep_sqlite_files_private  # noqa: PLC0415

        # <id:...> in every app's routes: a row id; too long a number is a 404, not a 500.
        register_converter(IdConverter, "id")

        connection_created.connect(keep_sqlite_files_private, dispatch_uid="hearth-private-db")
