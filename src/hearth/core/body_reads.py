"""Request bodies read with a time limit, so a client that trickles its body (or stops
sending it) holds a page thread for at most ``HEARTH_BODY_READ_TIMEOUT`` seconds.

The WSGI server hands each request to one of a worker's threads, which then
waits for the body as Django reads it; the server has no time limit of its
own for that. This wrapper reads the body first, in a helper thread, and
gives up with 408 when the time is out: the page thread goes back to serving
others, and the helper ends when the client's connection does. Bodies are at
most ``HEARTH_MAX_REQUEST_BYTES`` (larger ones are refused with 413 before
anything is read), so reading them into memory first costs what Django's own
form parsing would.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterable
from typing import Any

WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

TIMEOUT_BODY = (
    b"Your browser took too long to send this, so it was not received. "
    b"What you typed is still in the page you came from: please send it again."
)


class TimedBodyReads:
    """Wrap a WSGI application so request bodies are read within ``timeout`` seconds."""

    def __init__(self, application: WSGIApplication, *, timeout: float, limit: int) -> None:
        self.application = application
        self.timeout = timeout
        self.limit = limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= 0 or length > self.limit or self.timeout <= 0:
            return self.application(environ, start_response)
        received: list[bytes] = []
        stream = environ["wsgi.input"]

        def read() -> None:
            chunks, remaining = [], length
            while remaining > 0:
                chunk = stream.read(min(remaining, 65536))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            received.append(b"".join(chunks))

        reader = threading.Thread(target=read, name="hearth-body-read", daemon=True)
        reader.start()
        reader.join(self.timeout)
        if reader.is_alive() or not received:
            start_response(
                "408 Request Timeout",
                [("Content-Type", "text/plain; charset=utf-8"), ("Connection", "close")],
            )
            return [TIMEOUT_BODY]
        environ["wsgi.input"] = io.BytesIO(received[0])
        environ["CONTENT_LENGTH"] = str(len(received[0]))
        return self.application(environ, start_response)
