"""Writing the event log: one row per thing an open page may want to show, in the
transaction of the change (so a rolled-back change tells no one), then a wake-up for
every process holding streams (``live.hub``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from hearth.conversations.events import MessageSent
from hearth.core.events import subscribe_in_transaction
from hearth.forum.events import (
    ContentNoteSet,
    PostDeleted,
    PostEdited,
    PostEvent,
    PostHidden,
    PostPublished,
    PostRejected,
    PostRestored,
)
from hearth.live.models import LiveEvent
from hearth.live.topics import conversation_topic, member_topic, thread_topic
from hearth.notifications.events import UnreadCountChanged

# What a row says happened (``LiveEvent.kind``), and the stream's event names.
REPLY = "reply"  # a post became readable in a thread: data {post, position}
POST_CHANGED = "post"  # a post was edited, hidden, restored, deleted: data {post}
BELL = "bell"  # the member's unread count was set again
MESSAGE = "message"  # a message in a conversation: data {message, position}

# PostgreSQL's NOTIFY channel; the payload stays empty so that PostgreSQL folds
# every wake-up of one transaction into one.
CHANNEL = "hearth_live"
# The advisory lock that orders the log's ids (any constant no other code uses).
LOG_LOCK = 0x4EA27711


def record_events() -> None:
    """Subscribe to the events open pages show (from ``LiveConfig.ready``)."""
    subscribe_in_transaction(PostPublished, _reply)
    for changed in (
        PostEdited,
        PostHidden,
        PostRestored,
        PostDeleted,
        PostRejected,
        ContentNoteSet,
    ):
        subscribe_in_transaction(changed, _post_changed)
    subscribe_in_transaction(UnreadCountChanged, _bell)
    subscribe_in_transaction(MessageSent, _message)


def _reply(event: PostPublished) -> None:
    _record(
        [
            LiveEvent(
                topic=thread_topic(event.thread_id),
                kind=REPLY,
                data={"post": event.post_id, "position": event.position},
            )
        ]
    )


def _post_changed(event: PostEvent) -> None:
    _record(
        [
            LiveEvent(
                topic=thread_topic(event.thread_id), kind=POST_CHANGED, data={"post": event.post_id}
            )
        ]
    )


def _bell(event: UnreadCountChanged) -> None:
    _record([LiveEvent(topic=member_topic(member_id), kind=BELL) for member_id in event.member_ids])


def _message(event: MessageSent) -> None:
    _record(
        [
            LiveEvent(
                topic=conversation_topic(event.conversation_id),
                kind=MESSAGE,
                data={"message": event.message_id, "position": event.position},
            )
        ]
    )


def _record(rows: list[LiveEvent]) -> None:
    if connection.vendor == "postgresql":
        # Readers follow the log by id ("the rows after the last one seen"), so ids
        # must become visible in order. PostgreSQL hands ids out before commit: two
        # writers could commit 8 before 7, and a reader that saw 8 would skip 7 for
        # good. One lock, held from here to commit, keeps ids in commit order (it
        # costs the writing transactions' last moments, never a reader).
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOG_LOCK])
    LiveEvent.objects.bulk_create(rows)
    if connection.vendor == "postgresql":
        # Inside the transaction: PostgreSQL delivers it at commit, and never on rollback.
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {CHANNEL}")
    else:
        # SQLite has no NOTIFY: a hub in this process is woken at commit; others poll.
        from hearth.live.hub import wake_local_hub  # noqa: PLC0415 - the hub loads on demand

        transaction.on_commit(wake_local_hub)


def replay_window() -> timedelta:
    return timedelta(seconds=settings.HEARTH_LIVE_REPLAY_SECONDS)


def forget_old_events() -> int:
    """Housekeeping: delete rows older than the replay window; return how many."""
    deleted, _by_model = LiveEvent.objects.filter(
        created_at__lt=timezone.now() - replay_window()
    ).delete()
    return deleted
