from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from hearth.operations.tests.drill import PASSPHRASE, database_url


@dataclass(frozen=True)
class FreshSite:
    """An empty data directory (and, on PostgreSQL, an empty database) to restore into."""

    data_dir: Path
    database: str | None

    @property
    def target(self) -> Path | str:
        return self.database or self.data_dir / "hearth.sqlite3"


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase"
    path.write_text(PASSPHRASE + "\n")
    return path


@pytest.fixture
def fresh_site(tmp_path: Path, transactional_db: None) -> Iterator[FreshSite]:
    data_dir = tmp_path / "fresh"
    data_dir.mkdir()
    if connection.vendor == "sqlite":
        yield FreshSite(data_dir, None)
        return
    name = f"restored_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield FreshSite(data_dir, database_url(name))
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
