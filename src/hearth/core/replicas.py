"""Read replicas (``DATABASE_REPLICA_URLS``): visitors' reads go to a replica, everything
else to the primary.

A replica lags its primary by a little, so which reads may go there is decided by
who could notice:

* a **member** must read their own writes (the reply they just posted, the read
  marker, a mute), so a request with a session cookie or an ``Authorization`` header
  reads the primary, as does every request that is not a GET or HEAD;
* a **visitor's** GET reads a replica: Atom feeds, public profiles, the pages the
  shared page cache does not hold;
* a page the shared page cache is about to **store** is made from the primary
  (``hearth.core.page_cache`` asks ``primary_only``): a page stored under a version
  token renewed by a hide must not be made from a replica that has not seen the hide
  yet, or it would serve that post for a minute;
* inside a transaction every read goes to the primary (a read beside a
  ``select_for_update``, a check before a write);
* writes, migrations and tasks always use the primary.

What a visitor may still see is a post hidden less than the replica's lag ago
(usually under a second) on a page the cache does not hold; docs/scaling.md says
how to watch the lag.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

REPLICA_PREFIX = "replica"
_replica_reads = ContextVar("hearth_replica_reads", default=False)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_PREFIX)]


@contextmanager
def primary_only() -> Iterator[None]:
    """Every read in the block from the primary, whatever the request."""
    token = _replica_reads.set(False)
    try:
        yield
    finally:
        _replica_reads.reset(token)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in the block may go to a replica (outside transactions)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads to a replica only when the request allows it and no transaction is open."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if not _replica_reads.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        aliases = replica_aliases()
        return random.choice(aliases) if aliases else DEFAULT_DB_ALIAS  # noqa: S311 - spreading load

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        return True  # the same rows, wherever they were read

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # a replica follows the primary's schema


def is_visitor_read(request: HttpRequest) -> bool:
    return (
        request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


class VisitorReadsFromReplicaMiddleware:
    """A visitor's GET reads a replica (see the module's rules); installed only when
    ``DATABASE_REPLICA_URLS`` names one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_visitor_read(request):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)
