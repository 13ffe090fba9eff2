"""Writing in conversations: start, reply, edit, delete, leave, mute, add a member.

Each service checks the rule again (a view's check is for the page; this one
is the one that counts), writes in one transaction and publishes
``MessageSent`` for notifications. Message text is encrypted by its field.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.conversations.events import ConversationLeft, ConversationRead, MessageSent
from hearth.conversations.models import (
    MOST_PARTICIPANTS,
    TITLE_MAX_LENGTH,
    AllowFrom,
    Conversation,
    Message,
    MessageDraft,
    MessageRevision,
    MessagingSettings,
    Participant,
)
from hearth.conversations.permissions import (
    why_cannot_start_more,
    why_cannot_start_with,
    why_cannot_write_in,
)
from hearth.conversations.selectors import OpenConversation
from hearth.core.events import publish
from hearth.core.text import SourceTooLong, render_markdown
from hearth.core.text.limits import MAX_SOURCE_BYTES

REQUEST_KEY_MAX_LENGTH = 64


class EditConflict(Exception):  # noqa: N818 - a situation, not a bug
    """Someone saved a newer revision since the editor opened the message."""

    def __init__(self, current_body: str, current_revision: int) -> None:
        super().__init__("edit conflict")
        self.current_body = current_body
        self.current_revision = current_revision


class RequestKeyReused(Exception):  # noqa: N818 - a situation: "the form's key was reused"
    """A form already sent was sent again with different text: nothing is sent, and both
    texts are kept for the member to choose."""

    # Not a frozen dataclass (the forum's form): raising through a context manager sets
    # ``__traceback__``, which a frozen instance refuses.
    def __init__(self, *, existing: Message, first_body: str) -> None:
        super().__init__("request key reused")
        self.existing = existing
        self.first_body = first_body


@dataclass(frozen=True)
class Rendered:
    html: str
    version: int


def _render(body: str) -> Rendered:
    if not body.strip():
        raise ValidationError(_("Please write something before sending."), code="empty")
    try:
        rendered = render_markdown(body, id_prefix=f"m{uuid.uuid4().hex[:8]}-")
    except SourceTooLong as error:
        raise ValidationError(
            _("This message is too long: at most %(bytes)s bytes.") % {"bytes": MAX_SOURCE_BYTES},
            code="too_long",
        ) from error
    return Rendered(rendered.html, rendered.version)


def _check(reason: str | None) -> None:
    if reason is not None:
        raise PermissionDenied(reason)


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("A title can be at most %(most)s characters.") % {"most": TITLE_MAX_LENGTH},
            code="title_too_long",
        )
    return title


def _message_for_request(author: User, request_key: str, body: str) -> Message | None:
    """The message a resent form already sent -- or RequestKeyReused when the form was sent
    again with other text (edited and resent): that must not silently keep the old one."""
    if not request_key:
        return None
    existing = (
        Message.objects.select_related("conversation")
        .filter(author=author, request_key=request_key[:REQUEST_KEY_MAX_LENGTH])
        .first()
    )
    if existing is None:
        return None
    # Revision 1 is what the form sent (the message may have been edited since); a deleted
    # message has no revisions left to compare with.
    first = existing.revisions.filter(number=1).values_list("body", flat=True).first()
    if first is not None and first != body:
        raise RequestKeyReused(existing=existing, first_body=first)
    return existing


def start_conversation(
    *, starter: User, recipients: list[User], title: str, body: str, request_key: str
) -> Conversation:
    """Start a conversation with one member or a small group; the same request_key starts
    it once (RequestKeyReused if it comes again with other text)."""
    if existing := _message_for_request(starter, request_key, body):
        return existing.conversation
    unique = {member.pk: member for member in recipients if member.pk != starter.pk}
    if not unique:
        raise ValidationError(_("Choose at least one member to write to."), code="nobody")
    if len(unique) + 1 > MOST_PARTICIPANTS:
        raise ValidationError(
            _("A conversation can have at most %(most)s members.") % {"most": MOST_PARTICIPANTS},
            code="too_many",
        )
    now = timezone.now()
    _check(why_cannot_start_more(starter, now))
    for recipient in unique.values():
        _check(why_cannot_start_with(starter, recipient, now))
    title = _clean_title(title)
    rendered = _render(body)
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(
                title=title,
                started_by=starter,
                is_group=len(unique) > 1,
                created_at=now,
                last_message_at=now,
                last_position=1,
            )
            Participant.objects.bulk_create(
                Participant(
                    conversation=conversation,
                    member=member,
                    joined_at=now,
                    last_message_at=now,
                    last_read_position=1 if member.pk == starter.pk else 0,
                )
                for member in [starter, *unique.values()]
            )
            _insert_message(conversation, starter, body, rendered, request_key, position=1, now=now)
            MessageDraft.objects.filter(member=starter, conversation=None).delete()
    except IntegrityError:
        if existing := _message_for_request(starter, request_key, body):
            return existing.conversation
        raise
    return conversation


def _insert_message(
    conversation: Conversation,
    author: User,
    body: str,
    rendered: Rendered,
    request_key: str,
    *,
    position: int,
    now: datetime,
) -> Message:
    message = Message.objects.create(
        conversation=conversation,
        position=position,
        author=author,
        author_name=author.display_name,
        body=body,
        body_html=rendered.html,
        render_version=rendered.version,
        created_at=now,
        request_key=request_key[:REQUEST_KEY_MAX_LENGTH],
    )
    MessageRevision.objects.create(message=message, number=1, body=body, created_at=now)
    publish(
        MessageSent(
            conversation_id=conversation.pk,
            message_id=message.pk,
            author_id=author.pk,
            position=position,
        )
    )
    return message


def send_message(*, author: User, opened: OpenConversation, body: str, request_key: str) -> Message:
    """Add a message at the end of the conversation; the same request_key sends once
    (RequestKeyReused if it comes again with other text)."""
    if existing := _message_for_request(author, request_key, body):
        return existing
    _check(why_cannot_write_in(author, opened.others))
    rendered = _render(body)
    try:
        with transaction.atomic():
            locked = (
                Conversation.objects.select_for_update().only("last_position").get(pk=opened.pk)
            )
            now = timezone.now()
            position = locked.last_position + 1
            message = _insert_message(
                opened.conversation, author, body, rendered, request_key, position=position, now=now
            )
            Conversation.objects.filter(pk=opened.pk).update(
                last_position=position, last_message_at=now
            )
            Participant.objects.filter(conversation_id=opened.pk).update(last_message_at=now)
            Participant.objects.filter(pk=opened.me.pk).update(last_read_position=position)
            MessageDraft.objects.filter(member=author, conversation_id=opened.pk).delete()
    except IntegrityError:
        if existing := _message_for_request(author, request_key, body):
            return existing
        raise
    opened.conversation.last_position = position
    return message


def edit_message(*, editor: User, message: Message, body: str, base_revision: int) -> Message:
    """Save a new revision of one's own message; EditConflict if someone saved since."""
    if message.author_id != editor.pk or message.is_deleted:
        raise PermissionDenied(_("You can edit only your own messages."))
    rendered = _render(body)
    with transaction.atomic():
        current = Message.objects.select_for_update().get(pk=message.pk)
        if current.revision != base_revision:
            raise EditConflict(current.body, current.revision)
        if current.body == body:
            return current
        now = timezone.now()
        revision = current.revision + 1
        Message.objects.filter(pk=message.pk).update(
            body=body, body_html=rendered.html, render_version=rendered.version,
            revision=revision, edited_at=now,
        )  # fmt: skip
        MessageRevision.objects.create(message=message, number=revision, body=body, created_at=now)
    message.refresh_from_db()
    return message


