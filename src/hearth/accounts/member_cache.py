"""The signed-in member from the shared cache, not the database, on every request.

Every signed-in request needs the member's row (permissions, suspension, the bell's
count, the muted words). Loading it costs a database round trip per request -- the
largest part of a signed-in request's base cost. With ``HEARTH_MEMBER_CACHE`` on (the
default when Redis is configured), the row is kept in the default cache under the
member's version token (``hearth.core.versioned_cache``): reading it and its token is
one round trip to the cache, and every write to a member's row -- ``User.save``,
``User.objects....update()``, a deletion -- renews the token of each member it touched
(``forget_members``), so the next request on every process reads the row again.

So a member's change (a suspension, a new bell count, a new password) is seen by the
next request on every process. The cached copy includes the password hash (the
session's integrity check needs it): the cache must be as private as the database,
which Redis on a private network or socket is (docs/deploying.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model

from hearth.core import versioned_cache

if TYPE_CHECKING:
    from hearth.accounts.models import User

# Long enough to matter; short enough to bound what a cache that missed a renewal (it
# was unreachable for a moment) could still serve.
ROW_SECONDS = 5 * 60


def _row_key(member_id: Any) -> str:
    return f"member-row:{member_id}"


def _version_key(member_id: Any) -> str:
    return f"member-version:{member_id}"


def is_enabled() -> bool:
    return bool(settings.HEARTH_MEMBER_CACHE)


def load_member(member_id: Any) -> User | None:
    """The member with this id (an active account or not, as the database has it), from
    the cache when its copy is current, else from the database (and then cached)."""
    members = get_user_model()._default_manager
    if not is_enabled():
        found: User | None = members.filter(pk=member_id).first()
        return found
    row_key = _row_key(member_id)
    cached, tokens = versioned_cache.lookup(row_key, [_version_key(member_id)])
    if cached is not None:
        member: User = cached
        return member
    loaded: User | None = members.filter(pk=member_id).first()
    if loaded is not None:
        versioned_cache.store(row_key, tokens, loaded, seconds=ROW_SECONDS)
    return loaded


def forget_members(member_ids: Iterable[Any]) -> None:
    """These members' rows changed (or are about to, in this transaction): no cached copy
    of them is trusted again."""
    if is_enabled():
        versioned_cache.renew(
            _version_key(member_id) for member_id in member_ids if member_id is not None
        )
