"""Live updates across processes: two stream servers deliver the same events (on
PostgreSQL through LISTEN/NOTIFY, on SQLite by reading the log), and on PostgreSQL
the log's ids become visible in commit order, so a reader following them skips none."""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.test import Client

from hearth.accounts.models import User
from hearth.core.tests.serving import free_port
from hearth.forum.models import Thread
from hearth.forum.services import reply_to_thread
from hearth.forum.testing import MakeReply, MakeThread
from hearth.live.models import LiveEvent
from hearth.live.testing import live_stream_server

pytestmark = pytest.mark.django_db(transaction=True)


class RawStream:
    """``/live/`` read over a socket, as a browser would."""

    def __init__(self, port: int, cookie: str, query: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.connection.request("GET", f"/live/{query}", headers={"Cookie": cookie})
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        self.pending = b""

    def events(self, count: int, seconds: float = 10) -> list[tuple[str, str, dict[str, object]]]:
        """The next ``count`` events with an id: (id, kind, data)."""
        found: list[tuple[str, str, dict[str, object]]] = []
        deadline = time.monotonic() + seconds
        while len(found) < count:
            assert time.monotonic() < deadline, f"only {found} arrived"
            self.pending += self.response.read1(4096)
            while b"\n\n" in self.pending:
                block, self.pending = self.pending.split(b"\n\n", 1)
                fields = dict(
                    line.split(": ", 1) for line in block.decode().splitlines() if ": " in line
                )
                if "id" in fields:
                    found.append((fields["id"], fields["event"], json.loads(fields["data"])))
        return found

    def close(self) -> None:
        self.connection.close()


def _cookie(member: User) -> str:
    client = Client()
    client.force_login(member)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


@pytest.fixture
def two_servers() -> Iterator[list[int]]:
    ports = [free_port(), free_port()]
    with ExitStack() as stack:
        for port in ports:
            stack.enter_context(live_stream_server(port))
        yield ports


def test_two_stream_processes_deliver_the_same_events(
    two_servers: list[int], member: User, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    thread = make_thread(author=member)
    query = f"?thread={thread.pk}&after={thread.last_position}"
    streams = [RawStream(port, _cookie(member), query) for port in two_servers]
    try:
        time.sleep(0.5)  # both listening
        for _ in range(3):
            make_reply(thread)
        seen = [stream.events(3) for stream in streams]
    finally:
        for stream in streams:
            stream.close()
    assert seen[0] == seen[1]
    assert [data for _id, _kind, data in seen[0]] == [
        {"positions": [2]},
        {"positions": [3]},
        {"positions": [4]},
    ]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="SQLite runs one writing transaction at a time: its ids are in commit order",
)
def test_log_ids_become_visible_in_commit_order(member: User, make_thread: MakeThread) -> None:
    """A writer that took an id first and commits late holds back a writer that took a
    later id: a reader never sees the later id without the earlier one. (Two threads, so
    the writers share no row lock that would order them anyway.)"""
    thread, other_thread = make_thread(), make_thread()
    before = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    first_wrote = threading.Event()

    def slow_writer() -> None:
        with transaction.atomic():
            _reply(member, thread.pk, "slow")
            first_wrote.set()
            time.sleep(1.0)
        connections.close_all()

    def quick_writer() -> None:
        first_wrote.wait(5)
        with transaction.atomic():
            _reply(member, other_thread.pk, "quick")
        connections.close_all()

    writers = [threading.Thread(target=slow_writer), threading.Thread(target=quick_writer)]
    for writer in writers:
        writer.start()
    observed: list[list[int]] = []
    while any(writer.is_alive() for writer in writers):
        observed.append(_visible_ids_after(before))
        time.sleep(0.05)
    for writer in writers:
        writer.join()
    observed.append(_visible_ids_after(before))
    for ids in observed:
        assert ids == list(range(before + 1, before + 1 + len(ids))), observed
    assert len(observed[-1]) == 2


def _reply(member: User, thread_id: int, body: str) -> None:
    reply_to_thread(
        author=member, thread=Thread.objects.get(pk=thread_id), body=body, request_key=body
    )


def _visible_ids_after(before: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM live_liveevent WHERE id > %s ORDER BY id", [before])
        return [row[0] for row in cursor.fetchall()]
