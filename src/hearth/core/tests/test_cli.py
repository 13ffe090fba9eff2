"""The ``hearth`` command: init, demo, serve, and every manage.py command."""

import os
import signal
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from hearth.core.tests.serving import (
    free_port,
    hearth_serving,
    page_server_of,
    wait_healthy,
    workers_of,
)
from hearth.core.tests.test_configuration import run_hearth

# Every test here runs hearth in a clean environment (run_hearth, hearth_serving): on
# SQLite in a data directory of its own, whichever database the suite uses, so the
# PostgreSQL pass would only repeat it.
pytestmark = pytest.mark.database_neutral


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
    assert "fern and willow have written to each other" in first.stdout
    assert "fern and willow" not in second.stdout  # once
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


def test_serve_answers_pages_and_static_files(tmp_path: Path) -> None:
    assert run_hearth("init", data_dir=tmp_path).returncode == 0
    environment = {"HEARTH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    with hearth_serving(environment, port=free_port()) as served:
        with urllib.request.urlopen(f"{served.base}/accounts/login/", timeout=5) as response:  # noqa: S310
            page = response.read().decode()
        stylesheet = page.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
        with urllib.request.urlopen(f"{served.base}{stylesheet}", timeout=5) as response:  # noqa: S310
            assert response.status == 200
            assert "immutable" in response.headers["Cache-Control"]


def test_serve_respawns_a_killed_worker_and_keeps_serving(tmp_path: Path) -> None:
    assert run_hearth("init", data_dir=tmp_path).returncode == 0
    log = tmp_path / "server.log"
    environment = {"HEARTH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    with hearth_serving(environment, port=free_port(), workers=2, log=log) as served:
        master = page_server_of(served.process.pid)
        deadline = time.monotonic() + 20
        # Both workers started (not merely spawned): a worker killed while it is still
        # starting never logs "Started", and the count below would wait in vain.
        while len(workers_of(master)) < 2 or log.read_text().count("[INFO] Started worker") < 2:
            assert time.monotonic() < deadline, "granian did not start two workers"
            time.sleep(0.1)
        victim = workers_of(master)[0]

        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()

        answered = 0
        while time.monotonic() - killed_at < 10:
            wait_healthy(served.base, 5)  # the other worker serves meanwhile
            answered += 1
            workers = workers_of(master)
            if len(workers) == 2 and victim not in workers:
                break
            time.sleep(0.1)
        assert served.process.poll() is None, "the server itself stayed up"
        assert page_server_of(served.process.pid) == master
        assert len(workers_of(master)) == 2, "the killed worker was replaced"
        # ... and the new one serves (granian logs it; stopping granian while a worker
        # is still starting would hang its shutdown).
        while log.read_text().count("[INFO] Started worker") < 3:
            assert time.monotonic() - killed_at < 10, log.read_text()
            time.sleep(0.1)
        assert answered > 0


def test_serve_refuses_a_port_that_is_already_served(tmp_path: Path) -> None:
    port = free_port()
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
    environment = {"HEARTH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    with hearth_serving(environment, port=free_port(), workers=2) as served:
        slow_clients = [
            threading.Thread(target=_trickle, args=(served.port, 8), daemon=True) for _ in range(2)
        ]
        for client in slow_clients:
            client.start()
        time.sleep(1)

        slowest = 0.0
        for _probe in range(8):
            started = time.monotonic()
            with urllib.request.urlopen(f"{served.base}/accounts/login/", timeout=30) as response:  # noqa: S310
                assert response.status == 200
            slowest = max(slowest, time.monotonic() - started)
            time.sleep(0.5)

    assert slowest < 1.0, f"a page took {slowest:.1f} s while two clients trickled bodies"


def test_a_body_that_trickles_past_the_read_timeout_is_answered_408(tmp_path: Path) -> None:
    assert run_hearth("init", data_dir=tmp_path).returncode == 0
    environment = {
        "HEARTH_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "HEARTH_BODY_READ_TIMEOUT": "1.5",
    }

    port = free_port()
    with (
        hearth_serving(environment, port=port),
        socket.create_connection(("127.0.0.1", port), timeout=10) as slow,
    ):
        slow.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
            b"login=a"
        )
        started = time.monotonic()
        answer = slow.recv(200)

    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert time.monotonic() - started < 5
