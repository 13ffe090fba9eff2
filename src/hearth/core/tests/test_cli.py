"""The ``hearth`` command: init, demo, serve, and every manage.py command."""

import socket
import subprocess
import sys
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
