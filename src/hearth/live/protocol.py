"""What a stream is asked for, and how it answers: shared by the ASGI stream
(``live.asgi``) and the catch-up-only answer of the WSGI server (``live.views``).

A page opens ``/live/?thread=<id>&after=<position>`` (or ``conversation=``); a
reconnecting browser adds ``Last-Event-ID`` (or the page, reopening a stream it
closed while hidden, ``last_event_id=``). Numbers that are not ids are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

LIVE_PATH = "/live/"
# Tells the browser how soon to reconnect after a stream ends, in milliseconds; a
# server that cannot stream asks it to wait longer.
RECONNECT_MS = 2000
WITHOUT_STREAMING_RECONNECT_MS = 30_000
HEARTBEAT = b": ping\n\n"
MOST_DIGITS = 18  # as the id converter: every such number fits the database
STREAM_HEADERS = [
    (b"content-type", b"text/event-stream"),
    (b"cache-control", b"no-store"),
    (b"x-accel-buffering", b"no"),  # nginx: pass each event on at once
    (b"x-content-type-options", b"nosniff"),
]


def number(value: str | None) -> int | None:
    """A non-negative id or position, or None."""
    if value is None or not value.isdigit() or len(value) > MOST_DIGITS:
        return None
    return int(value)


@dataclass(frozen=True)
class StreamRequest:
    thread_id: int | None
    conversation_id: int | None
    after: int | None
    last_event_id: int | None

    @classmethod
    def parse(cls, query: Mapping[str, str], *, last_event_id: str | None) -> StreamRequest:
        return cls(
            thread_id=number(query.get("thread")),
            conversation_id=number(query.get("conversation")),
            after=number(query.get("after")),
            last_event_id=number(last_event_id),
        )


def cross_port_headers(origin: str | None, host: str | None) -> list[tuple[bytes, bytes]]:
    """CORS headers for a page on the same host but another port (``hearth serve`` runs
    the stream beside the pages); nothing for any other origin. The session cookie is
    the host's whatever the port, so this widens nothing."""
    if not origin or not host:
        return []
    page_host = urlsplit(origin).hostname
    stream_host = urlsplit(f"//{host}").hostname
    if page_host is None or page_host != stream_host:
        return []
    return [
        (b"access-control-allow-origin", origin.encode("latin-1")),
        (b"access-control-allow-credentials", b"true"),
        (b"vary", b"Origin"),
    ]
