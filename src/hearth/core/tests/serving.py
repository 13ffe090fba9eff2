"""``hearth serve`` for tests: started in its own process group, waited for, stopped.

The tests that need a real server (workers killed, slow clients, drills, the
demo served) all start it the same way; stopping the whole group matters,
because granian's workers outlive a master that is killed alone.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_healthy(base: str, seconds: float) -> None:
    """Wait until ``base/healthz`` answers 200; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not answer"
        time.sleep(0.1)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def page_server_of(pid: int) -> int:
    """The granian master serving pages, among ``hearth serve``'s children (the other
    serves the live stream)."""
    deadline = time.monotonic() + 20
    while True:
        for child in _children(pid):
            if b"wsgi" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
        assert time.monotonic() < deadline, "hearth serve started no page server"
        time.sleep(0.1)


def workers_of(pid: int) -> list[int]:
    """The granian master's worker processes (leaving out Python's resource tracker)."""
    return [
        child
        for child in _children(pid)
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


@dataclass(frozen=True)
class Served:
    process: subprocess.Popen[bytes]
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def hearth_serving(
    environment: dict[str, str], *, port: int, workers: int = 1, log: Path | None = None
) -> Iterator[Served]:
    """Run ``hearth serve`` on ``port`` with exactly ``environment``; yield once it answers."""
    output = log.open("wb") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            *(sys.executable, "-m", "hearth", "serve", "--port", str(port)),
            *("--workers", str(workers), "--live-port", str(free_port())),
        ],
        env=environment,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops every worker
    )
    try:
        wait_healthy(f"http://127.0.0.1:{port}", 30)
        yield Served(process, port)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
