"""Restore a backup archive into the configured data directory and database.

Everything that can be refused is checked before anything changes: the
archive against its manifest and checksums, the database vendor, migrations
newer than this code, the passphrase (by opening the sealed keys), and a
database that already holds members (only with ``force``). Then the database
is replaced in one step (database_copy.py), the media, tombstones and keys are
put in place, ``hearth init`` runs (migrations from an older backup, static
files), and the deletions recorded since the backup are replayed.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connections

from hearth.core import encryption
from hearth.core.key_safety import why_keys_cannot_serve
from hearth.member_data.deletion import replay_deletions
from hearth.operations import database_copy, sealing, state
from hearth.operations.archive import (
    MEDIA_PREFIX,
    SECRETS_NAME,
    TOMBSTONES_NAME,
    ArchiveError,
    UnpackedArchive,
    unpack_and_verify,
)
from hearth.operations.progress import Progress


class RestoreRefusedError(Exception):
    """The restore was refused before anything changed; the message says why."""


@dataclass
class RestoreSummary:
    deletions_replayed: int
    media_files: int
    key_problem: str | None
    warnings: list[str] = field(default_factory=list)


def restore_backup(
    archive: Path,
    *,
    passphrase: str | None,
    force: bool,
    progress: Progress,
    alias: str = "default",
) -> RestoreSummary:
    """Restore ``archive``; raise RestoreRefusedError (nothing changed) when it must not be."""
    if not archive.is_file():
        raise RestoreRefusedError(f"No archive at {archive}.")
    data_dir = Path(settings.DATA_DIR)
    staging = Path(tempfile.mkdtemp(prefix=".hearth-restore-", dir=data_dir))
    try:
        progress.step(f"Checking {archive}")
        try:
            unpacked = unpack_and_verify(archive, staging)
        except ArchiveError as error:
            raise RestoreRefusedError(str(error)) from error
        secrets, warnings = _check_before_changing_anything(
            unpacked, passphrase=passphrase, force=force, alias=alias
        )
        for warning in warnings:
            progress.warn(warning)

        database = unpacked.member(unpacked.manifest["database"]["file"])
        progress.step("Replacing the database")
        if unpacked.manifest["database"]["vendor"] == "sqlite":
            database_copy.restore_sqlite(database, alias)
        else:
            database_copy.restore_postgresql(database, alias)

        progress.step("Putting media, tombstones and keys in place")
        media_files = _replace_media(unpacked, data_dir)
        _merge_tombstones(unpacked)
        _write_secrets(secrets, data_dir)
        encryption.reset_cache()

        progress.step("Running hearth init (migrations, cache table, static files)")
        connections[alias].close()
        call_command("init", verbosity=0)

        progress.step("Replaying deletions recorded since the backup")
        replayed = replay_deletions()
        return RestoreSummary(
            deletions_replayed=replayed,
            media_files=media_files,
            key_problem=why_keys_cannot_serve(),
            warnings=warnings,
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _check_before_changing_anything(
    unpacked: UnpackedArchive, *, passphrase: str | None, force: bool, alias: str
) -> tuple[dict[str, str], list[str]]:
    """Refuse what cannot be restored; return the unsealed secrets and the warnings."""
    manifest = unpacked.manifest
    warnings: list[str] = []
    try:
        archived_vendor = manifest["database"]["vendor"]
        if not unpacked.has(manifest["database"]["file"]):
            raise RestoreRefusedError("The archive's manifest names a database the archive lacks.")
    except (KeyError, TypeError) as error:
        raise RestoreRefusedError(
            "The archive's manifest does not describe its database."
        ) from error
    configured_vendor = database_copy.database_vendor(alias)
    if archived_vendor != configured_vendor:
        raise RestoreRefusedError(
            f"This archive holds a {archived_vendor} database, but Hearth is configured for "
            f"{configured_vendor} (DATABASE_URL). Restore it where the same database is used."
        )
    if newer := state.migrations_unknown_to_this_code(manifest.get("migrations", {})):
        raise RestoreRefusedError(
            f"This archive comes from a newer Hearth ({manifest.get('hearth_version')}): its "
            f"database has migrations this version lacks ({', '.join(newer[:5])}). Upgrade "
            "Hearth first, then restore."
        )
    if archived_vendor == "postgresql":
        try:
            database_copy.list_postgresql_dump(unpacked.member(manifest["database"]["file"]), alias)
        except database_copy.DatabaseCopyError as error:
            raise RestoreRefusedError(str(error)) from error

    secrets: dict[str, str] = {}
    if unpacked.has(SECRETS_NAME):
        if passphrase is None:
            raise RestoreRefusedError(
                "This archive holds the toolkit keys sealed with a passphrase: give it with "
                "--passphrase-file FILE or HEARTH_BACKUP_PASSPHRASE."
            )
        try:
            secrets = sealing.unseal(unpacked.member(SECRETS_NAME).read_bytes(), passphrase)
        except sealing.PassphraseError as error:
            raise RestoreRefusedError(str(error)) from error
    else:
        have_keys = encryption.keys_come_from_environment() or encryption.key_file_path().exists()
        if manifest.get("holds_encrypted_text") and not have_keys:
            raise RestoreRefusedError(
                "This archive holds encrypted private text but not the keys to it (it was made "
                f"without a passphrase), and {encryption.key_file_path()} does not exist. Put "
                "the key file from the same time in place (or set HEARTH_TOOLKIT_KEYS), then "
                "restore again."
            )
        warnings.append(
            "This archive holds no toolkit keys: the keys already configured here are kept; "
            "they must be the ones the backup's private text was written with."
        )

    members, posts = state.members_and_posts(alias)
    if members and not force:
        raise RestoreRefusedError(
            f"The configured database is not empty: it holds {members} members and {posts} "
            "posts, which the restore would replace. Run again with --force to replace them."
        )
    return secrets, warnings


def _replace_media(unpacked: UnpackedArchive, data_dir: Path) -> int:
    """Swap the archive's media directory in for the current one."""
    staged = unpacked.directory / MEDIA_PREFIX.rstrip("/")
    staged.mkdir(exist_ok=True)
    media = state.media_root()
    media.parent.mkdir(parents=True, exist_ok=True)
    count = sum(1 for path in staged.rglob("*") if path.is_file())
    if media.exists():
        previous = media.with_name(f".{media.name}.before-restore-{int(time.time())}")
        media.rename(previous)
        shutil.move(staged, media)
        shutil.rmtree(previous, ignore_errors=True)
    else:
        shutil.move(staged, media)
    return count


