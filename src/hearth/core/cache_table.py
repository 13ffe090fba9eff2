"""The database cache's table on PostgreSQL: unlogged.

With PostgreSQL and no Redis, rate limits live in Django's database cache,
and every counted action writes to it in a transaction of its own. In a
normal table each of those commits waits for the write-ahead log to reach
the disk -- two or three waits per reply, on top of the reply's own, all
queueing behind each other. A cache may lose its contents in a crash (rate
limits start counting again), so its table is UNLOGGED: its commits don't
wait, and the reply's transaction is the only one that does.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper


def make_unlogged(connection: BaseDatabaseWrapper, table: str) -> bool:
    """Make ``table`` unlogged on PostgreSQL (safe to repeat); True if it is now so.

    Other databases have no such thing, and are left as they are.
    """
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relpersistence FROM pg_class WHERE oid = to_regclass(%s)", [table])
        found = cursor.fetchone()
        if found is None:
            return False
        if found[0] != "u":
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} SET UNLOGGED")
    return True
