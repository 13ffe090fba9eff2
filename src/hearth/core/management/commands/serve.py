"""``hearth serve``: serve pages with a production WSGI server (granian)."""

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Hearth with granian (WSGI). Static files are served by WhiteNoise."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("HEARTH_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("HEARTH_THREADS", "1")),
            help="Threads per worker. Pages are CPU-bound, so one per worker is usually fastest.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        settings_module = os.environ.get("DJANGO_SETTINGS_MODULE", "hearth.settings.base")
        command = [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            "--blocking-threads",
            str(options["threads"]),
            "--no-ws",
            "hearth.wsgi:application",
        ]
        self.stdout.write(f"Serving Hearth on http://{options['host']}:{options['port']}/")
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
        os.execv(sys.executable, command)  # noqa: S606 - replace this process with the server
