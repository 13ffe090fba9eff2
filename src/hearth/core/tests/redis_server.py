"""A throwaway ``redis-server`` for tests: its own port and directory, nothing saved."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
import redis

from hearth.core.tests.serving import free_port

REDIS_MISSING = "redis-server is not installed (apt-get install -y redis-server)"


@contextmanager
def throwaway_redis(settings: Sequence[str] = ()) -> Iterator[str]:
    """Start ``redis-server`` on 127.0.0.1 and yield its URL; skip the test without one.
    ``settings`` are more command-line settings (``--maxmemory``, ``256mb``...)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip(REDIS_MISSING)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hearth-redis-") as directory:
        process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                directory,
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    redis.Redis.from_url(url).ping()
                    break
                except redis.ConnectionError:
                    assert time.monotonic() < deadline, "redis-server did not start"
                    time.sleep(0.05)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
