"""Reads of the API app: a bearer token's owner, and a member's tokens for their settings."""

from __future__ import annotations

from datetime import datetime

from hearth.accounts.models import User
from hearth.api.models import AccessToken
from hearth.api.services import TOKEN_PREFIX, digest_of
from hearth.core.raw_rows import ModelColumns, fetch_one
from hearth.member_data.models import AccountDeletion

# A token is "hearth_" and 43 URL-safe characters; anything much longer is not one.
LONGEST_TOKEN = 100

# The token and its member in one statement, on every API request that sends one: as SQL,
# because compiling the ORM's query (a join and an EXISTS) cost several times running it.
_TOKEN_COLUMNS = ModelColumns.every(AccessToken, alias="tk")
_MEMBER_COLUMNS = ModelColumns.every(User, alias="u")
_TOKEN_SQL = (
    f"SELECT {_TOKEN_COLUMNS.sql}, {_MEMBER_COLUMNS.sql}, EXISTS ("  # noqa: S608 - our own tables
    f'SELECT 1 FROM "{AccountDeletion._meta.db_table}" d WHERE d.member_id = tk.member_id) '
    f'FROM "{AccessToken._meta.db_table}" tk JOIN "{User._meta.db_table}" u '
    "ON u.id = tk.member_id "
    "WHERE tk.digest = %(digest)s AND tk.revoked_at IS NULL AND tk.expires_at > %(now)s"
)


def find_usable_token(secret: str, now: datetime) -> AccessToken | None:
    """The token this secret is, with its member, if it works now: not revoked, not
    expired, its member active and not leaving (an account deletion asked for signs the
    member out everywhere; their tokens stop with their sessions). One query."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > LONGEST_TOKEN:
        return None
    row, using = fetch_one(AccessToken, _TOKEN_SQL, {"digest": digest_of(secret), "now": now})
    if row is None:
        return None
    token: AccessToken = _TOKEN_COLUMNS.instance(row, using=using)
    member: User = _MEMBER_COLUMNS.instance(row, start=len(_TOKEN_COLUMNS), using=using)
    is_leaving = bool(row[len(_TOKEN_COLUMNS) + len(_MEMBER_COLUMNS)])
    if not member.is_active or is_leaving:
        return None
    token.member = member
    return token


def list_tokens_of(member: User, now: datetime) -> list[AccessToken]:
    """The member's tokens, newest first: working ones, and revoked ones until they would
    have expired (so the member sees what they turned off)."""
    return list(
        AccessToken.objects.filter(member=member, expires_at__gt=now).order_by("-created_at", "-pk")
    )
