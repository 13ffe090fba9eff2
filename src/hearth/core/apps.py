from django.apps import AppConfig
from django.db.backends.signals import connection_created


class CoreConfig(AppConfig):
    name = "hearth.core"
    label = "core"
    verbose_name = "Hearth core"

    def ready(self) -> None:
        from hearth.core.private_files import keep_sqlite_files_private  # noqa: PLC0415

        connection_created.connect(keep_sqlite_files_private, dispatch_uid="hearth-private-db")
