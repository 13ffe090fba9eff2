"""Reporting a message of a conversation, and the one audited door through which a
moderator reads what was reported.

A report shares with the moderators the reported message and, only if the
reporter agrees, the few messages before it (``ReportedMessage`` rows). Those
rows are all a moderator can ever read of a conversation, and every reading
writes an audit entry. Nothing is sent to the reported member (CARE.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.conversations.models import Message, ReportedMessage
from hearth.conversations.selectors import OpenConversation
from hearth.forum.viewer import viewer_for
from hearth.moderation.permissions import why_cannot_handle_item
from hearth.moderation.services import record_reading_reported_messages
from hearth.safety.models import QueueItem, QueueKind, ReportReason
from hearth.safety.services import file_report

# How many earlier messages a reporter may share to show what led up to it.
MOST_CONTEXT_MESSAGES = 3


def why_cannot_report(reporter: User, message: Message) -> str | None:
    """Why ``reporter`` may not report ``message`` of a conversation they are in (None:
    they may). Runs no queries."""
    if message.author_id is not None and message.author_id == reporter.pk:
        return _(
            "This is your own message, so there is nothing to report. You can delete it "
            "if you'd rather it were gone."
        )
    if message.is_deleted:
        return _("This message was deleted, so there is nothing left of it to report.")
    return None


def earlier_messages(message: Message) -> list[Message]:
    """The messages a reporter may share as context: up to ``MOST_CONTEXT_MESSAGES``
    not deleted, just before ``message`` in its conversation, oldest first."""
    found = Message.objects.filter(
        conversation_id=message.conversation_id,
        position__lt=message.position,
        is_deleted=False,
    ).order_by("-position")[:MOST_CONTEXT_MESSAGES]
    return list(reversed(found))


def count_earlier_messages(message: Message) -> int:
    return (
        Message.objects.filter(
            conversation_id=message.conversation_id,
            position__lt=message.position,
            is_deleted=False,
        )
        .order_by("-position")[:MOST_CONTEXT_MESSAGES]
        .count()
    )


@transaction.atomic
def report_message(
    *,
    reporter: User,
    opened: OpenConversation,
    message: Message,
    reason: ReportReason,
    details: str,
    include_earlier: bool,
) -> QueueItem:
    """Queue a report of a message in the reporter's conversation, sharing with the
    moderators that message and, with ``include_earlier`` (the reporter's consent), the
    few before it. The reported member is told nothing.

    Raises PermissionDenied for one's own or a deleted message.
    """
    if opened.me.member_id != reporter.pk or message.conversation_id != opened.pk:
        raise PermissionDenied  # the selectors never hand out such a pair
    if refusal := why_cannot_report(reporter, message):
        raise PermissionDenied(refusal)
    item = file_report(
        reporter=reporter,
        reason=reason,
        details=details,
        reported_member=message.author,
        message_id=message.pk,
    )
    shared = [
        ReportedMessage(
            queue_item_id=item.pk,
            message=message,
            is_context=False,
            body_when_reported=message.body,
        )
    ]
    if include_earlier:
        shared += [
            ReportedMessage(
                queue_item_id=item.pk,
                message=earlier,
                is_context=True,
                body_when_reported=earlier.body,
            )
            for earlier in earlier_messages(message)
        ]
    ReportedMessage.objects.bulk_create(shared)
    return item


# --- The moderators' door -----------------------------------------------------------------


@dataclass(frozen=True)
class SharedMessage:
    """One message as a moderator reads it: its author's name, when, and its text."""

    message_id: int
    author_name: str
    created_at: datetime
    is_context: bool
    is_deleted: bool
    body_html: str
    # Edited after the report: the words as they were when it was reported.
    body_when_reported: str | None


@dataclass(frozen=True)
class ReportedMessages:
    item: QueueItem
    messages: list[SharedMessage]


def get_reported_item_or_404(moderator: User, item_id: int) -> QueueItem:
    """A report about a conversation message that ``moderator`` may handle; 404 for
    everyone and everything else."""
    viewer = viewer_for(moderator)
    if not viewer.is_moderator:
        raise Http404
    item = (
        QueueItem.objects.filter(pk=item_id, kind=QueueKind.REPORT, message_id__isnull=False)
        .select_related("reporter", "reported_member")
        .first()
    )
    if item is None or why_cannot_handle_item(viewer, item) is not None:
        raise Http404
    return item


def read_reported_messages(*, moderator: User, item_id: int) -> ReportedMessages:
    """Decrypt exactly the messages shared with report ``item_id`` for ``moderator``, and
    write one audit entry for this reading (in the same transaction: no reading goes
    unrecorded). Raises Http404 for a non-moderator, another kind of item, or one they
    don't handle."""
    item = get_reported_item_or_404(moderator, item_id)
    with transaction.atomic():
        rows = list(
            ReportedMessage.objects.filter(queue_item_id=item.pk)
            .select_related("message")
            .order_by("message__position")
        )
        if not rows:
            raise Http404
        record_reading_reported_messages(
            moderator=moderator, item=item, message_ids=[row.message_id for row in rows]
        )
    return ReportedMessages(
        item=item,
        messages=[
            SharedMessage(
                message_id=row.message_id,
                author_name=row.message.author_name,
                created_at=row.message.created_at,
                is_context=row.is_context,
                is_deleted=row.message.is_deleted,
                body_html=row.message.body_html,
                body_when_reported=_changed_since(row),
            )
            for row in rows
        ],
    )


def _changed_since(row: ReportedMessage) -> str | None:
    """The words as reported, when the message was edited or deleted since (else None)."""
    message = row.message
    if not row.body_when_reported:
        return None
    if message.is_deleted or message.body != row.body_when_reported:
        return row.body_when_reported
    return None
