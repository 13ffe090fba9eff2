"""Helpers for the restore drills: run ``hearth`` as an operator would, read tables raw."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.db import connection

PASSPHRASE = "correct horse battery staple"


def model_tables() -> list[tuple[str, str]]:
    """Every table a model (or a many-to-many link) keeps, with its primary key column."""
    tables = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.managed and not meta.proxy and meta.pk is not None:
            tables.append((meta.db_table, meta.pk.column or "id"))
    return sorted(set(tables))


def database_url(name: str) -> str:
    """A DATABASE_URL for database ``name`` on the test's PostgreSQL server."""
    settings_dict = connection.settings_dict
    host = quote(str(settings_dict["HOST"]), safe="")
    return f"postgres://{settings_dict['USER']}@{host}:{settings_dict['PORT']}/{name}"


@contextmanager
def reader(target: Path | str) -> Iterator[Callable[[str, str], list[tuple[Any, ...]]]]:
    """Read a table's rows in primary-key order from a SQLite file or a PostgreSQL URL."""
    if isinstance(target, Path):
        sqlite = sqlite3.connect(target)

        def rows_sqlite(table: str, pk: str) -> list[tuple[Any, ...]]:
            return sqlite.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"').fetchall()  # noqa: S608

        try:
            yield rows_sqlite
        finally:
            sqlite.close()
        return
    import psycopg  # noqa: PLC0415 - only with PostgreSQL

    postgres = psycopg.connect(target, autocommit=True)

    def rows_postgres(table: str, pk: str) -> list[tuple[Any, ...]]:
        with postgres.cursor() as cursor:
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"')  # noqa: S608
            return list(cursor.fetchall())

    try:
        yield rows_postgres
    finally:
        postgres.close()


def source_target() -> Path | str:
    """The test database, as ``reader`` takes it."""
    if connection.vendor == "sqlite":
        return Path(str(connection.settings_dict["NAME"]))
    return database_url(str(connection.settings_dict["NAME"]))


def run_hearth(
    *arguments: str, data_dir: Path, database: str | None, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``hearth`` in a fresh process against ``data_dir`` (and ``database`` if PostgreSQL)."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HEARTH_", "DATABASE_URL", "DJANGO_", "SECRET_KEY"))
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "hearth.settings.base",
        "HEARTH_DATA_DIR": str(data_dir),
        "HEARTH_BACKUP_PASSPHRASE": PASSPHRASE,
        **({"DATABASE_URL": database} if database else {}),
        **(extra or {}),
    }
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hearth", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def rewrite_archive(
    source: Path,
    destination: Path,
    *,
    drop: str | None = None,
    manifest_change: Callable[[dict[str, Any]], None] | None = None,
) -> None:
    """Copy an archive, leaving out one member or changing its manifest."""
    with tarfile.open(source, "r:gz") as tar_in, tarfile.open(destination, "w:gz") as tar_out:
        for info in tar_in:
            if info.name == drop:
                continue
            data = tar_in.extractfile(info).read()  # type: ignore[union-attr] # regular files
            if info.name == "manifest.json" and manifest_change:
                manifest = json.loads(data)
                manifest_change(manifest)
                data = json.dumps(manifest).encode()
            info.size = len(data)
            tar_out.addfile(info, io.BytesIO(data))


def one_value(target: Path | str, sql: str, parameter: object) -> Any:
    """The first column of the first row ``sql`` (one ``%s`` parameter) finds."""
    if isinstance(target, Path):
        with sqlite3.connect(target) as sqlite:
            row = sqlite.execute(sql.replace("%s", "?"), [parameter]).fetchone()
        sqlite.close()
        return row[0]
    import psycopg  # noqa: PLC0415 - only with PostgreSQL

    with psycopg.connect(target) as postgres, postgres.cursor() as cursor:
        cursor.execute(sql, [parameter])
        found = cursor.fetchone()
        assert found is not None
        return found[0]


def key_file_cipher(path: Path) -> Any:
    """A cipher holding every key of a toolkit key file."""
    from cryptography.fernet import Fernet, MultiFernet  # noqa: PLC0415

    lines = [line.strip() for line in path.read_text().splitlines()]
    return MultiFernet([Fernet(line) for line in lines if line and not line.startswith("#")])
