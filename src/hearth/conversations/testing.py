"""Helpers for conversation tests: members who may be written to."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hearth.accounts.models import User
from hearth.conversations.models import AllowFrom, MessagingSettings


def open_to_everyone(*members: User) -> None:
    """Let anyone start a conversation with these members (the default is narrower)."""
    for member in members:
        MessagingSettings.objects.update_or_create(
            member=member, defaults={"allow_from": AllowFrom.EVERYONE}
        )


def make_established(*members: User) -> None:
    """Members past their first days (test members are all brand new)."""
    User.objects.filter(pk__in=[member.pk for member in members]).update(
        date_joined=timezone.now() - timedelta(days=60)
    )
    for member in members:
        member.refresh_from_db(fields=["date_joined"])
