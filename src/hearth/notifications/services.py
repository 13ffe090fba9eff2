"""What a member does with their notifications: read them, choose what they hear."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.conversations.events import ConversationRead
from hearth.forum.events import ThreadRead
from hearth.notifications.delivery import recount_unread
from hearth.notifications.models import (
    LONGEST_BREAK_DAYS,
    Kind,
    Notification,
    NotificationSettings,
)


@transaction.atomic
def open_notification(*, member: User, notification_id: int) -> str:
    """Mark one of the member's notifications read; return where it leads. 404 for any
    notification that is not theirs, exactly as for one that does not exist."""
    target = (
        Notification.objects.filter(pk=notification_id, recipient=member)
        .values_list("target_url", flat=True)
        .first()
    )
    if target is None:
        raise Http404
    mark_read(member=member, notification_ids=[notification_id])
    return target


@transaction.atomic
def mark_read(*, member: User, notification_ids: list[int] | None = None) -> int:
    """Mark these of the member's notifications read (all of them with None)."""
    unread = Notification.objects.filter(recipient=member, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    marked = unread.update(read_at=timezone.now())
    recount_unread([member.pk])
    return marked


def settings_for(member: User) -> NotificationSettings:
    found = NotificationSettings.objects.filter(member=member).first()
    return found or NotificationSettings(member=member)


@transaction.atomic
def save_settings(*, member: User, choices: NotificationSettings) -> None:
    choices.member = member
    choices.save()
    recount_unread([member.pk])


# --- Taking a break (User.break_until; CARE.md "Mute and block") -----------------------


@transaction.atomic
def take_a_break(*, member: User, until: datetime) -> None:
    """Pause the forum, its notifications and its emails for the member until ``until``
    (``BreakForm`` says why a day is refused; here the limits are only enforced).
    Choosing another day during a break moves its end. Nobody else is told anything."""
    now = timezone.now()
    if until <= now or until > now + timedelta(days=LONGEST_BREAK_DAYS + 1):
        raise ValidationError(_("Choose a day after today and within a year."), code="when")
    User.objects.filter(pk=member.pk).update(break_until=until, welcome_back_pending=False)
    member.break_until, member.welcome_back_pending = until, False
    recount_unread([member.pk])  # no count while away


@transaction.atomic
def end_break(*, member: User) -> bool:
    """End the member's break now (one click, or its day has come); their next forum page
    is the welcome back. False if they were not on a break."""
    ended = User.objects.filter(pk=member.pk, break_until__isnull=False).update(
        break_until=None, welcome_back_pending=True
    )
    if ended:
        member.break_until, member.welcome_back_pending = None, True
        recount_unread([member.pk])
    return bool(ended)


def end_finished_breaks(now: datetime | None = None) -> int:
    """Breaks whose day has come end: the members see their count again, and the welcome
    back on their next forum page (``hearth tick``)."""
    now = now or timezone.now()
    finished = User.objects.filter(break_until__lte=now)
    member_ids = list(finished.values_list("pk", flat=True))
    if member_ids:
        with transaction.atomic():
            User.objects.filter(pk__in=member_ids, break_until__lte=now).update(
                break_until=None, welcome_back_pending=True
            )
            recount_unread(member_ids)
    return len(member_ids)


def welcome_back_shown(*, member: User) -> None:
    """The member saw the welcome back: their pages are as before. A break whose day has
    come but that housekeeping has not ended yet ends here."""
    if member.break_until is not None and not member.is_on_break(timezone.now()):
        end_break(member=member)
    User.objects.filter(pk=member.pk).update(welcome_back_pending=False)
    member.welcome_back_pending = False


def forget_what_was_read(event: ThreadRead) -> None:
    """The member read a thread down to a position: its notifications about posts up to
    there are read too (the bell counts what is still news)."""
    read = Notification.objects.filter(
        recipient_id=event.member_id,
        thread_id=event.thread_id,
        read_at__isnull=True,
        post__position__lte=event.up_to_position,
    ).exclude(kind__in=[Kind.MODERATION, Kind.NOTICE])
    if read.update(read_at=timezone.now()):
        recount_unread([event.member_id])


def forget_read_conversation(event: ConversationRead) -> None:
    """The member read a conversation: its notification is read."""
    read = Notification.objects.filter(
        recipient_id=event.member_id,
        key=f"conversation:{event.conversation_id}",
        read_at__isnull=True,
    )
    if read.update(read_at=timezone.now()):
        recount_unread([event.member_id])
