"""Who gets what: each event-log row, for each open stream, asked of the visibility
policy when it is delivered -- so a post hidden after its row was written is never
announced, and a member who left a conversation hears nothing more of it.

Synchronous (the database), called by the hub and the stream view through
``sync_to_async``; one batch of rows costs a few queries whatever the number of
streams.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils import timezone

from hearth.accounts.models import User
from hearth.conversations.models import Message, Participant
from hearth.forum.models import Post, Thread
from hearth.forum.viewer import Viewer, viewer_for
from hearth.forum.visibility import can_read_post, can_see_post_place, can_see_thread
from hearth.live.models import LiveEvent
from hearth.live.recording import BELL, MESSAGE, POST_CHANGED, REPLY
from hearth.live.topics import conversation_topic, member_topic, split, thread_topic

# A stream that falls this far behind is closed; its browser reconnects and catches up
# from the log (``Last-Event-ID``) instead of the server holding the backlog.
QUEUE_LIMIT = 200
# At most this many positions in one catching-up event (a page holds twenty).
MOST_POSITIONS = 100


@dataclass(frozen=True)
class Outgoing:
    """One server-sent event: ``id`` None for a catching-up event (it moves no
    ``Last-Event-ID``). One row's event is one object, shared by every stream it goes
    to, and encoded once."""

    id: int | None
    kind: str
    data: dict[str, Any]

    def encode(self) -> bytes:
        return self._encoded

    @cached_property
    def _encoded(self) -> bytes:
        lines = [] if self.id is None else [f"id: {self.id}"]
        lines += [f"event: {self.kind}", f"data: {json.dumps(self.data, separators=(',', ':'))}"]
        return ("\n".join(lines) + "\n\n").encode()


@dataclass(eq=False)
class Listener:
    """One open stream: a member's browser tab, and the thread or conversation it shows."""

    member_id: int
    viewer: Viewer
    thread_id: int | None = None
    conversation_id: int | None = None
    queue: asyncio.Queue[Outgoing] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False

    @property
    def topics(self) -> frozenset[str]:
        topics = {member_topic(self.member_id)}
        if self.thread_id is not None:
            topics.add(thread_topic(self.thread_id))
        if self.conversation_id is not None:
            topics.add(conversation_topic(self.conversation_id))
        return frozenset(topics)

    def offer(self, event: Outgoing) -> None:
        """Queue an event (from the hub's loop); a full queue marks the stream for closing."""
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


def open_listener(
    member: User, *, thread_id: int | None, conversation_id: int | None
) -> Listener | None:
    """A listener for the member's tab, or None if they may not see the thread or are not
    in the conversation (the same answer as for one that does not exist). A member taking
    a break hears nothing at all until it ends."""
    viewer = viewer_for(member)
    if viewer.is_on_break:
        return None
    if thread_id is not None:
        thread = Thread.objects.select_related("category").filter(pk=thread_id).first()
        if thread is None or not can_see_thread(viewer, thread):
            return None
    if conversation_id is not None:
        participants = _current_participant_ids([conversation_id]).get(conversation_id, set())
        if member.pk not in participants:
            return None
    return Listener(
        member_id=member.pk, viewer=viewer, thread_id=thread_id, conversation_id=conversation_id
    )


def deliverable(
    rows: Sequence[LiveEvent], listeners: Iterable[Listener]
) -> list[tuple[Listener, Outgoing]]:
    """The events each listener may have, in the rows' order."""
    by_topic: defaultdict[str, list[Listener]] = defaultdict(list)
    for listener in listeners:
        for topic in listener.topics:
            by_topic[topic].append(listener)
    wanted = [row for row in rows if row.topic in by_topic and row.kind in _EVENT_FOR]
    # A stream opened before its member began a break hears nothing more (asked here,
    # when delivering, as the visibility policy is).
    resting = _members_on_break(
        {listener.member_id for row in wanted for listener in by_topic[row.topic]}
    )
    facts = _Facts(
        posts=_posts([row for row in wanted if row.kind in (REPLY, POST_CHANGED)]),
        counts=_unread_counts([row for row in wanted if row.kind == BELL]),
        participants=_current_participant_ids(
            [split(row.topic)[1] for row in wanted if row.kind == MESSAGE]
        ),
    )
    found = []
    for row in wanted:
        shared: Outgoing | None = None  # a row's event is the same for every stream...
        for listener in by_topic[row.topic]:
            if listener.member_id in resting:
                continue
            event = _EVENT_FOR[row.kind](row, listener, facts)
            if event is None:
                continue
            if row.kind != BELL:  # ... but the bell's count, which is each member's own
                shared = shared or event
                event = shared
            found.append((listener, event))
    return found


