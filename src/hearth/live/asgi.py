"""The live stream as a plain ASGI application, for the ASGI server (``hearth live``).

Django's ASGI handler keeps a thread for each request while it runs (its sync
middleware and database calls are "thread-sensitive"): for a stream that lasts
minutes, a thousand open tabs would hold a thousand threads. This application
answers ``/live/`` itself instead -- the session cookie read once, the stream an
asyncio task -- and does every database call of every stream, and of the hub, on
one shared thread (``database_thread``). Everything else goes to Django's ASGI
handler. The protocol is the one ``live.views`` describes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.db import close_old_connections
from django.http import HttpRequest
from django.utils.module_loading import import_string

from hearth.accounts.middleware import signed_in_member
from hearth.accounts.models import User
from hearth.live.database import in_database
from hearth.live.delivery import Listener, catch_up, open_listener
from hearth.live.protocol import (
    HEARTBEAT,
    LIVE_PATH,
    RECONNECT_MS,
    STREAM_HEADERS,
    StreamRequest,
    cross_port_headers,
)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[Mapping[str, Any]], Awaitable[None]]


def _member_for(session_key: str) -> User | None:
    """The signed-in member of a session, checked as Django's authentication checks it
    (the session's password hash included) and read as the pages read it (through the
    member cache), or None."""
    close_old_connections()
    request = HttpRequest()
    request.session = import_string(settings.SESSION_ENGINE).SessionStore(session_key)
    user = signed_in_member(request)
    return user if isinstance(user, User) and user.is_active else None


def _session_key(scope: Scope) -> str:
    cookies = SimpleCookie()
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            with contextlib.suppress(Exception):
                cookies.load(value.decode("latin-1"))
    morsel = cookies.get(settings.SESSION_COOKIE_NAME)
    return morsel.value if morsel else ""


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


async def _answer(
    send: Send, status: int, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-length", b"0"), *(headers or [])],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def stream_app(scope: Scope, receive: Receive, send: Send) -> None:
    """``GET /live/``: the member's stream, until they leave or it has lasted its time."""
    from hearth.live.hub import get_hub  # noqa: PLC0415 - needs the running loop's hub

    if scope["method"] not in ("GET", "HEAD"):
        await _answer(send, 405, [(b"allow", b"GET, HEAD")])
        return
    query = {name: values[-1] for name, values in parse_qs(scope["query_string"].decode()).items()}
    asked = StreamRequest.parse(
        query, last_event_id=_header(scope, b"last-event-id") or query.get("last_event_id")
    )
    cors = cross_port_headers(_header(scope, b"origin"), _header(scope, b"host"))
    key = _session_key(scope)
    member = await in_database(_member_for, key) if key else None
    if member is None:
        await _answer(send, 204, cors)  # EventSource stops trying: a visitor hears nothing
        return
    listener = await in_database(
        open_listener, member, thread_id=asked.thread_id, conversation_id=asked.conversation_id
    )
    if listener is None:
        await _answer(send, 404, cors)
        return
    del member
    hub = await get_hub()
    hub.add(listener)  # before catching up: what is written meanwhile is queued
    # The browser leaving cancels this task wherever it waits (one watcher per stream,
    # rather than a race of two waits for every event).
    watcher = asyncio.ensure_future(_cancel_on_disconnect(receive, asyncio.current_task()))
    try:
        await _stream(send, listener, asked, cors)
    except asyncio.CancelledError:
        if not watcher.done():
            raise  # cancelled by the server, not by the browser leaving
    except OSError:
        pass  # the browser went away while we wrote
    finally:
        watcher.cancel()
        hub.remove(listener)


async def _stream(
    send: Send, listener: Listener, asked: StreamRequest, cors: list[tuple[bytes, bytes]]
) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": STREAM_HEADERS + cors})
    await _body(send, f"retry: {RECONNECT_MS}\n\n".encode())
    opening, sent_up_to = await in_database(
        catch_up, listener, last_event_id=asked.last_event_id, after=asked.after
    )
    await _body(send, b"".join(event.encode() for event in opening))
    ends_at = time.monotonic() + settings.HEARTH_LIVE_STREAM_SECONDS
    while not listener.overflowed:
        left = ends_at - time.monotonic()
        if left <= 0:
            break
        try:
            async with asyncio.timeout(min(left, settings.HEARTH_LIVE_HEARTBEAT_SECONDS)):
                event = await listener.queue.get()
        except TimeoutError:
            await _body(send, HEARTBEAT)
            continue
        if event.id is None or event.id > sent_up_to:
            sent_up_to = event.id or sent_up_to
            await _body(send, event.encode())
    await send({"type": "http.response.body", "body": b""})


async def _body(send: Send, body: bytes) -> None:
    await send({"type": "http.response.body", "body": body, "more_body": True})


async def _cancel_on_disconnect(receive: Receive, stream: asyncio.Task[Any] | None) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    if stream is not None:
        stream.cancel()


class LiveApplication:
    """``/live/`` answered here, everything else by Django; the hub starts with the
    server (ASGI lifespan) or with the first stream."""

    def __init__(self) -> None:
        self.django = ASGIHandler()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http" and scope["path"] == LIVE_PATH:
            await stream_app(scope, receive, send)
        else:
            await self.django(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        from hearth.live.hub import get_hub  # noqa: PLC0415

        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await get_hub()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
