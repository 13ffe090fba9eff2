"""What a member does with their notifications: read them, choose what they hear."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from hearth.accounts.models import User
from hearth.conversations.events import ConversationRead
from hearth.forum.events import ThreadRead
from hearth.notifications.delivery import recount_unread
from hearth.notifications.models import Kind, Notification, NotificationSettings


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


def end_finished_breaks(now: datetime | None = None) -> int:
    """Members whose break is over see their count again (``hearth tick``)."""
    now = now or timezone.now()
    finished = NotificationSettings.objects.filter(Q(paused_until__lte=now))
    member_ids = list(finished.values_list("member_id", flat=True))
    if member_ids:
        finished.update(paused_until=None)
        recount_unread(member_ids)
    return len(member_ids)


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
