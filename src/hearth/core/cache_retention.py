"""Expired cache entries are deleted, not just ignored.

Django's file and database caches skip an expired entry when it is read but
keep it on disk until a later write happens to cull it. Some entries name
people (allauth's sign-in limits are keyed by IP address and email), so
housekeeping deletes every expired one each minute: nothing stays past its
timeout. Redis and the in-memory caches expire entries themselves.
"""

from __future__ import annotations

from pathlib import Path

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.filebased import FileBasedCache
from django.db import connections, router
from django.utils import timezone


def forget_expired_cache_entries() -> int:
    """Delete the expired entries of every file or database cache; how many."""
    forgotten = 0
    for alias in caches:
        cache = caches[alias]
        if isinstance(cache, DatabaseCache):
            forgotten += _forget_in_table(cache)
        elif isinstance(cache, FileBasedCache):
            forgotten += _forget_in_files(cache)
    return forgotten


def _forget_in_table(cache: DatabaseCache) -> int:
    connection = connections[router.db_for_write(cache.cache_model_class)]
    table = connection.ops.quote_name(cache._table)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE expires < %s", [timezone.now()])  # noqa: S608 - a quoted setting
        return int(cursor.rowcount)


def _forget_in_files(cache: FileBasedCache) -> int:
    forgotten = 0
    for name in cache._list_cache_files():  # type: ignore[attr-defined]
        try:
            with Path(name).open("rb") as entry:
                # Django's own check, which deletes the file when it has expired.
                forgotten += bool(cache._is_expired(entry))  # type: ignore[attr-defined]
        except FileNotFoundError:  # another process deleted it first
            continue
    return forgotten