@dataclass(frozen=True)
class _Facts:
    """What a batch of rows needs from the database, read once for every listener."""

    posts: dict[int, Post]
    counts: dict[int, int]
    participants: dict[int, set[int]]


def _reply(row: LiveEvent, listener: Listener, facts: _Facts) -> Outgoing | None:
    post = facts.posts.get(row.data["post"])
    if post is None or not can_read_post(listener.viewer, post):
        return None
    return Outgoing(row.pk, REPLY, {"positions": [row.data["position"]]})


def _post_changed(row: LiveEvent, listener: Listener, facts: _Facts) -> Outgoing | None:
    post = facts.posts.get(row.data["post"])
    if post is None or not can_see_post_place(listener.viewer, post):
        return None
    return Outgoing(row.pk, POST_CHANGED, {"post": post.pk})


def _bell(row: LiveEvent, listener: Listener, facts: _Facts) -> Outgoing | None:
    count = facts.counts.get(listener.member_id)
    return None if count is None else Outgoing(row.pk, BELL, {"count": count})


def _message(row: LiveEvent, listener: Listener, facts: _Facts) -> Outgoing | None:
    if listener.member_id not in facts.participants.get(split(row.topic)[1], set()):
        return None
    return Outgoing(row.pk, MESSAGE, {"positions": [row.data["position"]]})


_EVENT_FOR = {REPLY: _reply, POST_CHANGED: _post_changed, BELL: _bell, MESSAGE: _message}


def catch_up(
    listener: Listener, *, last_event_id: int | None, after: int | None
) -> tuple[list[Outgoing], int]:
    """What a stream sends when it opens, and the newest log id it covers.

    With a ``Last-Event-ID`` still in the log (a reconnect): the rows after it. Without
    one, or past the log's start: the state now -- the bell's count, and the positions
    after ``after`` in the open thread or conversation that the viewer may read.
    """
    latest = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    oldest = LiveEvent.objects.order_by("id").values_list("id", flat=True).first()
    if last_event_id is not None and oldest is not None and last_event_id >= oldest - 1:
        rows = list(
            LiveEvent.objects.filter(
                topic__in=listener.topics, id__gt=last_event_id, id__lte=latest
            ).order_by("id")
        )
        return [event for _listener, event in deliverable(rows, [listener])], latest
    return _state_now(listener, after), latest


def _state_now(listener: Listener, after: int | None) -> list[Outgoing]:
    count = _unread_counts_of([listener.member_id]).get(listener.member_id, 0)
    events = [Outgoing(None, BELL, {"count": count})]
    if after is None:
        return events
    if listener.thread_id is not None:
        newer = (
            Post.objects.select_related("thread__category")
            .defer("body", "body_html")
            .filter(thread_id=listener.thread_id, position__gt=after)
            .order_by("position")[:MOST_POSITIONS]
        )
        positions = [post.position for post in newer if can_read_post(listener.viewer, post)]
        if positions:
            events.append(Outgoing(None, REPLY, {"positions": positions}))
    if listener.conversation_id is not None:
        positions = list(
            Message.objects.filter(conversation_id=listener.conversation_id, position__gt=after)
            .order_by("position")
            .values_list("position", flat=True)[:MOST_POSITIONS]
        )
        if positions:
            events.append(Outgoing(None, MESSAGE, {"positions": positions}))
    return events


def _posts(rows: list[LiveEvent]) -> dict[int, Post]:
    ids = {row.data["post"] for row in rows}
    if not ids:
        return {}
    # Whether a viewer may see a post needs its flags, not its text.
    posts = Post.objects.select_related("thread__category").defer("body", "body_html")
    return posts.in_bulk(ids)


def _members_on_break(member_ids: set[int]) -> frozenset[int]:
    if not member_ids:
        return frozenset()
    resting = User.objects.filter(pk__in=member_ids, break_until__gt=timezone.now())
    return frozenset(resting.values_list("pk", flat=True))


def _unread_counts(rows: list[LiveEvent]) -> dict[int, int]:
    return _unread_counts_of({split(row.topic)[1] for row in rows})


def _unread_counts_of(member_ids: Iterable[int]) -> dict[int, int]:
    ids = set(member_ids)
    if not ids:
        return {}
    active = User.objects.filter(pk__in=ids, is_active=True)
    return dict(active.values_list("pk", "unread_notifications"))


def _current_participant_ids(conversation_ids: Iterable[int]) -> dict[int, set[int]]:
    ids = set(conversation_ids)
    if not ids:
        return {}
    found: defaultdict[int, set[int]] = defaultdict(set)
    current = Participant.objects.filter(conversation_id__in=ids, left_at__isnull=True)
    for conversation_id, member_id in current.values_list("conversation_id", "member_id"):
        found[conversation_id].add(member_id)
    return found
