"""Start and stop what the benchmark runs: a throwaway PostgreSQL, Hearth's servers and worker.

All are context managers that clean up in ``finally`` (also on Ctrl-C and
SIGTERM, which ``bench.run`` turns into KeyboardInterrupt). The server and the
worker run in their own process groups, so stopping the server stops granian's
workers too.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STOP_GRACE_SECONDS = 10
START_TIMEOUT_SECONDS = 60


class BenchError(Exception):
    """The benchmark cannot go on; the message says why and what to do."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# --- Hearth -----------------------------------------------------------------------


def hearth_init(environment: Mapping[str, str], *, timeout: int = 600) -> None:
    """Run ``hearth init`` (migrations, static files, the checks) with the server's
    environment; raise BenchError with its output if it fails."""
    init = subprocess.run(
        [sys.executable, "-m", "hearth", "init", "--verbosity", "0"],
        env=dict(environment),
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if init.returncode != 0:
        message = f"hearth init failed:\n{init.stdout}{init.stderr}"
        raise BenchError(message)


# --- Redis ------------------------------------------------------------------------


@contextmanager
def redis_server(log_path: Path) -> Iterator[str]:
    """A throwaway ``redis-server`` on 127.0.0.1, configured as docs/deploying.md asks
    (nothing saved, least recently used keys dropped when full); yields its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "redis-server is not installed (apt-get install -y redis-server), or --no-redis"
        raise BenchError(message)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-redis-") as directory:
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
                    "--save", "", "--appendonly", "no", "--maxmemory", "256mb",
                    "--maxmemory-policy", "allkeys-lru",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        try:
            _wait_for_port(port, process)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            stop_group(process)


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            message = f"redis-server stopped at start (exit {process.returncode})"
            raise BenchError(message)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    message = f"redis-server did not answer on port {port}"
    raise BenchError(message)


# --- PostgreSQL -------------------------------------------------------------------


def find_postgres_bin() -> Path:
    """The newest PostgreSQL server binaries (>= 15), as scripts/with-postgres finds them."""
    if configured := os.environ.get("HEARTH_PG_BIN"):
        candidates = [Path(configured)]
    else:
        candidates = [Path(f"/usr/lib/postgresql/{version}/bin") for version in (18, 17, 16, 15)]
    for candidate in candidates:
        if (candidate / "initdb").is_file():
            return candidate
    message = (
        "no PostgreSQL server binaries (looked in /usr/lib/postgresql/*/bin); "
        "install them (apt-get install -y postgresql) or run with --database sqlite"
    )
    raise BenchError(message)


@dataclass(frozen=True)
class PostgresCluster:
    """A throwaway cluster: its URL, a way to restart it (drills do), a way to copy its
    data directory, stopped, to ``destination`` (the search part's corpus cache), and a
    way to create another database in it (django-spirit's, bench/spirit.py), which
    clients reach through the socket directory ``host`` and ``port`` as user ``user``."""

    url: str
    restart: Callable[[], None]
    snapshot: Callable[[Path], None]
    create_database: Callable[[str], None]
    host: Path
    port: int
    user: str = "hearth"


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Run a PostgreSQL cluster on a Unix socket in a temporary directory; yield its URL."""
    with postgres_cluster() as cluster:
        yield cluster.url


@contextmanager
def postgres_cluster(seed: Path | None = None) -> Iterator[PostgresCluster]:
    """Run a PostgreSQL cluster on a Unix socket in a temporary directory.

    With ``seed`` (a stopped cluster's data directory, made by ``snapshot``) the cluster
    starts from a copy of it instead of an empty ``initdb``: copying a few GB takes
    seconds, restoring a dump of them minutes (the search part's corpus, bench/search.py).

    Unlike scripts/with-postgres (built for tests) the cluster keeps
    PostgreSQL's default durability (fsync, synchronous commit), as production
    does, so write latencies are comparable with SQLite's synchronous=FULL.
    As root the server runs as the ``postgres`` user: initdb refuses root.
    """
    pg_bin = find_postgres_bin()
    work = Path(tempfile.mkdtemp(prefix="hearth-bench-pg-"))
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(work, user="postgres")
        as_owner = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = work / "data"
    started = False
    # A production-sized buffer cache (docs/deploying.md, "PostgreSQL's memory"): the
    # 128 MB default is for the smallest machines, and at a million posts the search
    # index alone is 1.3 GB (the search part; the small data sets fit either way).
    options = (
        f"-p {port} -k {work} -c listen_addresses='' -c max_connections=100 -c shared_buffers=1GB"
    )
    pg_ctl = [*as_owner, str(pg_bin / "pg_ctl"), "-D", str(data), "-w"]

    def restart() -> None:
        """Stop the server at once (open connections break) and start it again."""
        _run_checked(
            [*pg_ctl, "-l", str(work / "server.log"), "-o", options, "-m", "fast", "restart"],
            what="pg_ctl restart",
            log=work / "server.log",
        )

    def snapshot(destination: Path) -> None:
        """Stop the server cleanly, copy its data directory to ``destination`` (written
        beside it and renamed, so a copy cut short is never taken for a whole one), start
        it again. Close every connection first."""
        _run_checked([*pg_ctl, "-m", "fast", "stop"], what="pg_ctl stop")
        partial = destination.with_name(destination.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        _run_checked(
            ["cp", "-a", "--reflink=auto", str(data), str(partial)], what="cp", timeout=1800
        )
        partial.rename(destination)
        _run_checked(
            [*pg_ctl, "-l", str(work / "server.log"), "-o", options, "start"],
            what="pg_ctl start",
            log=work / "server.log",
        )

    def create_database(name: str) -> None:
        """Create an empty database ``name``, owned by the cluster's user."""
        _run_checked(
            [str(pg_bin / "createdb"), "-h", str(work), "-p", str(port), "-U", "hearth", name],
            what="createdb",
        )

    try:
        if seed is None:
            _run_checked(
                [*as_owner, str(pg_bin / "initdb"), "-D", str(data), "-U", "hearth",
                 "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                what="initdb",
            )  # fmt: skip
        else:  # ownership and modes kept (-a): the server refuses a data directory it cannot own
            _run_checked(
                ["cp", "-a", "--reflink=auto", str(seed), str(data)], what="cp", timeout=1800
            )
        started = True
        _run_checked(
            [*pg_ctl, "-l", str(work / "server.log"), "-o", options, "start"],
            what="pg_ctl start",
            log=work / "server.log",
        )
        if seed is None:
            create_database("hearth")
        # django-environ reads a socket directory from the path, not from the host part.
        url = f"postgres://hearth@:{port}/{urllib.parse.quote(str(work), safe='')}/hearth"
        yield PostgresCluster(
            url=url, restart=restart, snapshot=snapshot, create_database=create_database,
            host=work, port=port,
        )  # fmt: skip
    finally:
        if started:
            subprocess.run(
                [*as_owner, str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                check=False,
                timeout=60,
            )
        shutil.rmtree(work, ignore_errors=True)


def _run_checked(
    command: list[str], *, what: str, log: Path | None = None, timeout: int = 120
) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=timeout)
    if result.returncode != 0:
        details = result.stdout + result.stderr
        if log is not None and log.exists():
            details += log.read_text()
        message = f"{what} failed:\n{details}"
        raise BenchError(message)


# --- Hearth under granian -----------------------------------------------------------


@dataclass(frozen=True)
class WorkerMemory:
    pid: int
    rss_bytes: int  # VmRSS: resident now
    peak_bytes: int  # VmHWM: the most it was ever resident


@dataclass
class HearthServer:
    """A server in its own process group (``hearth serve``, ``hearth live``, or
    django-spirit's gunicorn); ``origin`` is where it listens."""

    process: subprocess.Popen[bytes]
    origin: str
    log_path: Path

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])

    def worker_memory(self) -> list[WorkerMemory]:
        """VmRSS and VmHWM of each granian worker (the server process's Python children)."""
        workers = []
        for pid in _children(self.process.pid):
            status = _proc_status(pid)
            if not status or "resource_tracker" in _cmdline(pid):
                continue
            workers.append(
                WorkerMemory(
                    pid=pid,
                    rss_bytes=status.get("VmRSS", 0),
                    peak_bytes=status.get("VmHWM", 0),
                )
            )
        return workers

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


@contextmanager
def hearth_server(
    *, environment: Mapping[str, str], port: int, workers: int, log_path: Path
) -> Iterator[HearthServer]:
    """Serve pages as production does (``hearth serve --no-live``, the live stream being
    its own process there), with granian serving ``bench.wsgi``: Hearth's application
    and the bare ceiling beside it (``python -m bench.serve``); wait until /healthz
    answers."""
    command = [
        sys.executable, "-m", "bench.serve", "--no-live",
        "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=dict(environment),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: one signal stops every worker
        )
    server = HearthServer(process=process, origin=f"http://127.0.0.1:{port}", log_path=log_path)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        stop_group(process)


@contextmanager
def hearth_live(
    *, environment: Mapping[str, str], port: int, log_path: Path
) -> Iterator[HearthServer]:
    """Serve the live stream as production does (``hearth live``: granian's ASGI interface,
    one worker), in its own process group; wait until ``/live/`` answers a visitor (204)."""
    command = [sys.executable, "-m", "hearth", "live", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=dict(environment),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = HearthServer(process=process, origin=f"http://127.0.0.1:{port}", log_path=log_path)
    try:
        wait_until_answering(server, "/live/", 204)
        yield server
    finally:
        stop_group(process)


@dataclass
class HearthWorker:
    """``hearth worker`` in its own process group."""

    process: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def check_running(self) -> None:
        """Raise BenchError, with the end of its log, if the worker has exited."""
        if self.process.poll() is not None:
            message = f"hearth worker exited with {self.process.returncode}:\n{self.log_tail()}"
            raise BenchError(message)


@contextmanager
def hearth_worker(*, environment: Mapping[str, str], log_path: Path) -> Iterator[HearthWorker]:
    """Run background tasks as production does (``hearth worker``, its default options),
    with the server's environment and database; stopped (its whole process group) on the
    way out, also on Ctrl-C and SIGTERM."""
    command = [sys.executable, "-m", "hearth", "worker"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=dict(environment),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield HearthWorker(process=process, log_path=log_path)
    finally:
        stop_group(process)


def _wait_until_healthy(server: HearthServer) -> None:
    wait_until_answering(server, "/healthz", 200)


def wait_until_answering(server: HearthServer, path: str, status: int) -> None:
    """Wait until ``path`` answers ``status``; raise BenchError if the server exits or
    does not answer so within START_TIMEOUT_SECONDS."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            message = f"the server exited with {server.process.returncode}:\n{server.log_tail()}"
            raise BenchError(message)
        try:
            with urllib.request.urlopen(f"{server.origin}{path}", timeout=2) as response:  # noqa: S310 - our own http://127.0.0.1 origin
                if response.status == status:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    message = f"no {status} from {path} in {START_TIMEOUT_SECONDS} s:\n{server.log_tail()}"
    raise BenchError(message)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process's group, then SIGKILL whatever is left."""
    try:
        group = os.getpgid(process.pid)
    except ProcessLookupError:
        group = process.pid  # the leader is gone; its group id was its pid
    for sent in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(group, sent)
        except ProcessLookupError:
            break
        if _group_gone(process, group, STOP_GRACE_SECONDS):
            break
    if process.poll() is None:
        process.wait(timeout=STOP_GRACE_SECONDS)


def _group_gone(process: subprocess.Popen[bytes], group: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        process.poll()  # reap the leader so it does not linger as a zombie
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces; fields after ")" are plain.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return sorted(found)


def _proc_status(pid: int) -> dict[str, int]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    values = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        if name in {"VmRSS", "VmHWM"}:
            values[name] = int(rest.split()[0]) * 1024  # reported in kB
    return values


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
