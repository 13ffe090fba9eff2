"""The member's private conversations as JSON (mounted at /api/v1/conversations/ by
``hearth.api``).

Read only through the participant-scoped selectors, as the pages are: a conversation the
member is not a current participant of -- someone else's, one they left, a missing id --
is the same 404; moderators and administrators are no exception.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from hearth.accounts.models import User
from hearth.conversations import selectors, services
from hearth.conversations.models import Message
from hearth.conversations.permissions import why_cannot_write_in
from hearth.conversations.selectors import MessagePage, OpenConversation
from hearth.core.api_schema import (
    ApiError,
    ConflictOut,
    IdempotencyKey,
    ObjectId,
    Output,
    RequestKey,
    Text,
    responses,
)
from hearth.core.ratelimit import RateLimit, allow

router = Router()

# The conversation page's budget for replies (hearth.conversations.views).
REPLY_RATE = RateLimit.parse(settings.HEARTH_ACTION_RATE_LIMIT)
LARGEST_PAGE = 10**9
BODY_MAX_CHARACTERS = 200_000


class ParticipantOut(Output):
    name: str
    username: str


class ConversationSummaryOut(Output):
    id: int
    title: str = Field(description="Empty when the conversation has no title.")
    others: list[str] = Field(description="The other current participants' display names.")
    unread: int
    is_muted: bool
    last_message_at: datetime


class ConversationListOut(Output):
    conversations: list[ConversationSummaryOut]
    next_cursor: str | None = Field(description="Pass as ?before= for older ones.")


class MessageOut(Output):
    id: int
    position: int
    author_name: str
    author_username: str | None = Field(description="Only for current participants.")
    body_html: str | None = Field(description="null for a deleted message.")
    created_at: datetime
    edited_at: datetime | None
    is_deleted: bool
    is_own: bool
    is_from_muted_member: bool = Field(description="Fold it: the viewer muted its author.")


class ConversationOut(Output):
    id: int
    title: str
    is_group: bool
    others: list[ParticipantOut]
    can_write: bool
    why_cannot_write: str | None
    page: int
    page_count: int
    messages: list[MessageOut]


class MessageIn(Schema):
    body: Annotated[Text, Field(max_length=BODY_MAX_CHARACTERS)]
    request_key: RequestKey = ""


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # authentication lets only members through here
    return user


def _message_out(
    member: User, opened: OpenConversation, message: Message, muted: frozenset[int]
) -> MessageOut:
    usernames = {other.pk: other.username for other in opened.others}
    usernames[member.pk] = member.username
    return MessageOut(
        id=message.pk,
        position=message.position,
        author_name=message.author_name,
        author_username=usernames.get(message.author_id or 0),
        body_html=None if message.is_deleted else str(message.body_html),
        created_at=message.created_at,
        edited_at=message.edited_at,
        is_deleted=message.is_deleted,
        is_own=message.author_id == member.pk,
        is_from_muted_member=message.author_id in muted,
    )


@router.get("", response=responses({200: ConversationListOut}), url_name="conversations")
def list_conversations(
    request: HttpRequest,
    before: Annotated[str | None, Query(max_length=80, description="A page's next_cursor.")] = None,
) -> ConversationListOut:
    """The member's conversations, latest activity first (keyset pages of 30)."""
    try:
        found = selectors.conversations_of(_member(request), before or "")
    except ValueError as error:
        raise ApiError(
            422,
            "validation_failed",
            _("That page link is not valid."),
            fields={"before": [_("Use a next_cursor this API gave.")]},
        ) from error
    return ConversationListOut(
        conversations=[
            ConversationSummaryOut(
                id=row.conversation.pk,
                title=str(row.conversation.title or ""),
                others=row.others,
                unread=row.unread,
                is_muted=row.is_muted,
                last_message_at=row.conversation.last_message_at,
            )
            for row in found.rows
        ],
        next_cursor=found.next_cursor or None,
    )


def _conversation_out(member: User, opened: OpenConversation, page: MessagePage) -> ConversationOut:
    reason = why_cannot_write_in(member, opened.others)
    return ConversationOut(
        id=opened.pk,
        title=str(opened.conversation.title or ""),
        is_group=opened.conversation.is_group,
        others=[
            ParticipantOut(name=other.display_name, username=other.username)
            for other in opened.others
        ],
        can_write=reason is None,
        why_cannot_write=str(reason) if reason is not None else None,
        page=page.page,
        page_count=page.page_count,
        messages=[
            _message_out(member, opened, message, page.muted_author_ids)
            for message in page.messages
        ],
    )


@router.get(
    "/{id:conversation_id}", response=responses({200: ConversationOut}), url_name="conversation"
)
def get_conversation(
    request: HttpRequest,
    conversation_id: ObjectId,
    page: Annotated[
        int | None,
        Query(ge=1, le=LARGEST_PAGE, description="Default: where the unread messages start."),
    ] = None,
) -> ConversationOut:
    """A page of a conversation's messages (30, oldest first); they count as read."""
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    read_up_to = opened.me.last_read_position
    last = opened.conversation.last_position
    page_number = page or selectors.page_of(min(read_up_to + 1, last) if last else 1)
    found = selectors.messages_page(opened, page_number)
    highest = max((message.position for message in found.messages), default=0)
    if highest > read_up_to:
        services.mark_read(member=member, opened=opened, up_to_position=highest)
    return _conversation_out(member, opened, found)


@router.post(
    "/{id:conversation_id}/messages",
    response=responses({201: MessageOut}, conflict=True),
    url_name="send_message",
)
def send_message(
    request: HttpRequest,
    conversation_id: ObjectId,
    payload: MessageIn,
    idempotency_key: IdempotencyKey = None,
) -> Status[MessageOut]:
    """Send a message at the end of the conversation; the same request key sends once."""
    member = _member(request)
    opened = selectors.get_conversation_for_viewer_or_404(member, conversation_id)
    request_key = payload.request_key or idempotency_key or uuid.uuid4().hex
    if not allow("message", member.pk, REPLY_RATE) and (
        selectors.find_message_for_request(member, request_key) is None
    ):
        raise ApiError(
            429,
            "rate_limited",
            _(
                "You're sending messages faster than we allow. Please wait a few minutes and "
                "send it again; your text is still here."
            ),
        )
    try:
        sent = services.send_message(
            author=member, opened=opened, body=payload.body, request_key=request_key
        )
    except ValidationError as error:
        messages = list(error.messages)
        raise ApiError(
            422, "validation_failed", " ".join(messages), fields={"body": messages}
        ) from error
    except services.RequestKeyReused as reused:
        raise ApiError(
            409,
            "request_key_reused",
            _(
                "This request key already sent other words. Nothing new was sent: both texts "
                "are here. Send yours again with a new key to send it."
            ),
            conflict=ConflictOut(
                current_body=reused.first_body,
                sent_body=payload.body,
                existing_id=reused.existing.pk,
            ),
        ) from reused
    return Status(201, _message_out(member, opened, sent, frozenset()))
