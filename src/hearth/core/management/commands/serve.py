"""``hearth serve``: serve pages with a production WSGI server (granian), and beside
them the live stream (``hearth live``, ASGI) -- one command for the embedded default.

Granian's master process respawns a worker that dies (a crash, an OOM kill)
and recycles one whose memory passes ``--max-rss`` MiB, so one failing worker
never takes the site down. The ports are checked first: a second server on a
port that is already served is refused with a clear message, instead of both
quietly sharing it. Each worker runs several threads, so a client that sends
its request body slowly holds one thread, not the whole worker.

The live stream listens on ``--live-port`` (the pages' port + 1); pages open it on
the same host, whatever name the browser used (``HEARTH_LIVE_PORT``). Behind a
reverse proxy that sends ``/live/`` to ``hearth live``, run ``--no-live``.
While both run, this command waits for them: when one stops, it stops the other.
"""

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hearth.core.granian import check_port_is_free, granian_command
from hearth.core.key_safety import refuse_to_start_with_unreadable_keys

MALLOC_MMAP_THRESHOLD_BYTES = 256 * 1024
STOP_TIMEOUT_SECONDS = 15


class Command(BaseCommand):
    help = (
        "Serve Hearth with granian: pages (WSGI; static files by WhiteNoise) and the live "
        "stream (ASGI) beside them."
    )

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
        parser.add_argument(
            "--live-port",
            type=int,
            default=None,
            help="Port of the live stream (default: HEARTH_LIVE_PORT, or --port + 1).",
        )
        parser.add_argument(
            "--no-live",
            action="store_true",
            help="Serve pages only (a reverse proxy sends /live/ to `hearth live`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_to_start_with_unreadable_keys()
        host, port = options["host"], options["port"]
        check_port_is_free(host, port)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hearth.settings.base")
        # glibc raises its mmap threshold as large blocks are freed, after which pages
        # of large posts leave freed memory that never goes back to the system; a fixed
        # threshold keeps a worker's memory flat (measured: bench's largest posts). At
        # 64 KiB ordinary pages (about 60 KB) paid for mmap calls: 256 KiB costs nothing.
        os.environ.setdefault("MALLOC_MMAP_THRESHOLD_", str(MALLOC_MMAP_THRESHOLD_BYTES))
        pages = granian_command(
            interface="wsgi",
            application="hearth.wsgi:application",
            host=host,
            port=port,
            workers=options["workers"],
            threads=options["threads"],
            max_rss=options["max_rss"],
        )
        self.stdout.write(f"Serving Hearth on http://{host}:{port}/")
        if options["no_live"]:
            os.execv(sys.executable, pages)  # noqa: S606 - replace this process with the server
        live_port = options["live_port"] or int(os.environ.get("HEARTH_LIVE_PORT", port + 1))
        check_port_is_free(host, live_port)
        os.environ["HEARTH_LIVE_PORT"] = str(live_port)  # the pages point their stream there
        live = [sys.executable, "-m", "hearth", "live", "--host", host, "--port", str(live_port)]
        self.stdout.write(f"Live updates on http://{host}:{live_port}/live/")
        self.stdout.flush()
        sys.exit(_run_together([pages, live]))


def _run_together(commands: list[list[str]]) -> int:
    """Run the servers until one stops (or we are told to stop); then stop the rest.
    Return the exit status of the first to stop."""
    processes = [subprocess.Popen(command) for command in commands]  # noqa: S603 - our own

    def stop(signum: int, _frame: FrameType | None) -> None:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = None
    while status is None:
        status = next((p.returncode for p in processes if p.poll() is not None), None)
        time.sleep(0.2)
    stop(signal.SIGTERM, None)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return status