def delete_message(*, member: User, message: Message) -> None:
    """Delete one's own message for good: its place stays, marked deleted, its text and
    history gone."""
    if message.author_id != member.pk:
        raise PermissionDenied(_("You can delete only your own messages."))
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, is_deleted=False).update(
            is_deleted=True, deleted_at=timezone.now(), body="", body_html=""
        )
        MessageRevision.objects.filter(message=message).delete()


def leave_conversation(*, member: User, opened: OpenConversation) -> None:
    """Leave: the conversation is gone from the member's list, pages and bell (and their
    draft in it, from the database)."""
    with transaction.atomic():
        left = Participant.objects.filter(pk=opened.me.pk, left_at__isnull=True).update(
            left_at=timezone.now()
        )
        MessageDraft.objects.filter(member=member, conversation_id=opened.pk).delete()
        if left:
            publish(ConversationLeft(member_id=member.pk, conversation_id=opened.pk))


def set_muted(*, member: User, opened: OpenConversation, muted: bool) -> None:
    Participant.objects.filter(pk=opened.me.pk).update(is_muted=muted)


def add_participant(*, adder: User, opened: OpenConversation, member: User) -> None:
    """A participant of a group conversation adds a member (the same rules as starting
    one with them; at most ``MOST_PARTICIPANTS``)."""
    if not opened.conversation.is_group:
        raise PermissionDenied(_("Members can be added to group conversations only."))
    if member.pk == adder.pk or any(other.pk == member.pk for other in opened.others):
        raise ValidationError(_("This member is already in the conversation."), code="already")
    if len(opened.others) + 2 > MOST_PARTICIPANTS:
        raise ValidationError(
            _("A conversation can have at most %(most)s members.") % {"most": MOST_PARTICIPANTS},
            code="too_many",
        )
    _check(why_cannot_start_with(adder, member))
    now = timezone.now()
    with transaction.atomic():
        updated = Participant.objects.filter(conversation_id=opened.pk, member=member).update(
            left_at=None, joined_at=now, last_message_at=opened.conversation.last_message_at
        )
        if not updated:
            Participant.objects.create(
                conversation_id=opened.pk,
                member=member,
                joined_at=now,
                last_message_at=opened.conversation.last_message_at,
            )


def mark_read(*, member: User, opened: OpenConversation, up_to_position: int) -> None:
    """Move the member's read marker forward; tell the bell while it has something unread."""
    moved = Participant.objects.filter(
        pk=opened.me.pk, last_read_position__lt=up_to_position
    ).update(last_read_position=up_to_position)
    if moved and member.unread_notifications:
        publish(ConversationRead(member_id=member.pk, conversation_id=opened.pk))


def choose_who_may_start(*, member: User, allow_from: AllowFrom) -> None:
    """Save who may start a conversation with the member (their choice outlasts the
    default for new accounts)."""
    MessagingSettings.objects.update_or_create(member=member, defaults={"allow_from": allow_from})
