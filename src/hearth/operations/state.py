"""What a backup records about the site it came from, and what a restore compares."""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from hearth.settings.secret_key import SECRET_KEY_FILE_NAME


def hearth_version() -> str:
    try:
        return metadata.version("hearth")
    except metadata.PackageNotFoundError:
        return "unknown"


def applied_migrations(alias: str = "default") -> dict[str, str]:
    """The newest applied migration of each app (names sort by their number)."""
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connections[alias]).applied_migrations():
        latest[app_label] = max(latest.get(app_label, ""), name)
    return latest


def migrations_unknown_to_this_code(recorded: dict[str, str]) -> list[str]:
    """The recorded migrations this code does not have: the backup is from a newer Hearth."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, name in recorded.items() if (app, name) not in known)


def members_and_posts(alias: str = "default") -> tuple[int, int]:
    """How many members and posts the configured database holds (0, 0 before migrate)."""
    from hearth.accounts.models import User  # noqa: PLC0415 - the app registry is ready here
    from hearth.forum.models import Post  # noqa: PLC0415

    try:
        return User.objects.using(alias).count(), Post.objects.using(alias).count()
    except DatabaseError:
        connections[alias].close()  # a missing table on PostgreSQL spoils the connection
        return 0, 0


def secret_key_path() -> Path:
    return Path(settings.DATA_DIR) / SECRET_KEY_FILE_NAME


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def tombstones_path() -> Path:
    return Path(settings.HEARTH_DELETED_ACCOUNTS_FILE)