def _merge_tombstones(unpacked: UnpackedArchive) -> None:
    """Keep every deletion recorded here, and add those only the archive knows of.

    The file here may be newer than the backup (that is what replaying is for),
    so it is never replaced, only added to.
    """
    if not unpacked.has(TOMBSTONES_NAME):
        return
    path = state.tombstones_path()
    current = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    known_ids = set()
    for line in current:
        try:
            known_ids.add(json.loads(line)["member_id"])
        except (ValueError, KeyError, TypeError):
            continue
    archived = unpacked.member(TOMBSTONES_NAME).read_text(encoding="utf-8").splitlines()
    added = []
    for line in archived:
        try:
            member_id: Any = json.loads(line)["member_id"]
        except (ValueError, KeyError, TypeError):
            continue
        if member_id not in known_ids:
            known_ids.add(member_id)
            added.append(line)
    if added or not path.exists():
        _write_private_atomically(path, "".join(f"{line}\n" for line in [*current, *added]))


def _write_secrets(secrets: dict[str, str], data_dir: Path) -> None:
    """Put the archive's key file and secret key in place, keeping a differing old key file."""
    if (keys := secrets.get("toolkit_keys")) and not encryption.keys_come_from_environment():
        path = encryption.key_file_path()
        if path.exists() and path.read_text(encoding="ascii") != keys:
            kept = path.with_name(f"{path.name}.before-restore-{int(time.time())}")
            path.replace(kept)
        _write_private_atomically(path, keys)
    if (secret_key := secrets.get("secret_key")) and not os.environ.get("SECRET_KEY"):
        _write_private_atomically(state.secret_key_path(), secret_key)


def _write_private_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)
