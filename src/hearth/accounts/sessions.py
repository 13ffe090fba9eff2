"""A member's sign-ins, for ending them all (leaving, account deletion) and listing
them (their data export).

Sessions are stored by Django without a member column, so finding a member's means
reading every unexpired session: a task's work, never a request's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

# The session stores whose sessions are rows Hearth can read; with another (a cache),
# a member's sessions cannot be listed -- they end when the account does.
DATABASE_SESSION_ENGINES = frozenset(
    {"django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"}
)


def sessions_of(member_id: int) -> Iterator[Session]:
    """The member's unexpired sessions."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return
    unexpired = Session.objects.filter(expire_date__gt=timezone.now()).order_by("expire_date")
    for session in unexpired.iterator(chunk_size=500):
        if session.get_decoded().get(SESSION_KEY) == str(member_id):
            yield session


def session_expiry_dates_of(member_id: int) -> list[datetime]:
    return sorted(session.expire_date for session in sessions_of(member_id))


def end_sessions_of(member_id: int) -> int:
    """Sign the member out everywhere; return how many sessions ended.

    Each through the session store, which also forgets a cached copy (``cached_db``):
    deleting the rows alone would leave the member signed in until the copy expired.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = [session.session_key for session in sessions_of(member_id)]
    for key in keys:
        store(session_key=key).delete()
    return len(keys)


def forget_expired_sessions() -> int:
    """Housekeeping: delete the rows of sessions that have ended (Django keeps them until
    asked), so a sign-in leaves nothing behind once it expires; return how many."""
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return 0  # a cache's sessions expire by themselves
    deleted, _by_model = Session.objects.filter(expire_date__lte=timezone.now()).delete()
    return deleted
