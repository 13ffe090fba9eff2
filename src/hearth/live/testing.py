"""A real live-stream server for tests: ``hearth.asgi`` under granian, in its own
process, on the test database, so browsers and other processes can use it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def database_url() -> str:
    """The test database, as ``DATABASE_URL`` (the test process's connection)."""
    values = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{values['NAME']}"
    host = quote(str(values["HOST"] or ""), safe="")
    credentials = quote(str(values["USER"] or ""), safe="")
    if values.get("PASSWORD"):
        credentials += ":" + quote(str(values["PASSWORD"]), safe="")
    return f"postgres://{credentials}@{host}:{values['PORT'] or 5432}/{values['NAME']}"


@contextmanager
def live_stream_server(port: int) -> Iterator[str]:
    """Serve ``/live/`` on 127.0.0.1:``port`` from the test database; yield its base URL.

    The same data directory (so the same secret key: sessions check against it) and
    the same database as this test process, whose writes must be committed
    (``django_db(transaction=True)``).
    """
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hearth.settings.base",
        "HEARTH_DATA_DIR": str(settings.DATA_DIR),
        "DATABASE_URL": database_url(),
        "HEARTH_LIVE_POLL_SECONDS": "0.1",
        "HEARTH_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            *(sys.executable, "-m", "granian", "--interface", "asgi"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
            *("--no-ws", "--log-level", "warning", "hearth.asgi:application"),
        ],
        env=environment,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_it_answers(f"{base}/live/", process)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _wait_until_it_answers(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, "the live server stopped"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 204:  # a visitor: told to stop trying
                    return
        except (urllib.error.URLError, OSError):
            pass
        assert time.monotonic() < deadline, "the live server did not answer"
        time.sleep(0.1)
