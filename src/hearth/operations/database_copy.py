"""Copy the database out of a running site and back in, for each vendor.

SQLite: the online backup API reads one consistent snapshot through SQLite
itself, so what is still in the write-ahead log is included (copying the file
missed acknowledged replies) and writers are never blocked. PostgreSQL:
``pg_dump -Fc`` (one snapshot) and, back, ``pg_restore`` piped into ``psql
--single-transaction`` after emptying the schema in the same transaction, so a
failure leaves the old data and tables a newer version added do not survive.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

POSTGRESQL_BIN_DIRECTORIES = "/usr/lib/postgresql/{major}/bin"


class DatabaseCopyError(Exception):
    """The database could not be copied out or in; the message says why."""


def database_vendor(alias: str = "default") -> str:
    return connections[alias].vendor


def server_version(alias: str = "default") -> str:
    connection = connections[alias]
    if connection.vendor == "sqlite":
        return sqlite3.sqlite_version
    connection.ensure_connection()
    version: int = connection.pg_version  # type: ignore[attr-defined] # PostgreSQL's wrapper has it
    return f"{version // 10000}.{version % 10000}"


def sqlite_path(alias: str = "default") -> Path:
    return Path(str(connections[alias].settings_dict["NAME"]))


# SQLite ---------------------------------------------------------------------------


def dump_sqlite(destination: Path, alias: str = "default") -> None:
    """Write a consistent copy of the live SQLite database to ``destination``.

    One backup step copies every page inside one read transaction: stepping in
    smaller pieces would restart whenever another process writes, which on a
    busy site could be for ever.
    """
    source = sqlite3.connect(sqlite_path(alias), timeout=30)
    target = sqlite3.connect(destination)
    try:
        source.backup(target, pages=-1)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
        check_sqlite_file(target)
    finally:
        target.close()
        source.close()


def check_sqlite_file(connection: sqlite3.Connection) -> None:
    (result,) = connection.execute("PRAGMA integrity_check").fetchone()
    if result != "ok":
        raise DatabaseCopyError(f"The SQLite copy fails its integrity check: {result}")


def restore_sqlite(staged: Path, alias: str = "default") -> None:
    """Put ``staged`` in place of the configured SQLite file in one rename.

    The old file's write-ahead log is folded in and removed first: a log left
    beside the new file would be replayed into it.
    """
    with sqlite3.connect(staged) as check:
        check_sqlite_file(check)
    check.close()
    connections[alias].close()
    live = sqlite_path(alias)
    if live.exists():
        old = sqlite3.connect(live, timeout=30)
        try:
            old.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            old.close()
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    staged.chmod(0o600)
    staged.replace(live)


# PostgreSQL -----------------------------------------------------------------------


def _client_environment(alias: str) -> dict[str, str]:
    """libpq's variables for the configured database (no password on a command line)."""
    settings_dict: dict[str, Any] = connections[alias].settings_dict
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if value := settings_dict.get(key):
            environment[variable] = str(value)
    return environment


def postgresql_tool(name: str, alias: str = "default") -> str:
    """The path of ``name`` (pg_dump, pg_restore, psql) able to handle this server.

    Looks beside the server's own major version first, then on PATH; a client
    older than the server cannot dump it, so that is refused with the reason.
    """
    connection = connections[alias]
    connection.ensure_connection()
    server_major = connection.pg_version // 10000  # type: ignore[attr-defined]
    candidates = [Path(POSTGRESQL_BIN_DIRECTORIES.format(major=server_major)) / name]
    if found := shutil.which(name):
        candidates.append(Path(found))
    for candidate in candidates:
        if not candidate.is_file():
            continue
        output = subprocess.run(  # noqa: S603 - a PostgreSQL client binary
            [str(candidate), "--version"], capture_output=True, text=True, check=False
        ).stdout
        match = re.search(r"(\d+)(?:\.\d+)?", output)
        if match and int(match.group(1)) >= server_major:
            return str(candidate)
    raise DatabaseCopyError(
        f"No {name} for PostgreSQL {server_major} or newer: install the PostgreSQL "
        f"{server_major} client tools (Debian: postgresql-client-{server_major})."
    )


def dump_postgresql(destination: Path, alias: str = "default") -> None:
    """``pg_dump -Fc`` the configured database into ``destination`` (one snapshot)."""
    command = [
        postgresql_tool("pg_dump", alias),
        *("--format=custom", "--no-owner", "--no-privileges", f"--file={destination}"),
    ]
    result = subprocess.run(  # noqa: S603 - arguments are ours
        command, env=_client_environment(alias), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise DatabaseCopyError(f"pg_dump failed: {result.stderr.strip()}")


def list_postgresql_dump(dump: Path, alias: str = "default") -> None:
    """Read the dump's table of contents: a damaged dump is refused before anything changes."""
    result = subprocess.run(  # noqa: S603 - arguments are ours
        [postgresql_tool("pg_restore", alias), "--list", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DatabaseCopyError(f"The PostgreSQL dump is unreadable: {result.stderr.strip()}")


def restore_postgresql(dump: Path, alias: str = "default") -> None:
    """Replace the configured database's contents with ``dump``, all or nothing.

    ``pg_restore`` first writes the dump out as SQL beside it (a dump that
    cannot be read fails here, before the database is touched); then ``psql
    --single-transaction`` runs "empty the public schema" and that SQL as one
    transaction, stopping at the first error, so a failure leaves the old data.
    """
    connections[alias].close()
    environment = _client_environment(alias)
    script = dump.with_suffix(".sql")
    written = subprocess.run(  # noqa: S603 - arguments are ours
        [
            postgresql_tool("pg_restore", alias),
            *("--no-owner", "--no-privileges", "--exit-on-error", f"--file={script}", str(dump)),
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    if written.returncode != 0:
        raise DatabaseCopyError(f"The PostgreSQL dump is unreadable: {written.stderr.strip()}")
    try:
        applied = subprocess.run(  # noqa: S603 - arguments are ours
            [
                postgresql_tool("psql", alias),
                *("--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction"),
                "--command=DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;",
                f"--file={script}",
            ],
            capture_output=True,
            text=True,
            env=environment,
            check=False,
        )
    finally:
        script.unlink(missing_ok=True)
    if applied.returncode != 0:
        raise DatabaseCopyError(
            "The PostgreSQL restore failed and was rolled back; the database is unchanged: "
            f"{applied.stderr.strip()}"
        )
