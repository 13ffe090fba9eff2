"""One hub per process that serves streams: it reads the event log once for all of them
and hands each open stream what it may have.

The log (``LiveEvent``) is the only way events travel, so nothing depends on a
wake-up arriving: on PostgreSQL the hub ``LISTEN``s, and a commit that wrote rows
wakes every process at once (``NOTIFY`` in the writing transaction); on SQLite -- one
machine, no extra service -- a commit in this process wakes it directly and other
processes' commits are found by polling the log (an indexed read of the rows after
the last one seen, every ``HEARTH_LIVE_POLL_SECONDS``). Streams are asyncio tasks,
not threads: an idle one costs a queue and a generator.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from hearth.live.database import in_database
from hearth.live.delivery import Listener, deliverable
from hearth.live.models import LiveEvent
from hearth.live.recording import CHANNEL

logger = logging.getLogger(__name__)

# Rows read per round: a burst larger than this is read in several.
BATCH = 500
# How long to wait after the database failed before trying again.
RETRY_AFTER_SECONDS = 2.0
# With LISTEN working, the log is still read this often, in case a wake-up was lost
# (the listening connection dropped and came back).
POLL_WITH_LISTEN_SECONDS = 5.0

_hub: Hub | None = None


class Hub:
    def __init__(self) -> None:
        self.listeners: defaultdict[str, set[Listener]] = defaultdict(set)
        self.last_id = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []

    @property
    def stream_count(self) -> int:
        return len({listener for group in self.listeners.values() for listener in group})

    async def start(self) -> None:
        self.last_id = await in_database(_latest_id)
        self._tasks.append(asyncio.create_task(self._read_log(), name="live-hub"))
        if connection.vendor == "postgresql":
            self._tasks.append(asyncio.create_task(self._listen(), name="live-listen"))

    def add(self, listener: Listener) -> None:
        for topic in listener.topics:
            self.listeners[topic].add(listener)

    def remove(self, listener: Listener) -> None:
        for topic in listener.topics:
            group = self.listeners.get(topic)
            if group is not None:
                group.discard(listener)
                if not group:
                    del self.listeners[topic]

    def wake(self) -> None:
        self._wake.set()

    async def _read_log(self) -> None:
        poll = (
            POLL_WITH_LISTEN_SECONDS
            if connection.vendor == "postgresql"
            else settings.HEARTH_LIVE_POLL_SECONDS
        )
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll)
            self._wake.clear()
            try:
                await self.deliver_new_rows()
            except Exception:
                logger.exception("Live updates could not read the event log; trying again.")
                await in_database(close_old_connections)
                await asyncio.sleep(RETRY_AFTER_SECONDS)

    async def deliver_new_rows(self) -> int:
        """Read the log past the last row seen and hand out what it holds; return how
        many rows were read."""
        read = 0
        while True:
            listeners = {listener for group in self.listeners.values() for listener in group}
            rows, deliveries = await in_database(_read_and_sort, self.last_id, listeners)
            for listener, event in deliveries:
                listener.offer(event)
            if rows:
                self.last_id = rows[-1].pk
            read += len(rows)
            if len(rows) < BATCH:
                return read

    async def _listen(self) -> None:
        """Wake the hub whenever PostgreSQL says a commit wrote rows."""
        import psycopg  # noqa: PLC0415 - only with PostgreSQL

        while True:
            try:
                params = await in_database(connection.get_connection_params)
                params.pop("cursor_factory", None)
                params.pop("context", None)
                async with await psycopg.AsyncConnection.connect(
                    **params, autocommit=True
                ) as listening:
                    await listening.execute(f"LISTEN {CHANNEL}")
                    self.wake()  # rows written while not listening
                    async for _notice in listening.notifies():
                        self.wake()
            except Exception:
                logger.exception("Live updates lost PostgreSQL's LISTEN; reconnecting.")
                await asyncio.sleep(RETRY_AFTER_SECONDS)


def _latest_id() -> int:
    return LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _read_and_sort(
    last_id: int, listeners: set[Listener]
) -> tuple[list[LiveEvent], list[tuple[Listener, Any]]]:
    rows = list(LiveEvent.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
    if not rows or not listeners:
        return rows, []
    return rows, deliverable(rows, listeners)


async def get_hub() -> Hub:
    """This process's hub, started on first use (in the server's event loop)."""
    global _hub  # noqa: PLW0603 - one per process
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        # Set before the first await, so streams opening meanwhile share this one.
        _hub = Hub()
        _hub.loop = loop
        await _hub.start()
    return _hub


def wake_local_hub() -> None:
    """Wake this process's hub, if it has one (from any thread: a commit's callback)."""
    hub = _hub
    if hub is not None and hub.loop is not None and not hub.loop.is_closed():
        hub.loop.call_soon_threadsafe(hub.wake)
