"""Request bodies are read within a time limit (hearth.core.body_reads)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable
from typing import Any

from hearth.core.body_reads import TimedBodyReads


class Recorder:
    """A WSGI application that answers with the body it was given."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.bodies.append(body)
        start_response("200 OK", [])
        return [body]


class NeverFinishes(io.RawIOBase):
    """A client that sent part of its body and stopped."""

    def __init__(self) -> None:
        self.released = threading.Event()
        self.sent = False

    def read(self, size: int = -1) -> bytes:
        if not self.sent:
            self.sent = True
            return b"login=a"
        self.released.wait(10)
        return b""


def _call(application: TimedBodyReads, environ: dict[str, Any]) -> tuple[str, bytes]:
    statuses: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        statuses.append(status)

    body = b"".join(application(environ, start_response))
    return statuses[0], body


def test_a_body_that_arrives_in_time_reaches_the_application_whole() -> None:
    inner = Recorder()
    application = TimedBodyReads(inner, timeout=5, limit=1024)
    environ = {"CONTENT_LENGTH": "11", "wsgi.input": io.BytesIO(b"body=words!")}

    status, body = _call(application, environ)

    assert status == "200 OK"
    assert body == b"body=words!"


def test_a_body_that_stops_arriving_is_a_408_and_never_reaches_the_application() -> None:
    inner = Recorder()
    application = TimedBodyReads(inner, timeout=0.2, limit=1024)
    stalled = NeverFinishes()
    environ = {"CONTENT_LENGTH": "1000", "wsgi.input": stalled}

    status, body = _call(application, environ)
    stalled.released.set()

    assert status == "408 Request Timeout"
    assert b"send it again" in body
    assert inner.bodies == []


def test_requests_without_a_body_or_over_the_limit_pass_straight_through() -> None:
    inner = Recorder()
    application = TimedBodyReads(inner, timeout=0.2, limit=4)

    assert _call(application, {"wsgi.input": io.BytesIO(b"")})[0] == "200 OK"
    oversized = {"CONTENT_LENGTH": "10", "wsgi.input": io.BytesIO(b"0123456789")}
    assert _call(application, oversized)[0] == "200 OK"  # the size limit answers it later
