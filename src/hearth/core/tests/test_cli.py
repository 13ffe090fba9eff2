"""The ``hearth`` command: init, demo, serve, and every manage.py command."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from hearth.core.tests.test_configuration import run_hearth


def test_hearth_help_lists_hearths_own_commands_beside_djangos(tmp_path: Path) -> None:
    result = run_hearth("help", data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    for command in ("init", "serve", "demo", "migrate", "createsuperuser", "check"):
        assert f"    {command}\n" in result.stdout


def test_init_prepares_an_empty_data_dir_and_can_run_twice(tmp_path: Path) -> None:
    for _ in range(2):
        result = run_hearth("init", data_dir=tmp_path)
        assert result.returncode == 0, result.stderr

    assert (tmp_path / "hearth.sqlite3").exists()
    assert any((tmp_path / "static").rglob("hearth*.css"))
    tables = run_hearth(
        "shell",
        "-c",
        "from django.db import connection; print(sorted(connection.introspection.table_names()))",
        data_dir=tmp_path,
    )
    assert "'accounts_user'" in tables.stdout


def test_demo_is_idempotent_and_prints_the_logins(tmp_path: Path) -> None:
    assert run_hearth("migrate", data_dir=tmp_path).returncode == 0

    first = run_hearth("demo", data_dir=tmp_path)
    second = run_hearth("demo", data_dir=tmp_path)

    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "hearth-demo" in first.stdout
    assert "moderator: mod_alder" in first.stdout
    count = run_hearth(
        "shell",
        "-c",
        "from hearth.accounts.models import User; print(User.objects.count())",
        data_dir=tmp_path,
    )
    assert count.stdout.strip().splitlines()[-1] == "20"


def test_createsuperuser_reads_the_standard_variables(tmp_path: Path) -> None:
    assert run_hearth("migrate", data_dir=tmp_path).returncode == 0

    result = run_hearth(
        "createsuperuser",
        "--noinput",
        data_dir=tmp_path,
        environment={
            "DJANGO_SUPERUSER_USERNAME": "operator",
            "DJANGO_SUPERUSER_EMAIL": "operator@example.org",
            "DJANGO_SUPERUSER_PASSWORD": "a strong operator passphrase",
        },
    )

    assert result.returncode == 0, result.stderr
    check = run_hearth(
        "shell",
        "-c",
        "from hearth.accounts.models import User; u = User.objects.get(username='operator'); "
        "print(u.is_superuser, u.display_name, u.check_password('a strong operator passphrase'))",
        data_dir=tmp_path,
    )
    assert check.stdout.strip().splitlines()[-1] == "True operator True"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_pages_and_static_files(tmp_path: Path) -> None:
    assert run_hearth("init", data_dir=tmp_path).returncode == 0
    port = _free_port()
    environment = {"HEARTH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hearth", "serve", "--port", str(port), "--workers", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                    assert response.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        with urllib.request.urlopen(f"{base}{stylesheet}", timeout=5) as response:  # noqa: S310
            assert response.status == 200
            assert "immutable" in response.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=10)


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


def _workers(pid: int) -> list[int]:
    """The granian master's worker processes (leaving out Python's resource tracker)."""
    return [
        child
        for child in _children(pid)
        if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def _wait_healthy(base: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            pass
        assert time.monotonic() < deadline, "the server did not answer"
        time.sleep(0.1)


def test_serve_respawns_a_killed_worker_and_keeps_serving(tmp_path: Path) -> None:
    assert run_hearth("init", data_dir=tmp_path).returncode == 0
    port = _free_port()
    log = tmp_path / "server.log"
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hearth", "serve", "--port", str(port), "--workers", "2"],
        env={"HEARTH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopping it stops every worker
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, 30)
        deadline = time.monotonic() + 20
        while len(_workers(server.pid)) < 2:
            assert time.monotonic() < deadline, "granian did not start two workers"
            time.sleep(0.1)
        victim = _workers(server.pid)[0]

        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()

        answered = 0
        while time.monotonic() - killed_at < 10:
            _wait_healthy(base, 5)  # the other worker serves meanwhile
            answered += 1
            workers = _workers(server.pid)
            if len(workers) == 2 and victim not in workers:
                break
            time.sleep(0.1)
        assert server.poll() is None, "the server itself stayed up"
        assert len(_workers(server.pid)) == 2, "the killed worker was replaced"
        # ... and the new one serves (granian logs it; stopping granian while a worker
        # is still starting would hang its shutdown).
        while log.read_text().count("[INFO] Started worker") < 3:
            assert time.monotonic() - killed_at < 10, log.read_text()
            time.sleep(0.1)
        assert answered > 0
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_serve_refuses_a_port_that_is_already_served(tmp_path: Path) -> None:
    port = _free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()

        result = run_hearth("serve", "--port", str(port), data_dir=tmp_path)

    assert result.returncode != 0
    assert f"Port {port} on 127.0.0.1 is already in use" in result.stderr


def _trickle(port: int, seconds: float) -> None:
    """A client that sends its request body one byte a second (with a CSRF cookie, so the
    server must read the body to find the form's token)."""
    with socket.create_connection(("127.0.0.1", port)) as slow:
        slow.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n"
            b"Cookie: csrftoken=abcdefghijklmnopqrstuvwxyzABCDEF\r\n\r\n"
        )
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                slow.sendall(b"a")
            except OSError:
                return
            time.sleep(1)


def test_two_slow_clients_do_not_stall_pages(tmp_path: Path) -> None:
    assert run_hearth("init", data_dir=tmp_path).returncode == 0
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hearth", "serve", "--port", str(port), "--workers", "2"],
        env={"HEARTH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, 30)
        slow_clients = [
            threading.Thread(target=_trickle, args=(port, 8), daemon=True) for _ in range(2)
        ]
        for client in slow_clients:
            client.start()
        time.sleep(1)

        slowest = 0.0
        for _probe in range(8):
            started = time.monotonic()
            with urllib.request.urlopen(f"{base}/accounts/login/", timeout=30) as response:  # noqa: S310
                assert response.status == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.5)

        assert slowest < 1.0, f"a page took {slowest:.1f} s while two clients trickled bodies"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def test_a_body_that_trickles_past_the_read_timeout_is_answered_408(tmp_path: Path) -> None:
    assert run_hearth("init", data_dir=tmp_path).returncode == 0
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hearth", "serve", "--port", str(port), "--workers", "1"],
        env={
            "HEARTH_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
            "HEARTH_BODY_READ_TIMEOUT": "1.5",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", 30)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
            slow.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
                b"login=a"
            )
            started = time.monotonic()
            answer = slow.recv(200)

        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert time.monotonic() - started < 5
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
