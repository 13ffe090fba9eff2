"""Reads of conversations, all participant-scoped: the only way views reach them.

``get_conversation_for_viewer_or_404`` and ``get_message_for_viewer_or_404`` fetch
and authorise in one call. A conversation the viewer is not a current participant
of -- missing, someone else's, left -- is the same 404; a message id is looked up
*within* the conversation of the URL, so mixing ids answers 404 too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.dateparse import parse_datetime

from hearth.accounts.models import MemberMute, User
from hearth.conversations.models import Conversation, Message, MessageRevision, Participant
from hearth.conversations.visibility import can_see_conversation, conversation_filter

CONVERSATIONS_PER_PAGE = 30
MESSAGES_PER_PAGE = 30


@dataclass(frozen=True)
class OpenConversation:
    conversation: Conversation
    me: Participant
    others: list[User]  # current participants but the viewer

    @property
    def pk(self) -> int:
        return self.conversation.pk


def get_conversation_for_viewer_or_404(member: User, conversation_id: int) -> OpenConversation:
    mine = (
        Participant.objects.select_related("conversation")
        .filter(conversation_id=conversation_id, member=member)
        .first()
    )
    if not can_see_conversation(member.pk, mine):
        raise Http404
    assert mine is not None
    others = [
        participant.member
        for participant in Participant.objects.select_related("member")
        .filter(conversation_id=conversation_id, left_at__isnull=True)
        .exclude(member=member)
        .order_by("joined_at", "pk")
    ]
    return OpenConversation(conversation=mine.conversation, me=mine, others=others)


def get_message_for_viewer_or_404(opened: OpenConversation, message_id: int) -> Message:
    """A message of *this* conversation (never another's, whatever the id)."""
    message = Message.objects.filter(conversation=opened.conversation, pk=message_id).first()
    if message is None:
        raise Http404
    return message


@dataclass(frozen=True)
class ConversationSummary:
    conversation: Conversation
    others: list[str]  # display names of the other current participants
    unread: int
    is_muted: bool


@dataclass(frozen=True)
class ConversationList:
    rows: list[ConversationSummary]
    next_cursor: str


def parse_cursor(cursor: str) -> tuple[datetime, int]:
    moment, _sep, identifier = cursor.partition("~")
    parsed = parse_datetime(moment)
    # Only what ``conversations_of`` writes: an aware time and an id the database can hold.
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(cursor)
    if not (identifier.isascii() and identifier.isdigit() and len(identifier) <= 18):
        raise ValueError(cursor)
    return parsed, int(identifier)


def conversations_of(member: User, cursor: str = "") -> ConversationList:
    """The member's conversations, latest activity first (keyset pages; three queries)."""
    mine = Participant.objects.filter(conversation_filter(member.pk)).select_related("conversation")
    if cursor:
        moment, identifier = parse_cursor(cursor)
        mine = mine.filter(last_message_at__lte=moment).exclude(
            last_message_at=moment, conversation_id__gte=identifier
        )
    rows = list(mine.order_by("-last_message_at", "-conversation_id")[: CONVERSATIONS_PER_PAGE + 1])
    more = len(rows) > CONVERSATIONS_PER_PAGE
    rows = rows[:CONVERSATIONS_PER_PAGE]
    names: dict[int, list[str]] = {row.conversation_id: [] for row in rows}
    for conversation_id, name in (
        Participant.objects.filter(conversation_id__in=list(names), left_at__isnull=True)
        .exclude(member=member)
        .order_by("joined_at", "pk")
        .values_list("conversation_id", "member__display_name")
    ):
        names[conversation_id].append(name)
    summaries = [
        ConversationSummary(
            conversation=row.conversation,
            others=names[row.conversation_id],
            unread=max(row.conversation.last_position - row.last_read_position, 0),
            is_muted=row.is_muted,
        )
        for row in rows
    ]
    last = rows[-1] if more else None
    return ConversationList(
        rows=summaries,
        next_cursor=f"{last.last_message_at.isoformat()}~{last.conversation_id}" if last else "",
    )


@dataclass(frozen=True)
class MessagePage:
    messages: list[Message]
    page: int
    page_count: int
    # Authors of the page's messages whom the viewer muted or blocked (folded, as muted
    # members' posts are in the forum).
    muted_author_ids: frozenset[int] = frozenset()


def messages_page(opened: OpenConversation, page: int) -> MessagePage:
    """Oldest to newest, addressed by position like the forum: page N costs as page 1.
    Whether the viewer muted each author comes with the messages (one query for all)."""
    last = opened.conversation.last_position
    page_count = max((last + MESSAGES_PER_PAGE - 1) // MESSAGES_PER_PAGE, 1)
    page = min(max(page, 1), page_count)
    messages, muted = _messages_from(opened, (page - 1) * MESSAGES_PER_PAGE + 1)
    return MessagePage(messages=messages, page=page, page_count=page_count, muted_author_ids=muted)


def messages_after(opened: OpenConversation, position: int) -> MessagePage:
    """The messages after ``position`` (at most a page's worth): what a live update adds
    to an open conversation."""
    last = opened.conversation.last_position
    page_count = max((last + MESSAGES_PER_PAGE - 1) // MESSAGES_PER_PAGE, 1)
    messages, muted = _messages_from(opened, min(position, last) + 1)
    return MessagePage(
        messages=messages, page=page_count, page_count=page_count, muted_author_ids=muted
    )


def _messages_from(
    opened: OpenConversation, first_position: int
) -> tuple[list[Message], frozenset[int]]:
    viewer_muted_author = MemberMute.objects.filter(
        member_id=opened.me.member_id, muted_id=OuterRef("author_id")
    )
    messages = list(
        Message.objects.filter(
            conversation=opened.conversation,
            position__gte=first_position,
            position__lt=first_position + MESSAGES_PER_PAGE,
        )
        .annotate(viewer_muted_author=Exists(viewer_muted_author))
        .order_by("position")
    )
    muted = frozenset(
        message.author_id
        for message in messages
        if message.viewer_muted_author and message.author_id is not None
    )
    plain: list[Message] = list(messages)  # the annotated type, as the page holds it
    return plain, muted


def page_of(position: int) -> int:
    return (position - 1) // MESSAGES_PER_PAGE + 1


def revisions_of(message: Message) -> list[MessageRevision]:
    return list(message.revisions.order_by("number"))


def members_named(usernames: list[str]) -> dict[str, User]:
    """Active members by username, matched as sign-in matches them (any case); keyed by
    the casefolded name. Inactive accounts are left out, as their profiles are."""
    if not usernames:
        return {}
    wanted = Q()
    for name in usernames:
        wanted |= Q(username__iexact=name)
    found = User.objects.filter(wanted, is_active=True)
    return {member.username.casefold(): member for member in found}


def find_message_for_request(author: User, request_key: str) -> Message | None:
    """The message a form with this request key already sent, if any (a resend)."""
    if not request_key:
        return None
    return Message.objects.filter(author=author, request_key=request_key[:64]).first()


def one_to_one_conversation_between(member: User, other: User) -> int | None:
    """The one-to-one conversation ``member`` and ``other`` are both still in (the most
    recently active, should there be several), or None."""
    theirs = Participant.objects.filter(
        conversation_id=OuterRef("conversation_id"), member=other, left_at__isnull=True
    )
    return (
        Participant.objects.filter(
            member=member, left_at__isnull=True, conversation__is_group=False
        )
        .filter(Exists(theirs))
        .order_by("-last_message_at", "-conversation_id")
        .values_list("conversation_id", flat=True)
        .first()
    )
