"""``hearth live``: serve the live stream (``/live/``) with granian's ASGI interface.

In production it runs as its own process beside ``hearth serve --no-live``, and the
reverse proxy sends ``/live/`` to it (docs/deploying.md); ``hearth serve`` alone
starts one itself. One worker holds thousands of idle streams (asyncio, no thread
per stream); with more workers each reads the event log for its own streams.
"""

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hearth.core.granian import check_port_is_free, granian_command
from hearth.core.key_safety import refuse_to_start_with_unreadable_keys


class Command(BaseCommand):
    help = "Serve the live update stream (/live/) with granian (ASGI)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("HEARTH_LIVE_PORT", "8001"))
        )
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("HEARTH_LIVE_WORKERS", "1"))
        )
        parser.add_argument(
            "--max-streams",
            type=int,
            default=int(os.environ.get("HEARTH_LIVE_MAX_STREAMS", "10000")),
            help="Open streams one worker holds at most (the rest wait for a place).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_to_start_with_unreadable_keys()
        check_port_is_free(options["host"], options["port"])
        command = granian_command(
            interface="asgi",
            application="hearth.asgi:application",
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            most_connections=options["max_streams"],
        )
        self.stdout.write(f"Live updates on http://{options['host']}:{options['port']}/live/")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings.base")
        os.execv(sys.executable, command)  # noqa: S606 - replace this process with the server
