"""The list of deleted accounts, kept outside the database.

A backup taken before a member left still holds them; restoring it must not bring
them back. Each deletion appends one line -- the account's id, what the member
chose for their posts, and when -- to ``HEARTH_DELETED_ACCOUNTS_FILE``, and
``replay_deletions`` (``hearth replay_deletions``, run by a restore) deletes any of
those accounts the database holds again. Ids only: the list names nobody.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings

from hearth.core.private_files import PRIVATE_FILE_MODE


@dataclass(frozen=True)
class Tombstone:
    member_id: int
    posts: str
    deleted_at: str


def _path() -> Path:
    path: Path = settings.HEARTH_DELETED_ACCOUNTS_FILE
    return path


def record_deletion(member_id: int, *, posts: str, deleted_at: datetime) -> None:
    """Append one deletion, flushed to disk before returning."""
    line = json.dumps({"member_id": member_id, "posts": posts, "at": deleted_at.isoformat()})
    descriptor = os.open(_path(), os.O_RDWR | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    try:
        # A line a crash cut short is left alone, on its own line.
        size = os.fstat(descriptor).st_size
        torn = size > 0 and os.pread(descriptor, 1, size - 1) != b"\n"
        os.write(descriptor, f"{chr(10) if torn else ''}{line}\n".encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def recorded_deletions() -> list[Tombstone]:
    """Every deletion recorded; a line cut short by a crash is skipped."""
    try:
        lines = _path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    tombstones = []
    for line in lines:
        try:
            entry = json.loads(line)
            tombstones.append(
                Tombstone(
                    member_id=int(entry["member_id"]),
                    posts=str(entry["posts"]),
                    deleted_at=str(entry["at"]),
                )
            )
        except (ValueError, KeyError, TypeError):
            continue
    return tombstones
