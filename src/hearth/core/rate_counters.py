"""Counters for rate limits, added to atomically by every process that shares them.

A rate limit is only a limit if two processes counting the same member's
actions at the same instant both see the other's count. Django's cache API
cannot promise that (``incr`` on the file and database caches reads, adds and
writes back, so two processes can both write "5"), so the counters have a
store of their own, one per deployment:

- **Redis** (``REDIS_URL``): ``SET NX EX`` then ``INCR`` in one ``MULTI``; the
  key expires with its window.
- **PostgreSQL**: one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on an
  unlogged table (``core.RateLimitCounter``). Unlogged for the reason the cache
  table is (core/cache_table.py): a counter's commit need not wait for the disk.
- **SQLite**: the same upsert in a small database file of its own beside the
  main one (``ratelimits.sqlite3``, ``synchronous=OFF``), so counting never
  queues behind, or fsyncs in, the one writer of the main database.

Expired counters are deleted by housekeeping (Redis expires its own), so a
member id never stays in a counter past its window.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db import connection

if TYPE_CHECKING:
    import redis

REDIS_PREFIX = "hearth:ratelimit:"


class CounterStore(Protocol):
    def add_one(self, key: str, window_seconds: int, window_end: int) -> int:
        """Add one to ``key`` (created at 0, expiring at ``window_end``); the new count."""
        ...

    def forget_expired(self, now: int) -> int:
        """Delete counters whose window ended before ``now``; how many."""
        ...

    def forget_all(self) -> None:
        """Delete every counter (tests start from nothing)."""
        ...


class RedisCounters:
    def __init__(self, url: str) -> None:
        # Imported here: a deployment without Redis never loads the client (about
        # 10 MiB per worker, measured by make bench's worker RSS).
        import redis  # noqa: PLC0415

        self.client: redis.Redis = redis.Redis.from_url(url)

    def add_one(self, key: str, window_seconds: int, window_end: int) -> int:
        name = REDIS_PREFIX + key
        pipe = self.client.pipeline(transaction=True)
        # One second over the window, so a counter never vanishes while it still counts.
        pipe.set(name, 0, ex=window_seconds + 1, nx=True)
        pipe.incr(name)
        return int(pipe.execute()[1])

    def forget_expired(self, now: int) -> int:
        return 0  # Redis deletes expired keys itself.

    def forget_all(self) -> None:
        names = list(self.client.scan_iter(match=REDIS_PREFIX + "*", count=1000))
        if names:
            self.client.delete(*names)


class DatabaseCounters:
    """The counters in the main database (PostgreSQL), one autocommitted upsert each."""

    table = "core_ratelimitcounter"  # a constant: the only name put into the SQL below

    def add_one(self, key: str, window_seconds: int, window_end: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {self.table} (key, count, window_end) VALUES (%s, 1, %s) "  # noqa: S608
                f"ON CONFLICT (key) DO UPDATE SET count = {self.table}.count + 1 "
                "RETURNING count",
                [key, window_end],
            )
            row = cursor.fetchone()
        return int(row[0])

    def forget_expired(self, now: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {self.table} WHERE window_end < %s", [now])  # noqa: S608
            return int(cursor.rowcount)

    def forget_all(self) -> None:
        # The test database's rollback (or flush) empties the table with everything else.
        return None


class FileCounters:
    """The counters in their own SQLite file: one connection per thread and process."""

    SCHEMA = (
        "CREATE TABLE IF NOT EXISTS counter ("
        " key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_end INTEGER NOT NULL"
        ") WITHOUT ROWID"
    )

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _connection(self) -> sqlite3.Connection:
        # A connection made before a fork is not the child's to use.
        if getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute(self.SCHEMA)
            self._local.connection, self._local.pid = conn, os.getpid()
            self.path.chmod(0o600)  # member ids, beside the members' database
        connection_here: sqlite3.Connection = self._local.connection
        return connection_here

    def add_one(self, key: str, window_seconds: int, window_end: int) -> int:
        row = (
            self._connection()
            .execute(
                "INSERT INTO counter (key, count, window_end) VALUES (?, 1, ?) "
                "ON CONFLICT (key) DO UPDATE SET count = count + 1 RETURNING count",
                (key, window_end),
            )
            .fetchone()
        )
        return int(row[0])

    def forget_expired(self, now: int) -> int:
        return (
            self._connection().execute("DELETE FROM counter WHERE window_end < ?", (now,)).rowcount
        )

    def forget_all(self) -> None:
        self._connection().execute("DELETE FROM counter")


@cache
def counter_store() -> CounterStore:
    """This deployment's store: Redis when configured, else beside the database."""
    if settings.REDIS_URL:
        return RedisCounters(settings.REDIS_URL)
    if connection.vendor == "sqlite":
        return FileCounters(Path(settings.DATA_DIR) / "ratelimits.sqlite3")
    return DatabaseCounters()


def forget_expired_counters() -> int:
    """Housekeeping: delete the counters of windows that have ended."""
    return counter_store().forget_expired(int(time.time()))
