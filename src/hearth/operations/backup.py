"""Write a backup archive of a running site (``hearth backup PATH``).

Consistent while members write: the database is copied through its own
snapshot mechanism (database_copy.py). The archive also holds the media, the
tombstones of deleted accounts and -- sealed with the operator's passphrase --
the toolkit keys and the secret key; without a passphrase those are left out,
loudly, because an archive with keys in the clear would let anyone holding it
read every toolkit.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

from hearth.core import encryption
from hearth.core.key_safety import database_holds_encrypted_text
from hearth.operations import database_copy, sealing, state
from hearth.operations.archive import (
    DATABASE_PREFIX,
    MEDIA_PREFIX,
    SECRETS_NAME,
    TOMBSTONES_NAME,
    ArchiveWriter,
)
from hearth.operations.progress import Progress

KEYS_LEFT_OUT_WARNING = (
    "No passphrase given (--passphrase-file or HEARTH_BACKUP_PASSPHRASE): the toolkit keys "
    "and the secret key are NOT in this backup. Without the keys, members' private text "
    "in it can never be read: keep {keys} safe apart from the backups."
)


@dataclass
class BackupSummary:
    path: Path
    size: int
    media_files: int
    keys_included: bool
    warnings: list[str] = field(default_factory=list)


def create_backup(
    path: Path, *, passphrase: str | None, progress: Progress, alias: str = "default"
) -> BackupSummary:
    """Write the archive to ``path`` (replacing it only once complete)."""
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    vendor = database_copy.database_vendor(alias)
    warnings: list[str] = []
    staging = Path(tempfile.mkdtemp(prefix=".hearth-backup-", dir=path.parent))
    writer = ArchiveWriter(path)
    try:
        progress.step(f"Copying the {vendor} database")
        if vendor == "sqlite":
            database_file, name = staging / "hearth.sqlite3", "hearth.sqlite3"
            database_copy.dump_sqlite(database_file, alias)
        elif vendor == "postgresql":
            database_file, name = staging / "hearth.pgdump", "hearth.pgdump"
            database_copy.dump_postgresql(database_file, alias)
        else:
            raise database_copy.DatabaseCopyError(f"Cannot back up a {vendor} database.")
        manifest_database: dict[str, Any] = {
            "vendor": vendor,
            "server_version": database_copy.server_version(alias),
            "file": DATABASE_PREFIX + name,
        }
        migrations = state.applied_migrations(alias)
        holds_encrypted_text = database_holds_encrypted_text()
        progress.step(f"Adding the database ({database_file.stat().st_size:,} bytes)")
        writer.add_file(DATABASE_PREFIX + name, database_file)
        database_file.unlink()

        media = _local_media(warnings)
        progress.step(f"Adding {len(media)} media files")
        for done, media_file in enumerate(media, start=1):
            relative = media_file.relative_to(state.media_root()).as_posix()
            writer.add_file(MEDIA_PREFIX + relative, media_file)
            progress.count("media files", done, len(media))

        if state.tombstones_path().exists():
            writer.add_file(TOMBSTONES_NAME, state.tombstones_path())

        keys_status = _add_secrets(writer, passphrase, warnings)
        for warning in warnings:
            progress.warn(warning)
        progress.step("Writing the manifest")
        writer.finish(
            {
                "hearth_version": state.hearth_version(),
                "created_at": datetime.now(UTC).isoformat(),
                "database": manifest_database,
                "migrations": migrations,
                "holds_encrypted_text": holds_encrypted_text,
                "secrets": keys_status,
                "warnings": warnings,
            }
        )
    except BaseException:
        writer.abandon()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        connections[alias].close()
    progress.step(f"Backup written to {path}")
    return BackupSummary(
        path=path,
        size=path.stat().st_size,
        media_files=len(media),
        keys_included=keys_status == "sealed",
        warnings=warnings,
    )


def _local_media(warnings: list[str]) -> list[Path]:
    """The media files to archive: those under MEDIA_ROOT, or none when uploads
    live in object storage (the bucket keeps its own copies; the archive would
    otherwise have to download every object)."""
    if settings.HEARTH_MEDIA_BUCKET:
        warnings.append(
            f"Media are in the object storage bucket {settings.HEARTH_MEDIA_BUCKET!r} and "
            "are not in this backup: turn on the bucket's versioning or replication "
            "(docs/deploying.md, Media in object storage)."
        )
        return []
    return sorted(p for p in state.media_root().rglob("*") if p.is_file())


def _add_secrets(writer: ArchiveWriter, passphrase: str | None, warnings: list[str]) -> str:
    """Seal the key file and secret key into the archive; return what the manifest says."""
    from_environment = encryption.keys_come_from_environment()
    if from_environment:
        warnings.append(
            "The toolkit keys come from HEARTH_TOOLKIT_KEYS and are not in this backup: "
            "keep that variable's value safe with your backups."
        )
    if passphrase is None:
        keys = "HEARTH_TOOLKIT_KEYS" if from_environment else str(encryption.key_file_path())
        warnings.append(KEYS_LEFT_OUT_WARNING.format(keys=keys))
        return "left-out"
    secrets: dict[str, str] = {}
    if not from_environment and encryption.key_file_path().exists():
        secrets["toolkit_keys"] = encryption.key_file_path().read_text(encoding="ascii")
    if state.secret_key_path().exists():
        secrets["secret_key"] = state.secret_key_path().read_text(encoding="ascii")
    writer.add_bytes(SECRETS_NAME, sealing.seal(secrets, passphrase))
    return "sealed"
