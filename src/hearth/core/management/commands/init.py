"""``hearth init``: prepare a data directory to serve (safe to re-run)."""

from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, router

from hearth.core import encryption
from hearth.core.cache_table import make_unlogged


class Command(BaseCommand):
    help = "Migrate the database, create the cache table and collect static files."

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=verbosity)
        # The only place a key file is made on purpose: after migrating, while the
        # database holds nothing encrypted (a missing file beside encrypted rows is refused).
        try:
            if encryption.create_key_file_for_fresh_install() and verbosity:
                self.stdout.write(
                    f"Created the toolkit key file {encryption.key_file_path()}: "
                    "back it up (`hearth backup` does, with a passphrase)."
                )
        except encryption.ToolkitKeyError as error:
            raise CommandError(str(error)) from error
        call_command("createcachetable", verbosity=verbosity)
        for alias, cache_settings in settings.CACHES.items():
            cache = caches[alias]
            if isinstance(cache, DatabaseCache):
                database = router.db_for_write(cache.cache_model_class)
                make_unlogged(connections[database], cache_settings["LOCATION"])
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Hearth is ready in {settings.DATA_DIR}."))
