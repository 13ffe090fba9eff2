"""What becomes of a departing member's conversations when their account is deleted.

By the member's choice, like their posts (``forum.departure``), their messages are
removed (each keeps its place, marked deleted, as when they delete one) or kept under
"Former member". Their own place in every conversation goes with the account. A
conversation nobody else is still in is deleted whole -- unless a report of it
holds words the moderators were shown, which stay for the report.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from hearth.accounts.models import User
from hearth.conversations.models import (
    Conversation,
    Message,
    MessageDraft,
    MessageRevision,
    Participant,
    ReportedMessage,
)
from hearth.core.text import render_markdown
from hearth.core.text.anonymising import FORMER_MEMBER, DepartedName


def remove_messages_of(member: User) -> list[int]:
    """Remove every message the member wrote; return their ids. Call in a transaction."""
    messages = Message.objects.filter(author=member)
    removed = list(messages.values_list("pk", flat=True))
    messages.filter(is_deleted=False).update(
        is_deleted=True, deleted_at=timezone.now(), body="", body_html=""
    )
    messages.update(author_name=FORMER_MEMBER)
    MessageRevision.objects.filter(message_id__in=removed).delete()
    Conversation.objects.filter(started_by=member).update(title="")
    return removed


def keep_messages_of(member: User) -> None:
    """Keep the member's messages under "Former member"."""
    Message.objects.filter(author=member).update(author_name=FORMER_MEMBER)


def anonymise_mentions_of(member: User, name: DepartedName) -> None:
    """Stop naming the member in the other messages of their conversations.

    Message text is encrypted, so it cannot be searched in the database: only the
    conversations the member was in are read (where nearly all their mentions are).
    """
    theirs = Participant.objects.filter(member=member).values("conversation_id")
    others = Message.objects.filter(conversation_id__in=theirs, is_deleted=False).exclude(
        author=member
    )
    for message in others.only("pk", "body").iterator():
        anonymised = name.anonymise(message.body)
        if anonymised != message.body:
            rendered = render_markdown(anonymised, id_prefix=f"m{message.pk}-")
            Message.objects.filter(pk=message.pk).update(
                body=anonymised, body_html=rendered.html, render_version=rendered.version
            )
    for revision in MessageRevision.objects.filter(message__in=others).iterator():
        anonymised = name.anonymise(revision.body)
        if anonymised != revision.body:
            MessageRevision.objects.filter(pk=revision.pk).update(body=anonymised)


def end_conversations_left_to_nobody(member: User) -> int:
    """Delete the member's conversations in which no one else remains; return how many.

    Call before the member's own participant rows go (with the account).
    """
    someone_else = Participant.objects.filter(
        conversation=OuterRef("pk"), left_at__isnull=True
    ).exclude(member=member)
    reported = ReportedMessage.objects.filter(message__conversation=OuterRef("pk"))
    empty = Conversation.objects.filter(participants__member=member).exclude(Exists(someone_else))
    ids = list(empty.exclude(Exists(reported)).values_list("pk", flat=True))
    MessageDraft.objects.filter(conversation_id__in=ids).delete()
    deleted, _by_model = Conversation.objects.filter(pk__in=ids).delete()
    return len(ids) if deleted else 0
