"""What happens in the forum, as domain events (see ``hearth.core.events``).

Ids and flags only: a consumer reads what it needs when it runs, through the
visibility policy, so an event never carries text that might since have been
hidden, and the author of an anonymous post is never named in one
(``author_id`` is there for the policy's checks, not for display).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hearth.core.events import Event


@dataclass(frozen=True, kw_only=True)
class PostEvent(Event):
    post_id: int
    thread_id: int
    category_id: int


@dataclass(frozen=True, kw_only=True)
class PostPublished(PostEvent):
    """A post became readable: posted (not held), or approved by a moderator."""

    author_id: int
    position: int
    is_anonymous: bool
    mentioned_member_ids: list[int] = field(default_factory=list)
    approved_by_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class PostHeld(PostEvent):
    """A post is waiting for a moderator's approval."""

    author_id: int


@dataclass(frozen=True, kw_only=True)
class PostEdited(PostEvent):
    editor_id: int
    revision: int
    mentioned_member_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class PostHidden(PostEvent):
    moderator_id: int


@dataclass(frozen=True, kw_only=True)
class PostRestored(PostEvent):
    moderator_id: int


@dataclass(frozen=True, kw_only=True)
class PostRejected(PostEvent):
    """A held post was not approved: it stays hidden, visible to its author."""

    moderator_id: int


@dataclass(frozen=True, kw_only=True)
class PostDeleted(PostEvent):
    author_id: int


@dataclass(frozen=True, kw_only=True)
class ReactionToggled(PostEvent):
    member_id: int
    kind: str
    is_on: bool


@dataclass(frozen=True, kw_only=True)
class MemberMentioned(PostEvent):
    """A published post names a member with @username (never their own post)."""

    mentioned_member_id: int
    author_id: int
    is_anonymous: bool


@dataclass(frozen=True, kw_only=True)
class ContentNoteSet(PostEvent):
    """A moderator added or changed a post's content note (instead of hiding it)."""

    moderator_id: int


@dataclass(frozen=True, kw_only=True)
class ThreadMoved(Event):
    thread_id: int
    from_category_id: int
    to_category_id: int
    moderator_id: int


@dataclass(frozen=True, kw_only=True)
class ThreadLocked(Event):
    """A thread was closed to replies (``is_locked``) or reopened."""

    thread_id: int
    category_id: int
    is_locked: bool
    moderator_id: int


@dataclass(frozen=True, kw_only=True)
class ThreadPinned(Event):
    """A thread was pinned to the top of its category (``is_pinned``) or unpinned."""

    thread_id: int
    category_id: int
    is_pinned: bool
    moderator_id: int


@dataclass(frozen=True, kw_only=True)
class ThreadRead(Event):
    """A member's read marker moved forward in a thread; published only while they have
    unread notifications, so their bell can forget what they have now read."""

    member_id: int
    thread_id: int
    up_to_position: int
