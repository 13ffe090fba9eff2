"""``hearth serve``: serve pages with a production WSGI server (granian).

Granian's master process respawns a worker that dies (a crash, an OOM kill)
and recycles one whose memory passes ``--max-rss`` MiB, so one failing worker
never takes the site down. The port is checked first: a second server on a
port that is already served is refused with a clear message, instead of both
quietly sharing it. Each worker runs several threads, so a client that sends
its request body slowly holds one thread, not the whole worker.
"""

import errno
import os
import socket
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

RESPAWN_INTERVAL_SECONDS = "1"
RSS_SAMPLE_INTERVAL_SECONDS = "10"
MALLOC_MMAP_THRESHOLD_BYTES = 256 * 1024


def check_port_is_free(host: str, port: int) -> None:
    """Raise CommandError if something already listens on ``host:port``."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in {errno.EADDRINUSE, errno.EACCES}:
                message = (
                    f"Port {port} on {host} is already in use: is Hearth already running? "
                    "Stop the other server or choose another port with --port (or PORT)."
                )
                raise CommandError(message) from error
            raise


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
            default=int(os.environ.get("HEARTH_THREADS", "4")),
            help=(
                "Threads per worker. A thread waits while a slow client sends its request "
                "body; with several, the others keep serving pages. Behind a proxy that "
                "buffers request bodies (nginx, Caddy), 1 is about 5% faster."
            ),
        )
        parser.add_argument(
            "--max-rss",
            type=int,
            default=int(os.environ.get("HEARTH_WORKER_MAX_RSS_MIB", "512")),
            help="Recycle a worker whose memory stays above this many MiB (0: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check_port_is_free(options["host"], options["port"])
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
            # A worker that dies is started again at once; the others go on serving.
            "--respawn-failed-workers",
            "--respawn-interval",
            RESPAWN_INTERVAL_SECONDS,
        ]
        if options["max_rss"] > 0:
            command += [
                "--workers-max-rss",
                str(options["max_rss"]),
                "--rss-sample-interval",
                RSS_SAMPLE_INTERVAL_SECONDS,
                "--rss-samples",
                "3",
            ]
        command.append("hearth.wsgi:application")
        self.stdout.write(f"Serving Hearth on http://{options['host']}:{options['port']}/")
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
        # glibc raises its mmap threshold as large blocks are freed, after which pages
        # of large posts leave freed memory that never goes back to the system; a fixed
        # threshold keeps a worker's memory flat (measured: bench's largest posts). At
        # 64 KiB ordinary pages (about 60 KB) paid for mmap calls: 256 KiB costs nothing.
        os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(MALLOC_MMAP_THRESHOLD_BYTES))
        os.execv(sys.executable, command)  # noqa: S606 - replace this process with the server
