"""The large data set's cache survives a new migration, not a changed one."""

import json
from pathlib import Path

from bench.large_dataset import TINY, LargeCache, migration_hashes


def _stored_entry(directory: Path, schema: dict[str, str]) -> LargeCache:
    cache = LargeCache.for_run(TINY, database="sqlite", directory=directory)
    for path in (cache.snapshot_path, cache.facts_path, cache.key_file_path):
        assert path is not None
        path.write_text("{}")
    assert cache.schema_path is not None
    cache.schema_path.write_text(json.dumps(schema))
    return cache


def test_an_entry_built_with_todays_migrations_is_used(tmp_path: Path) -> None:
    assert _stored_entry(tmp_path, migration_hashes()).is_stored()


def test_a_migration_added_since_the_build_costs_no_rebuild(tmp_path: Path) -> None:
    built_with = migration_hashes()
    newest = max(built_with)
    del built_with[newest]  # the build knew one migration less: init applies it

    assert _stored_entry(tmp_path, built_with).is_stored()


def test_a_migration_changed_since_the_build_means_a_rebuild(tmp_path: Path) -> None:
    built_with = migration_hashes()
    built_with[min(built_with)] = "0" * 64

    assert not _stored_entry(tmp_path, built_with).is_stored()


def test_a_migration_removed_since_the_build_means_a_rebuild(tmp_path: Path) -> None:
    built_with = migration_hashes() | {"src/hearth/forum/migrations/9999_gone.py": "0" * 64}

    assert not _stored_entry(tmp_path, built_with).is_stored()


def test_an_entry_without_its_schema_record_is_not_used(tmp_path: Path) -> None:
    cache = _stored_entry(tmp_path, migration_hashes())
    assert cache.schema_path is not None
    cache.schema_path.unlink()

    assert not cache.is_stored()
