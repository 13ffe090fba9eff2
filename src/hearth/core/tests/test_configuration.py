"""Configuration from the environment: the embedded default and production.

These run ``hearth`` in a subprocess so the settings module reads a clean
environment, exactly as an operator's shell would give it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PRODUCTION_ENVIRONMENT = {
    "SECRET_KEY": "k" * 20 + "-a-real-and-long-production-secret-" + "z" * 20,
    "ALLOWED_HOSTS": "hearth.example.org",
    "SITE_URL": "https://hearth.example.org",
}
SETTINGS_PROBE = """
import json
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps({
    "engine": database["ENGINE"],
    "name": str(database["NAME"]),
    "options": database.get("OPTIONS", {}),
    "media_root": str(settings.MEDIA_ROOT),
    "mailer": settings.MAILERS["default"],
    "secret_key": settings.SECRET_KEY,
    "debug": settings.DEBUG,
}))
"""


def run_hearth(
    *arguments: str, data_dir: Path, environment: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m hearth`` with only the given variables set."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "HOME", "LANG", "PYTHONPATH", "SYSTEMROOT"}
    }
    clean |= {"HEARTH_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "hearth.settings.base"}
    clean |= environment or {}
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hearth", *arguments],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def probe_settings(data_dir: Path, environment: dict[str, str] | None = None) -> dict[str, object]:
    result = run_hearth("shell", "-c", SETTINGS_PROBE, data_dir=data_dir, environment=environment)
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_with_no_environment_hearth_runs_on_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    found = probe_settings(tmp_path)

    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(tmp_path / "hearth.sqlite3")
    options = found["options"]
    assert isinstance(options, dict)
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert "synchronous=FULL" in options["init_command"]
    assert "busy_timeout=" in options["init_command"]
    assert found["media_root"] == str(tmp_path / "media")
    assert found["debug"] is False


def test_the_generated_secret_key_is_kept_private_and_reused(tmp_path: Path) -> None:
    first = probe_settings(tmp_path)["secret_key"]
    second = probe_settings(tmp_path)["secret_key"]

    key_file = tmp_path / "secret_key"
    assert first == second == key_file.read_text()
    assert isinstance(first, str)
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    assert probe_settings(tmp_path / "other")["secret_key"] != first


def test_a_database_url_selects_postgresql(tmp_path: Path) -> None:
    found = probe_settings(tmp_path, {"DATABASE_URL": "postgres://u:p@db.internal:5433/hearth"})

    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "hearth"


def test_an_email_url_selects_smtp(tmp_path: Path) -> None:
    found = probe_settings(tmp_path, {"EMAIL_URL": "smtp+tls://user:pw@mail.example.org:587"})

    assert found["mailer"] == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": "mail.example.org",
            "port": 587,
            "username": "user",
            "password": "pw",
            "use_tls": True,
            "use_ssl": False,
            "timeout": 10,
        },
    }


def test_without_an_email_url_mail_is_written_to_files_in_the_data_dir(tmp_path: Path) -> None:
    result = run_hearth("sendtestemail", "someone@example.org", data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    files = list((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    assert "To: someone@example.org" in files[0].read_text()


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = run_hearth(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        data_dir=tmp_path,
        environment=PRODUCTION_ENVIRONMENT,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_in_production_fails_the_deploy_check(tmp_path: Path) -> None:
    result = run_hearth(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        data_dir=tmp_path,
        environment={**PRODUCTION_ENVIRONMENT, "DEBUG": "true"},
    )

    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


@pytest.mark.parametrize("bad_url", ["ftp://mail.example.org", "smtpx://host"])
def test_a_mistyped_email_url_fails_at_start_up(tmp_path: Path, bad_url: str) -> None:
    result = run_hearth("check", data_dir=tmp_path, environment={"EMAIL_URL": bad_url})

    assert result.returncode != 0
    assert "EMAIL_URL must start with smtp://" in result.stderr


@pytest.mark.django_db
def test_the_suite_runs_on_the_database_it_was_given() -> None:
    """make test's PostgreSQL pass must really be on PostgreSQL (a socket URL, say)."""
    from django.db import connection  # noqa: PLC0415

    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )

    assert connection.vendor == expected
