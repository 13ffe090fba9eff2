"""Writes of the API app: making and revoking personal access tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hearth.accounts.models import User
from hearth.api.models import TOKEN_NAME_MAX_LENGTH, AccessToken, Scope
from hearth.core.database_trouble import best_effort
from hearth.core.visible_text import has_visible_letters

TOKEN_PREFIX = "hearth_"  # noqa: S105 - a public marker, not a secret
# What the settings page offers; every token expires (a forgotten token is a standing risk).
LIFETIMES_DAYS = (30, 90, 365)
DEFAULT_LIFETIME_DAYS = 90
# A member's unexpired, unrevoked tokens: enough for every device and script, and bounded.
MOST_ACTIVE_TOKENS = 20
# ``last_used_at`` is written at most this often per token, never on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``secret`` is the only copy, to be shown to the member once."""

    token: AccessToken
    secret: str


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_access_token(
    *, member: User, name: str, scope: Scope, lifetime_days: int, now: datetime | None = None
) -> NewToken:
    """Make a token for the member; the secret is returned once and only its digest is kept.

    Raises ValidationError (code ``name``, ``lifetime`` or ``too_many``) for a name
    without letters or too long, a lifetime the settings page does not offer, or a
    member who already has ``MOST_ACTIVE_TOKENS`` working tokens.
    """
    now = now or timezone.now()
    name = " ".join(name.split())
    if not name or not has_visible_letters(name):
        raise ValidationError(
            _("Please give the token a name, such as the app that uses it."), code="name"
        )
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise ValidationError(
            _("Please keep the name under %(limit)s characters.")
            % {"limit": TOKEN_NAME_MAX_LENGTH},
            code="name",
        )
    if lifetime_days not in LIFETIMES_DAYS:
        raise ValidationError(_("Choose how long the token lasts."), code="lifetime")
    # The member's row, locked: two requests at once are counted one after the other.
    list(User.objects.select_for_update().filter(pk=member.pk).values_list("pk"))
    if active_tokens_of(member, now).count() >= MOST_ACTIVE_TOKENS:
        raise ValidationError(
            ngettext(
                "You have %(count)s working token, the most we allow. Revoke it if you no "
                "longer use it.",
                "You have %(count)s working tokens, the most we allow. Revoke one you no longer "
                "use.",
                MOST_ACTIVE_TOKENS,
            )
            % {"count": MOST_ACTIVE_TOKENS},
            code="too_many",
        )
    random_part = secrets.token_urlsafe(32)
    secret = f"{TOKEN_PREFIX}{random_part}"
    token = AccessToken.objects.create(
        member=member,
        name=name,
        prefix=f"{TOKEN_PREFIX}{random_part[:6]}",
        digest=digest_of(secret),
        scope=scope,
        created_at=now,
        expires_at=now + timedelta(days=lifetime_days),
    )
    return NewToken(token=token, secret=secret)


def active_tokens_of(member: User, now: datetime) -> QuerySet[AccessToken]:
    """The member's tokens that still work."""
    return AccessToken.objects.filter(member=member, revoked_at__isnull=True, expires_at__gt=now)


def revoke_access_token(*, member: User, token_id: int) -> AccessToken | None:
    """Turn one of the member's tokens off for good (revoking it again changes nothing);
    None for another member's token or a missing one."""
    token = AccessToken.objects.filter(pk=token_id, member=member).first()
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=token.revoked_at
        )
    return token


def note_token_used(token: AccessToken, now: datetime) -> None:
    """Record that the token was used, at most once per ``LAST_USED_RESOLUTION``: a read
    through the API costs no write. Best effort: a locked database skips it."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return

    def write() -> None:
        AccessToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)

    best_effort("a token's last use", write)
    token.last_used_at = now
