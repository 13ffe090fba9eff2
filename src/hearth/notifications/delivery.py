"""Telling members: who is told about what, inside every boundary, exactly once.

A fan-out task (``hearth.notifications.tasks``) works out whom an event
concerns and hands ``tell`` a list of ``Tell``; ``tell`` is where the
boundaries are kept, whatever the event:

* only members who may see the thing *now* (the visibility policy's audience,
  asked when the task runs, not when the event fired);
* never the member who did it, nor anyone who muted or blocked them (an
  anonymous post is checked against its real author, who is never shown);
* never a kind the member turned off;
* one notification per member and ``key``: a task that runs again (a retry, a
  worker killed half-way) creates nothing twice, and enqueues no second email.

Emails are enqueued in the same transaction (the task queue is the outbox);
``hearth.notifications.emails`` sends them, checking everything again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from hearth.accounts.models import MemberMute, User
from hearth.core.events import publish
from hearth.notifications.events import UnreadCountChanged
from hearth.notifications.models import (
    Delivery,
    EmailState,
    Notification,
    NotificationSettings,
)

EMAILS_PER_TASK = 25


@dataclass(frozen=True)
class Tell:
    """One member to be told one thing."""

    recipient_id: int
    kind: str
    key: str
    target_url: str
    # Whose doing it was, for the mute and block checks only (the real author of an
    # anonymous post): never stored, never shown.
    from_member_id: int | None = None
    # Who the recipient sees did it: None for an anonymous post (``actor_name`` holds
    # the pseudonym then).
    actor_id: int | None = None
    actor_name: str = ""
    thread_id: int | None = None
    post_id: int | None = None
    detail: str = ""


def settings_of(member_ids: Iterable[int]) -> dict[int, NotificationSettings]:
    """Each member's choices (defaults for a member who has made none); one query."""
    wanted = set(member_ids)
    found = NotificationSettings.objects.in_bulk(wanted)
    return {
        member_id: found.get(member_id) or NotificationSettings(member_id=member_id)
        for member_id in wanted
    }


def is_on_break(member: User, now: datetime) -> bool:
    """Taking a break (``User.break_until``): nothing is emailed, no count is shown."""
    return member.is_on_break(now)


def who_muted(
    member_ids: Collection[int], from_member_ids: Collection[int]
) -> set[tuple[int, int]]:
    """(member, muted member) pairs among these: mutes and blocks both silence."""
    if not member_ids or not from_member_ids:
        return set()
    return set(
        MemberMute.objects.filter(
            member_id__in=member_ids, muted_id__in=from_member_ids
        ).values_list("member_id", "muted_id")
    )


@transaction.atomic
def tell(tells: Iterable[Tell], *, audience: QuerySet[User] | None = None) -> list[Notification]:
    """Create the notifications that are new and allowed; return them.

    ``audience`` is who may see what they are about (the visibility policy's
    audience form); without one, any active member may be told.
    """
    wanted = [each for each in tells if each.recipient_id != each.from_member_id]
    if not wanted:
        return []
    recipient_ids = {each.recipient_id for each in wanted}
    allowed = (audience if audience is not None else User.objects.filter(is_active=True)).filter(
        pk__in=recipient_ids
    )
    # Members taking a break are told as ever (it waits for their return), never emailed.
    breaks = dict(allowed.values_list("pk", "break_until"))
    allowed_ids = set(breaks)
    muted = who_muted(allowed_ids, {each.from_member_id for each in wanted if each.from_member_id})
    choices = settings_of(allowed_ids)
    already = set(
        Notification.objects.filter(
            recipient_id__in=allowed_ids, key__in={each.key for each in wanted}
        ).values_list("recipient_id", "key")
    )
    now = timezone.now()
    created: list[Notification] = []
    for each in wanted:
        recipient = each.recipient_id
        if recipient not in allowed_ids or (recipient, each.key) in already:
            continue
        if (recipient, each.from_member_id) in muted:
            continue
        delivery = choices[recipient].delivery_for(each.kind)
        if delivery == Delivery.OFF:
            continue
        resting_until = breaks[recipient]
        on_break = resting_until is not None and resting_until > now
        by_email = delivery == Delivery.EMAIL and not on_break
        created.append(
            Notification(
                recipient_id=recipient,
                kind=each.kind,
                key=each.key,
                thread_id=each.thread_id,
                post_id=each.post_id,
                actor_id=each.actor_id,
                actor_name=each.actor_name[:50],
                detail=each.detail[:500],
                target_url=each.target_url,
                created_at=now,
                updated_at=now,
                email_state=EmailState.PENDING if by_email else EmailState.NONE,
            )
        )
        already.add((recipient, each.key))
    Notification.objects.bulk_create(created)
    enqueue_emails(
        [
            notification.pk
            for notification in created
            if notification.email_state == EmailState.PENDING
        ]
    )
    recount_unread({notification.recipient_id for notification in created})
    return created


def enqueue_emails(notification_ids: list[int]) -> None:
    from hearth.notifications.emails import send_notification_emails  # noqa: PLC0415 - a cycle

    for start in range(0, len(notification_ids), EMAILS_PER_TASK):
        send_notification_emails.enqueue(
            notification_ids=notification_ids[start : start + EMAILS_PER_TASK]
        )


def recount_unread(member_ids: Collection[int]) -> None:
    """Set each member's bell count from their unread notifications (one statement), so
    the count never drifts from what the notifications page shows."""
    if not member_ids:
        return
    unread = (
        Notification.objects.filter(recipient_id=OuterRef("pk"), read_at__isnull=True)
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    members = User.objects.filter(pk__in=list(member_ids))
    members.update(unread_notifications=Coalesce(Subquery(unread), Value(0)))
    # A member taking a break sees no count until it ends (CARE.md); ending it counts
    # again (``hearth.notifications.services.end_break``, and housekeeping).
    members.filter(break_until__gt=timezone.now()).update(unread_notifications=0)
    publish(UnreadCountChanged(member_ids=sorted(member_ids)))


def withdraw(notifications: QuerySet[Notification]) -> int:
    """Remove notifications (their thing can no longer be seen by their recipient)."""
    recipients = set(notifications.values_list("recipient_id", flat=True))
    removed, _ = notifications.delete()
    recount_unread(recipients)
    return removed
