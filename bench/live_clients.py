"""``python -m bench.live_clients``: hold many live streams open and note when each reply arrives.

A process of its own, started by ``bench.live``, so that reading a thousand
streams never slows the harness's own timing of requests. It opens ``--count``
streams of ``--path`` on 127.0.0.1 with the session cookie, as a browser's
EventSource does (HTTP/1.1, one connection each), and reads them with asyncio
protocols: one callback per chunk the server sends, no task or thread per
stream, so the process stays cheap however many streams it holds.

It runs at a lower priority than the servers (``NICENESS``), and prints
``open N failed K in S s: <first error>`` once every stream has
received its opening event (the bell: the server has registered it and caught
it up) or failed; ``received R opened N`` on SIGUSR1 (after writing the file);
and ``done R`` when SIGTERM (or SIGINT) has made it write the file and close
every stream. The file has a line ``r <stream> <position> <arrival> <id>`` for
each position of each ``reply`` event (arrival: ``time.time()`` when the chunk
carrying it was read; id ``-`` for the catching-up event a stream opens with),
then a line ``s <stream> <status> <pings> <ended>`` per stream (ended: 1 if the
server ended it before we stopped).

Standard library only: it never imports Django.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import signal
import sys
import time
from pathlib import Path

# Streams being connected at one time: the server sets up each on one database
# thread anyway, and a thousand simultaneous handshakes would only queue.
OPENING_AT_ONCE = 100
# File descriptors this process needs besides its sockets.
SPARE_DESCRIPTORS = 64
# Browsers read their streams on other machines: at a lower priority, reading a thousand
# streams takes little of the CPU the servers share with us (the arrival times noted are
# then upper bounds all the more).
NICENESS = 10


def raise_open_files_limit(needed: int = 0) -> int:
    """Raise the soft limit on open files to the hard limit; return the new soft limit.

    Raises SystemExit saying so if even the hard limit is below ``needed``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, needed, 65536)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
        soft = wanted
    if soft != resource.RLIM_INFINITY and soft < needed:
        message = f"open files are limited to {soft} (ulimit -Hn): {needed} are needed"
        raise SystemExit(message)
    return soft


class Stream(asyncio.Protocol):
    """One stream: an HTTP/1.1 response, chunked or not, read as server-sent events."""

    def __init__(self, index: int, request: bytes, clients: Clients) -> None:
        self.index = index
        self.request = request
        self.clients = clients
        self.transport: asyncio.Transport | None = None
        self.settled: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.buffer = bytearray()  # bytes from the socket not yet decoded
        self.body = bytearray()  # decoded body not yet split into events
        self.status = 0
        self.headers_read = False
        self.chunked = False
        self.chunk_left = -1  # data bytes left in this chunk; -1: a size line next; -2: CRLF
        self.is_open = False
        self.ended = False  # the server ended the stream before we stopped
        self.pings = 0
        self.error = ""

    # --- asyncio.Protocol -----------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        now = time.time()
        if self.error:
            return
        self.buffer += data
        if not self.headers_read and not self._read_headers():
            return
        if self.chunked:
            self._dechunk()
        else:
            self.body += self.buffer
            self.buffer.clear()
        while (end := self.body.find(b"\n\n")) >= 0:
            block = bytes(self.body[:end])
            del self.body[: end + 2]
            self._event(block, now)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.clients.stopping:
            self.ended = True
            if not self.is_open:
                self.fail(f"closed before the stream opened ({exc or 'by the server'})")

    # --- decoding ---------------------------------------------------------------------

    def _read_headers(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.buffer[:end]).decode("latin-1")
        del self.buffer[: end + 4]
        status_line, *header_lines = head.split("\r\n")
        parts = status_line.split(" ", 2)
        self.status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        self.headers_read = True
        if self.status != 200:
            self.fail(f"answered {status_line!r}, not 200")
            return False
        self.chunked = any(
            line.lower().replace(" ", "") == "transfer-encoding:chunked" for line in header_lines
        )
        return True

    def _dechunk(self) -> None:
        buffer = self.buffer
        while buffer:
            if self.chunk_left > 0:
                taken = min(self.chunk_left, len(buffer))
                self.body += buffer[:taken]
                del buffer[:taken]
                self.chunk_left -= taken
                if self.chunk_left == 0:
                    self.chunk_left = -2
            elif self.chunk_left == -2:
                if len(buffer) < 2:
                    return
                del buffer[:2]
                self.chunk_left = -1
            else:
                end = buffer.find(b"\r\n")
                if end < 0:
                    return
                size = int(bytes(buffer[:end]).split(b";")[0], 16)
                del buffer[: end + 2]
                if size == 0:  # the last chunk: the server ended the stream
                    buffer.clear()
                    self.ended = not self.clients.stopping
                    return
                self.chunk_left = size

    def _event(self, block: bytes, arrival: float) -> None:
        kind = event_id = data = b""
        for line in block.split(b"\n"):
            if line.startswith(b":"):
                self.pings += 1
                continue
            name, _, value = line.partition(b":")
            value = value.removeprefix(b" ")
            if name == b"event":
                kind = value
            elif name == b"id":
                event_id = value
            elif name == b"data":
                data = value
        if not kind:
            return  # "retry: ...", or a heartbeat
        if not self.is_open:
            self.is_open = True
            self.clients.opened += 1
            if not self.settled.done():
                self.settled.set_result(None)
        if kind == b"reply":
            shown_id = event_id.decode() or "-"
            for position in json.loads(data)["positions"]:
                self.clients.arrivals.append((self.index, int(position), arrival, shown_id))

    # --- helpers --------------------------------------------------------------------

    def fail(self, error: str) -> None:
        if not self.error:
            self.error = error
            self.clients.failed += 1
        if not self.settled.done():
            self.settled.set_result(None)
        if self.transport is not None:
            self.transport.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.abort()


