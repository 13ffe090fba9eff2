"""The backup archive: one gzip'd tar with a manifest of versions and checksums.

Members: ``database/...`` (the SQLite file or a ``pg_dump -Fc`` dump),
``media/...``, ``deleted_accounts.jsonl`` (the tombstones), ``secrets.sealed``
(toolkit keys and secret key, sealed with the operator's passphrase) and,
last, ``manifest.json``, which lists every other member with its SHA-256 and
size. Reading checks all of that and unpacks into a staging directory, so a
restore refuses a damaged archive before it touches anything.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

ARCHIVE_FORMAT = 1
MANIFEST_NAME = "manifest.json"
SECRETS_NAME = "secrets.sealed"
TOMBSTONES_NAME = "deleted_accounts.jsonl"
DATABASE_PREFIX = "database/"
MEDIA_PREFIX = "media/"
_CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive is damaged, incomplete or not a Hearth backup."""


class _HashingReader:
    """Hand a file to tarfile while hashing exactly the bytes that go in."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


class ArchiveWriter:
    """Write an archive to a temporary file beside ``path``; ``finish`` renames it in place.

    Until ``finish`` the archive does not exist under its name, so a backup
    that fails or is stopped never leaves a half-written archive to restore.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
        descriptor = os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(descriptor, "wb")
        self._tar = tarfile.open(  # noqa: SIM115 - closed by finish() or abandon()
            fileobj=self._file, mode="w:gz", compresslevel=6
        )
        self.files: dict[str, dict[str, Any]] = {}

    def add_file(self, name: str, source: Path) -> None:
        with source.open("rb") as stream:
            info = tarfile.TarInfo(name)
            info.size = os.fstat(stream.fileno()).st_size
            info.mtime = int(time.time())
            info.mode = 0o600
            reader = _HashingReader(stream)
            self._tar.addfile(info, reader)
        self.files[name] = {"sha256": reader.digest.hexdigest(), "size": info.size}

    def add_bytes(self, name: str, data: bytes) -> None:
        self._add_raw(name, data)
        self.files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}

    def _add_raw(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mtime = int(time.time())
        info.mode = 0o600
        self._tar.addfile(info, io.BytesIO(data))

    def finish(self, manifest: dict[str, Any]) -> None:
        """Write the manifest last, flush everything to disk, then rename into place."""
        manifest = {**manifest, "format": ARCHIVE_FORMAT, "files": self.files}
        self._add_raw(MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True).encode())
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self.temporary.replace(self.path)

    def abandon(self) -> None:
        self._tar.close()
        self._file.close()
        self.temporary.unlink(missing_ok=True)


@dataclass(frozen=True)
class UnpackedArchive:
    manifest: dict[str, Any]
    directory: Path

    def member(self, name: str) -> Path:
        return self.directory / name

    def has(self, name: str) -> bool:
        return name in self.manifest["files"]


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ArchiveError(f"The archive holds a member with an unsafe name: {name!r}")
    return str(path)


def unpack_and_verify(archive: Path, staging: Path) -> UnpackedArchive:  # noqa: PLR0912 - one check each
    """Unpack ``archive`` into ``staging`` and check it against its manifest.

    Raises ArchiveError when the archive cannot be read (truncated, a flipped
    byte), has no manifest, or any member is missing, unlisted or differs from
    its checksum or size.
    """
    digests: dict[str, tuple[str, int]] = {}
    manifest_bytes: bytes | None = None
    try:
        # gzip checks its CRC only at the end of the stream, and tarfile stops quietly at
        # a damaged header: read the whole stream first, so any damage is an error here.
        with gzip.open(archive, "rb") as whole:
            while whole.read(_CHUNK):
                pass
        with tarfile.open(archive, mode="r:gz") as tar:
            for info in tar:
                name = _safe_name(info.name)
                if not info.isfile():
                    raise ArchiveError(f"The archive holds something not a file: {name!r}")
                stream = tar.extractfile(info)
                if stream is None:
                    raise ArchiveError(f"Cannot read {name!r} from the archive.")
                if name == MANIFEST_NAME:
                    manifest_bytes = stream.read()
                    continue
                target = staging / name
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                digest = hashlib.sha256()
                size = 0
                with target.open("xb") as output:
                    while chunk := stream.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        output.write(chunk)
                target.chmod(0o600)
                digests[name] = (digest.hexdigest(), size)
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise ArchiveError(f"The archive is damaged or truncated ({error}).") from error
    if manifest_bytes is None:
        raise ArchiveError("The archive has no manifest.json: it is incomplete or not a backup.")
    try:
        manifest: dict[str, Any] = json.loads(manifest_bytes)
        listed: dict[str, dict[str, Any]] = manifest["files"]
    except (ValueError, KeyError, TypeError) as error:
        raise ArchiveError("The archive's manifest.json is unreadable.") from error
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError(
            f"The archive's format {manifest.get('format')!r} is not one this Hearth reads "
            f"({ARCHIVE_FORMAT})."
        )
    for name, expected in listed.items():
        if name not in digests:
            raise ArchiveError(f"The archive lacks {name!r}, which its manifest lists.")
        if digests[name] != (expected.get("sha256"), expected.get("size")):
            raise ArchiveError(f"{name!r} in the archive does not match its checksum.")
    if unlisted := sorted(set(digests) - set(listed)):
        raise ArchiveError(f"The archive holds files its manifest does not list: {unlisted[:3]}")
    return UnpackedArchive(manifest=manifest, directory=staging)
