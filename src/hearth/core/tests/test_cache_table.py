"""The database cache's table is unlogged on PostgreSQL (see hearth.core.cache_table)."""

from __future__ import annotations

import pytest
from django.db import connection

from hearth.core.cache_table import make_unlogged

PROBE = "hearth_cache_probe"


def _persistence(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
    assert row is not None
    return str(row[0])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
def test_the_cache_table_becomes_unlogged_and_stays_so() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PROBE} (cache_key varchar(255) PRIMARY KEY)")
    assert _persistence(PROBE) == "p"

    assert make_unlogged(connection, PROBE)
    assert _persistence(PROBE) == "u"
    assert make_unlogged(connection, PROBE)  # again: nothing to do, no error
    assert _persistence(PROBE) == "u"


@pytest.mark.django_db
def test_a_missing_table_or_another_database_is_left_alone() -> None:
    assert not make_unlogged(connection, "hearth_no_such_table")
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE {PROBE} (cache_key varchar(255) PRIMARY KEY)")
        assert not make_unlogged(connection, PROBE)
