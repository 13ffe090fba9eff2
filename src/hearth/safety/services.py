"""Writes for care features. Called by the forum and moderation apps with plain values."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from hearth.accounts.models import User
from hearth.core.events import publish
from hearth.safety import crisis_matching
from hearth.safety.events import CheckInRequested, ReportFiled
from hearth.safety.models import (
    ContentNoteLabel,
    ContentNotePreference,
    CrisisRule,
    NoteChoice,
    QueueItem,
    QueueKind,
    QueueStatus,
    ReportReason,
    Resolution,
)
from hearth.safety.selectors import active_crisis_rules

PRIORITY_METHOD = 30
PRIORITY_ASKED = 20
PRIORITY_CHECK_IN = 10
PRIORITY_WORRIED = 10
PRIORITY_REPORT = 5
PRIORITY_MESSAGE = 5
PRIORITY_HELD = 0


def find_crisis_signals(text: str, *, language: str) -> list[crisis_matching.CrisisMatch]:
    """Check text a member is publishing against the active rules of their language.

    Only ever called on what a member publishes (posts, replies, their
    preview); never on drafts or the private toolkit.
    """
    return crisis_matching.find_crisis_signals(
        text, active_crisis_rules(language), language=language
    )


@transaction.atomic
def open_check_in(
    *,
    post_id: int,
    thread_id: int,
    category_id: int,
    matches: list[crisis_matching.CrisisMatch],
) -> QueueItem:
    """Put a private check-in for moderators in the queue; count each rule that fired.

    Nothing is recorded on the member: the item is about the post, and it
    closes once a moderator has handled it.
    """
    rule_ids = sorted({match.rule_id for match in matches})
    CrisisRule.objects.filter(pk__in=rule_ids).update(fired_count=F("fired_count") + 1)
    is_method = any(match.is_method for match in matches)
    return QueueItem.objects.create(
        kind=QueueKind.CHECK_IN,
        priority=PRIORITY_METHOD if is_method else PRIORITY_CHECK_IN,
        post_id=post_id,
        thread_id=thread_id,
        category_id=category_id,
        rule_ids=rule_ids,
        matched_text="; ".join(match.matched_text for match in matches)[:200],
    )


def ask_for_message_check_in(
    *, writer: User, message_id: int, matches: list[crisis_matching.CrisisMatch]
) -> QueueItem:
    """The writer of a private message asked for a moderator to check in: open the item.

    Unlike a post, a message opens no item by itself (CARE.md: never a queue item
    without the writer's request). The item names the writer, so a moderator knows
    whom to write to, and which rules matched, but never the writer's words. One item
    per message: asking again returns it.
    """
    if existing := _message_check_in(message_id):
        return existing
    rule_ids = sorted({match.rule_id for match in matches})
    is_method = any(match.is_method for match in matches)
    try:
        with transaction.atomic():
            item = QueueItem.objects.create(
                kind=QueueKind.CHECK_IN,
                priority=(PRIORITY_METHOD if is_method else PRIORITY_CHECK_IN) + PRIORITY_ASKED,
                message_id=message_id,
                reported_member=writer,
                rule_ids=rule_ids,
                asked_for_check_in=True,
            )
            CrisisRule.objects.filter(pk__in=rule_ids).update(fired_count=F("fired_count") + 1)
            publish(CheckInRequested(item_id=item.pk, post_id=None, category_id=None))
    except IntegrityError:
        # The same request twice at once: the other one opened it.
        if existing := _message_check_in(message_id):
            return existing
        raise
    return item


def _message_check_in(message_id: int) -> QueueItem | None:
    return QueueItem.objects.filter(kind=QueueKind.CHECK_IN, message_id=message_id).first()


def has_message_check_in(*, message_id: int) -> bool:
    return QueueItem.objects.filter(kind=QueueKind.CHECK_IN, message_id=message_id).exists()


def ask_for_check_in(*, item: QueueItem) -> None:
    """The writer asked for a moderator to check in: raise the item's priority."""
    asked = QueueItem.objects.filter(
        pk=item.pk, status=QueueStatus.OPEN, asked_for_check_in=False
    ).update(asked_for_check_in=True, priority=F("priority") + PRIORITY_ASKED)
    if asked:
        publish(
            CheckInRequested(item_id=item.pk, post_id=item.post_id, category_id=item.category_id)
        )


def file_report(
    *,
    reporter: User,
    reason: ReportReason,
    details: str,
    post_id: int | None = None,
    thread_id: int | None = None,
    category_id: int | None = None,
    message_id: int | None = None,
    reported_member: User | None = None,
) -> QueueItem:
    """Queue a member's report. Nothing is ever sent to the reported member."""
    item = QueueItem.objects.create(
        kind=QueueKind.REPORT,
        priority=PRIORITY_WORRIED if reason == ReportReason.WORRIED else PRIORITY_REPORT,
        reporter=reporter,
        reported_member=reported_member,
        reason=reason,
        details=details.strip()[:2000],
        post_id=post_id,
        thread_id=thread_id,
        category_id=category_id,
        message_id=message_id,
    )
    publish(ReportFiled(item_id=item.pk, category_id=category_id, reporter_id=reporter.pk))
    return item


def open_held_post_item(*, post_id: int, thread_id: int, category_id: int) -> QueueItem:
    return QueueItem.objects.create(
        kind=QueueKind.HELD_POST,
        priority=PRIORITY_HELD,
        post_id=post_id,
        thread_id=thread_id,
        category_id=category_id,
    )


def send_message_to_moderators(*, member: User, text: str) -> QueueItem:
    return QueueItem.objects.create(
        kind=QueueKind.MEMBER_MESSAGE,
        priority=PRIORITY_MESSAGE,
        reporter=member,
        details=text.strip()[:4000],
    )


@transaction.atomic
def close_queue_item(*, item: QueueItem, moderator: User, resolution: Resolution) -> bool:
    """Close an open item; a check-in closed as not needed counts against its rules.

    Returns False if the item was already closed (by someone else, say).
    """
    closed = QueueItem.objects.filter(pk=item.pk, status=QueueStatus.OPEN).update(
        status=QueueStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by=moderator,
        resolution=resolution,
    )
    if closed and item.kind == QueueKind.CHECK_IN and resolution == Resolution.NOT_NEEDED:
        CrisisRule.objects.filter(pk__in=item.rule_ids).update(
            dismissed_count=F("dismissed_count") + 1
        )
    return bool(closed)


def close_items_for_post(
    *, post_id: int, kind: QueueKind, moderator: User, resolution: Resolution
) -> None:
    for item in QueueItem.objects.filter(post_id=post_id, kind=kind, status=QueueStatus.OPEN):
        close_queue_item(item=item, moderator=moderator, resolution=resolution)


def set_note_preference(*, member: User, label: ContentNoteLabel, choice: NoteChoice) -> None:
    if choice == NoteChoice.COLLAPSE:
        ContentNotePreference.objects.filter(member=member, label=label).delete()
        return
    ContentNotePreference.objects.update_or_create(
        member=member, label=label, defaults={"choice": choice}
    )


def has_open_check_in(*, post_id: int) -> bool:
    return QueueItem.objects.filter(
        post_id=post_id, kind=QueueKind.CHECK_IN, status=QueueStatus.OPEN
    ).exists()