class Clients:
    """Every stream, and what they have received."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.streams: list[Stream] = []
        self.arrivals: list[tuple[int, int, float, str]] = []
        self.opened = 0
        self.failed = 0
        self.stopping = False

    def write(self) -> None:
        lines = [
            f"r {stream} {position} {arrival:.6f} {event_id}\n"
            for stream, position, arrival, event_id in self.arrivals
        ]
        lines += [
            f"s {stream.index} {stream.status} {stream.pings} {int(stream.ended)}\n"
            for stream in self.streams
        ]
        partial = self.out.with_name(self.out.name + ".partial")
        partial.write_text("".join(lines))
        partial.replace(self.out)  # the reader never sees half a file

    def report(self) -> None:
        """SIGUSR1: write the file, then say how many reply positions have arrived."""
        self.write()
        print(f"received {len(self.arrivals)} opened {self.opened}", flush=True)


async def hold(*, port: int, path: str, cookie: str, count: int, out: Path) -> None:
    loop = asyncio.get_running_loop()
    clients = Clients(out)
    stop = asyncio.Event()
    for signal_number in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signal_number, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, clients.report)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
    ).encode("latin-1")
    gate = asyncio.Semaphore(OPENING_AT_ONCE)

    async def open_one(index: int) -> None:
        stream = Stream(index, request, clients)
        clients.streams.append(stream)
        async with gate:
            try:
                await loop.create_connection(lambda: stream, "127.0.0.1", port)
            except OSError as error:
                stream.fail(f"could not connect: {error}")
                return
            await stream.settled

    async def open_all() -> None:
        await asyncio.gather(*(open_one(index) for index in range(count)))

    async def until_stopped() -> None:
        await stop.wait()

    started = time.monotonic()
    opening = asyncio.ensure_future(open_all())
    stopped = asyncio.ensure_future(until_stopped())
    await asyncio.wait([opening, stopped], return_when=asyncio.FIRST_COMPLETED)
    if opening.done():
        first_error = next((stream.error for stream in clients.streams if stream.error), "")
        print(
            f"open {clients.opened} failed {clients.failed} in "
            f"{time.monotonic() - started:.2f} s: {first_error}",
            flush=True,
        )
    await stopped
    clients.stopping = True
    opening.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await opening
    for stream in clients.streams:
        stream.close()
    clients.write()
    print(f"done {len(clients.arrivals)}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.live_clients", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True, help='"/live/?thread=<id>&after=<position>"')
    parser.add_argument("--cookie", required=True, help="the Cookie header (sessionid=...)")
    parser.add_argument("--count", type=int, required=True, help="how many streams to open")
    parser.add_argument("--out", type=Path, required=True, help="where the arrivals are written")
    arguments = parser.parse_args(argv)
    raise_open_files_limit(arguments.count + SPARE_DESCRIPTORS)
    os.nice(NICENESS)
    asyncio.run(
        hold(
            port=arguments.port,
            path=arguments.path,
            cookie=arguments.cookie,
            count=arguments.count,
            out=arguments.out,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
