"""The stream carries only what its viewer may have, asked of the visibility policy when it
is delivered; it catches up after a reconnect without losing or repeating an event."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone

from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.conversations.models import Conversation
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import leave_conversation, send_message, start_conversation
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post, Thread, Visibility
from hearth.forum.services import reply_to_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.live import hub as hub_module
from hearth.live.asgi import LiveApplication
from hearth.live.database import database_thread
from hearth.live.models import LiveEvent
from hearth.live.protocol import cross_port_headers
from hearth.live.recording import forget_old_events
from hearth.moderation.services import hide_post, move_thread
from hearth.notifications.testing import deliver

# The stream reads the database on its own thread: the tests' writes must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@dataclass(frozen=True)
class Event:
    id: int | None
    kind: str
    data: dict[str, Any]


def _parse(chunk: bytes) -> list[Event]:
    """The server-sent events in a chunk (the retry line and heartbeats are not events)."""
    events = []
    for block in chunk.decode().split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            name, _, value = line.partition(": ")
            fields[name] = value
        if "event" in fields:
            number = int(fields["id"]) if "id" in fields else None
            events.append(Event(number, fields["event"], json.loads(fields["data"])))
    return events


class Stream:
    """An open ``/live/`` stream on the ASGI application, read one event at a time."""

    def __init__(self, communicator: ApplicationCommunicator) -> None:
        self.communicator = communicator
        self.received: list[Event] = []

    async def next(self, timeout: float = 2.0) -> Event:
        while not self.received:
            message = await self.communicator.receive_output(timeout)  # type: ignore[no-untyped-call]  # asgiref ships no types here
            self.received += _parse(message.get("body", b""))
        return self.received.pop(0)

    async def nothing_more(self) -> bool:
        """True if no event arrives once the hub has read the log."""
        await _delivered()
        try:
            await self.next(timeout=0.3)
        except TimeoutError:
            return True
        return False

    async def close(self) -> None:
        await self.communicator.send_input({"type": "http.disconnect"})  # type: ignore[no-untyped-call]
        await self.communicator.wait(1.0)  # type: ignore[no-untyped-call]


async def _answer(
    member: User | None, query: str = "", last_event_id: int | None = None
) -> tuple[int, ApplicationCommunicator]:
    headers = [(b"host", b"testserver")]
    if member is not None:
        client = Client()
        await sync_to_async(client.force_login)(member)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        headers.append((b"cookie", cookie.encode()))
    if last_event_id is not None:
        headers.append((b"last-event-id", str(last_event_id).encode()))
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/live/",
        "query_string": query.lstrip("?").encode(),
        "headers": headers,
    }
    communicator = ApplicationCommunicator(LiveApplication(), scope)  # type: ignore[no-untyped-call]
    await communicator.send_input({"type": "http.request", "body": b""})  # type: ignore[no-untyped-call]
    start = await communicator.receive_output(2.0)  # type: ignore[no-untyped-call]
    return start["status"], communicator


async def _open(member: User, query: str = "", last_event_id: int | None = None) -> Stream:
    status, communicator = await _answer(member, query, last_event_id)
    assert status == 200
    return Stream(communicator)


async def _delivered() -> None:
    await (await hub_module.get_hub()).deliver_new_rows()


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


def _after(thread: Thread) -> str:
    return f"?thread={thread.pk}&after={thread.last_position}"


@pytest.fixture(autouse=True)
def _fresh_hub() -> Iterator[None]:
    """Each test's event loop gets its own hub; the live thread's connection is closed
    after it, so the test database can be dropped."""
    hub_module._hub = None
    yield
    hub_module._hub = None
    database_thread.submit(connections.close_all).result()


def test_a_reply_reaches_the_open_thread_and_the_bell_its_count(
    make_member: MakeMember, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    reader = make_member()
    thread = make_thread(author=reader)

    async def scenario() -> None:
        stream = await _open(reader, _after(thread))
        opening = await stream.next()
        assert (opening.kind, opening.data) == ("bell", {"count": 0})
        await sync_to_async(make_reply)(thread)
        await _delivered()
        reply = await stream.next()
        assert (reply.kind, reply.data) == ("reply", {"positions": [2]})
        assert reply.id is not None
        await sync_to_async(deliver)()  # the notification of the reply in their thread
        await _delivered()
        bell = await stream.next()
        assert (bell.kind, bell.data) == ("bell", {"count": 1})

    run(scenario)


def test_an_anonymous_reply_says_nothing_of_who_wrote_it(
    make_member: MakeMember, make_category: MakeCategory, make_thread: MakeThread
) -> None:
    reader, writer = make_member(), make_member(display_name="Secret Writer")
    thread = make_thread(author=reader, category=make_category(allow_anonymous=True))

    async def scenario() -> None:
        stream = await _open(reader, _after(thread))
        await stream.next()
        await sync_to_async(reply_to_thread)(
            author=writer, thread=thread, body="Quietly", request_key="a", anonymous=True
        )
        await _delivered()
        reply = await stream.next()
        assert reply.data == {"positions": [2]}

    run(scenario)
    row = LiveEvent.objects.get(kind="reply", data__position=2)
    assert row.data == {"post": Post.objects.get(position=2).pk, "position": 2}


def test_a_post_hidden_before_delivery_is_never_announced(
    make_member: MakeMember, make_thread: MakeThread, make_reply: MakeReply, moderator: User
) -> None:
    reader = make_member()
    thread = make_thread()

    async def scenario() -> None:
        stream = await _open(reader, _after(thread))
        await stream.next()
        await sync_to_async(_reply_then_hide)(make_reply, thread, moderator)
        await _delivered()
        changed = await stream.next()  # the hide itself: its place is on the page
        assert changed.kind == "post"
        assert await stream.nothing_more()

    run(scenario)


def _reply_then_hide(make_reply: MakeReply, thread: Thread, moderator: User) -> None:
    """A reply, hidden before any stream had it (one commit, so the hub cannot read the
    log in between)."""
    with transaction.atomic():
        post = make_reply(thread)
        hide_post(moderator=moderator, post=post, reason="Names a clinic.")


def test_a_moderator_sees_the_hidden_reply_announced(
    make_member: MakeMember, make_thread: MakeThread, make_reply: MakeReply, moderator: User
) -> None:
    thread = make_thread()

    async def scenario() -> None:
        stream = await _open(moderator, _after(thread))
        await stream.next()
        await sync_to_async(_reply_then_hide)(make_reply, thread, moderator)
        await _delivered()
        assert (await stream.next()).kind == "reply"

    run(scenario)


def test_nothing_comes_from_a_category_the_viewer_cannot_see(
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
    moderator: User,
) -> None:
    reader = make_member()
    private = make_category(visibility=Visibility.MODERATORS)
    hidden_thread = make_thread(author=moderator, category=private)
    thread = make_thread()

    async def scenario() -> None:
        refused, _ = await _answer(reader, f"?thread={hidden_thread.pk}&after=1")
        missing, _ = await _answer(reader, "?thread=999999&after=1")
        assert refused == missing == 404

        stream = await _open(reader, _after(thread))
        await stream.next()
        await sync_to_async(move_thread)(
            moderator=moderator, thread=thread, to=private, reason="Rota"
        )
        await sync_to_async(make_reply)(hidden_thread, author=moderator)
        moved = await Thread.objects.aget(pk=thread.pk)
        await sync_to_async(make_reply)(moved, author=moderator)
        assert await stream.nothing_more()

    run(scenario)


def test_a_reconnect_catches_up_without_losing_or_repeating(
    make_member: MakeMember, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    reader = make_member()
    thread = make_thread(author=reader)

    async def scenario() -> None:
        stream = await _open(reader, _after(thread))
        await stream.next()
        await sync_to_async(make_reply)(thread)
        await _delivered()
        first = await stream.next()
        await stream.close()  # the connection drops
        for _ in range(2):
            await sync_to_async(make_reply)(thread)  # written while nobody listened
        again = await _open(reader, _after(thread), last_event_id=first.id)
        caught_up = [await again.next(), await again.next()]
        assert [event.data["positions"] for event in caught_up] == [[3], [4]]
        await sync_to_async(make_reply)(thread)
        await _delivered()
        assert (await again.next()).data == {"positions": [5]}
        assert await again.nothing_more()

    run(scenario)


def test_a_fresh_stream_says_what_the_page_missed(
    make_member: MakeMember, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    reader = make_member()
    thread = make_thread()
    shown = thread.last_position  # the page was rendered here
    make_reply(thread)
    make_reply(thread)

    async def scenario() -> None:
        stream = await _open(reader, f"?thread={thread.pk}&after={shown}")
        await stream.next()  # the bell
        missed = await stream.next()
        assert (missed.id, missed.kind, missed.data) == (None, "reply", {"positions": [2, 3]})

    run(scenario)


def test_conversation_messages_reach_participants_only(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    fern, ash, willow = (make_member(username=name) for name in ("fern", "ash", "willow"))
    make_established(fern, ash, willow)
    open_to_everyone(fern, ash, willow)
    conversation = start_conversation(
        starter=fern, recipients=[ash, willow], title="", body="Hello", request_key="s"
    )

    async def scenario() -> None:
        outsider = await sync_to_async(make_member)()
        refused, _ = await _answer(outsider, f"?conversation={conversation.pk}&after=1")
        assert refused == 404

        query = f"?conversation={conversation.pk}&after=1"
        ashs, willows = await _open(ash, query), await _open(willow, query)
        await ashs.next()
        await willows.next()
        await sync_to_async(_leave)(willow, conversation)
        await sync_to_async(_send)(fern, conversation, "Are you there?")
        await _delivered()
        assert (await ashs.next()).data == {"positions": [2]}
        assert await willows.nothing_more()

    run(scenario)


def _leave(member: User, conversation: Conversation) -> None:
    leave_conversation(
        member=member, opened=get_conversation_for_viewer_or_404(member, conversation.pk)
    )


def _send(member: User, conversation: Conversation, body: str) -> None:
    send_message(
        author=member,
        opened=get_conversation_for_viewer_or_404(member, conversation.pk),
        body=body,
        request_key=body,
    )


def test_a_visitor_is_told_to_stop_trying() -> None:
    assert Client().get("/live/").status_code == 204

    async def scenario() -> None:
        status, _ = await _answer(None)
        assert status == 204

    run(scenario)


def test_a_page_on_the_same_host_and_another_port_may_read_it(member: User) -> None:
    assert cross_port_headers("http://127.0.0.1:8000", "127.0.0.1:8001")[:2] == [
        (b"access-control-allow-origin", b"http://127.0.0.1:8000"),
        (b"access-control-allow-credentials", b"true"),
    ]
    assert cross_port_headers("http://elsewhere.example", "127.0.0.1:8001") == []
    assert cross_port_headers(None, "127.0.0.1:8001") == []


def test_served_without_asgi_the_stream_catches_up_and_ends(
    member: User, client_for: ClientFor, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    thread = make_thread()
    make_reply(thread)
    response = client_for(member).get(f"/live/?thread={thread.pk}&after=1")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith("retry: 30000\n\n")
    assert 'event: reply\ndata: {"positions":[2]}' in body


def test_a_rolled_back_change_writes_no_event(member: User, make_thread: MakeThread) -> None:
    thread = make_thread()
    before = LiveEvent.objects.count()

    def reply_then_fail() -> None:
        with transaction.atomic():
            reply_to_thread(author=member, thread=thread, body="Never mind", request_key="r")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        reply_then_fail()
    assert LiveEvent.objects.count() == before


def test_housekeeping_forgets_events_past_the_replay_window(
    member: User, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    make_reply(make_thread())
    LiveEvent.objects.update(created_at=timezone.now() - timedelta(hours=1))
    make_reply(Thread.objects.get())
    assert forget_old_events() >= 1
    assert list(LiveEvent.objects.values_list("data__position", flat=True)) == [3]


def test_a_muted_authors_reply_is_announced_and_arrives_folded(
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    client_for: ClientFor,
) -> None:
    reader, muted = make_member(), make_member(display_name="Loud")
    mute_member(member=reader, target=muted)
    thread = make_thread()
    make_reply(thread, author=muted, body="Something loud")
    page = client_for(reader).get(f"/t/{thread.pk}/after/1/").content.decode()
    assert "Post from a muted member" in page
    assert "Something loud" in page  # inside the fold, as on the thread page
