"""``hearth demo``: load the demo community (idempotent)."""

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the demo community (members, and each app's demo content). Safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        # Each app contributes through its AppConfig.load_demo_data, in
        # INSTALLED_APPS order, so lower apps' members exist before threads.
        lines: list[str] = []
        for app_config in apps.get_app_configs():
            loader = getattr(app_config, "load_demo_data", None)
            if loader is not None:
                lines.extend(loader())
        self.stdout.write(self.style.SUCCESS("The demo community is ready."))
        for line in lines:
            self.stdout.write(line)
        self.stdout.write(
            self.style.WARNING(
                "Demo logins share a published password: never load them in production."
            )
        )
