"""Files only Hearth's own user may read: the data directory, the SQLite database and
the mail written to files hold members' words and addresses.

The data directory is 0700; the database (with its WAL and shared-memory files)
and each mail file are 0600, whatever the umask of the process that made them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PRIVATE_DIRECTORY_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def make_private_directory(path: Path) -> Path:
    """Create ``path`` (and its parents) if needed, and make it readable by us only."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIRECTORY_MODE)
    path.chmod(PRIVATE_DIRECTORY_MODE)
    return path


def write_private_file(path: Path, data: bytes) -> None:
    """Write a new file that only this user may read (never replacing an existing one)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)


def keep_sqlite_files_private(sender: Any, connection: Any, **kwargs: Any) -> None:
    """On each new SQLite connection, make the database and its companions 0600.

    SQLite creates the WAL and shared-memory files with the database's own mode;
    on a new database they exist before this runs, so each is set here too.
    """
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    for suffix in SQLITE_COMPANIONS:
        path = Path(name + suffix)
        if path.exists() and path.stat().st_mode & 0o777 != PRIVATE_FILE_MODE:
            path.chmod(PRIVATE_FILE_MODE)
