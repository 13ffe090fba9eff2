"""Live updates (issue 14): what a thousand open streams cost, and how soon a reply reaches them.

docs/benchmarks.md, "Live updates", says what is measured and why. In short,
with ``hearth live`` running as production runs it (its own process, granian's
ASGI interface, one worker) beside the page server:

* **Memory.** The live worker's VmRSS once it has served a few streams and
  closed them (imports done, hub running, allocator warm), then with
  ``--live-streams`` idle streams open: the difference is what the streams add.
* **Pages.** The thread page's requests/s (wrk, as ``bench.run`` loads pages)
  without streams, with them open, and without again: the run with streams is
  compared with the mean of the two around it, so a drift of the machine during
  the three runs cancels out.
* **Replies.** Six batches of replies, one every ``REPLY_INTERVAL_SECONDS`` for
  ``--duration`` seconds each, into the thread the streams show, alternately with
  no stream open and with ``--live-streams`` open (without, with, with, without,
  without, with). Every reply's request is timed (posting p50 and p99 with and
  without streams), and each stream notes when each reply's event reached it:
  the latency from the request's start (the commit happens before the answer,
  so this is an upper bound) to the event, for every (reply, stream) pair, and
  whether every stream got every reply exactly once.

The streams are held by ``bench.live_clients``, a process of its own, so that
reading them does not slow this process's timing of requests. No ``hearth
worker`` runs: the replies' events are written by the posting transaction
itself; the notifications' bell events would need the worker and are not
measured here.
"""

from __future__ import annotations

import os
import re
import secrets
import select
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import load, report
from bench.live_clients import SPARE_DESCRIPTORS, raise_open_files_limit
from bench.server import BenchError, HearthServer, free_port, hearth_live
from bench.watchers import Poster, Target, percentile

# The live server's HEARTH_LIVE_STREAM_SECONDS: no stream ends during the measurement
# (production's 300 s would end the page runs' streams halfway through a long run).
STREAM_SECONDS = "3600"
WARM_STREAMS = 10
# After streams open (or close), before anything is measured: the server has set them
# up when the last one received its opening event, this lets the rest settle.
SETTLE_SECONDS = 1.0
REPLY_INTERVAL_SECONDS = 0.25
BATCHES = ("without", "with", "with", "without", "without", "with")
OPEN_TIMEOUT_SECONDS = 120
# A delivery that has not arrived this long after the batch's last reply is lost.
DELIVERY_TIMEOUT_SECONDS = 10.0
STOP_TIMEOUT_SECONDS = 30
OPEN_LINE = re.compile(r"open (\d+) failed (\d+) in ([\d.]+) s: ?(.*)")


@dataclass(frozen=True)
class Sent:
    """One reply's request: its key, when it started and was answered (``time.time()``,
    the clock the streams' arrivals are noted with), its status and latency."""

    key: str
    started: float
    answered: float
    status: int
    latency_ms: float


@dataclass(frozen=True)
class Arrival:
    stream: int
    position: int
    at: float  # time.time() when the chunk carrying it was read
    event_id: str  # "-" for the catching-up event a stream opens with


class _Lines:
    """Lines from a child's stdout, each waited for at most a given time."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        self.descriptor = process.stdout.fileno()
        self.pending = b""

    def next(self, timeout: float) -> str | None:
        """The next line, or None if none came in ``timeout`` seconds or the output ended."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self.descriptor], [], [], left)
            if ready:
                chunk = os.read(self.descriptor, 4096)
                if not chunk:
                    return None
                self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return line.decode(errors="replace")


@dataclass
class Streams:
    """A ``bench.live_clients`` process holding ``count`` streams open."""

    process: subprocess.Popen[bytes]
    lines: _Lines
    count: int
    log_path: Path
    open_seconds: float = 0.0
    arrivals: list[Arrival] = field(default_factory=list)
    ended: int = 0  # streams the server ended before the clients stopped

    def progress(self) -> tuple[int, int]:
        """Reply positions received so far, and streams open (asks the process: SIGUSR1)."""
        self.process.send_signal(signal.SIGUSR1)
        while (line := self.lines.next(STOP_TIMEOUT_SECONDS)) is not None:
            if line.startswith("received "):
                _, received, _, opened = line.split()
                return int(received), int(opened)
        message = f"the live clients did not answer SIGUSR1:\n{_tail(self.log_path)}"
        raise BenchError(message)

    def wait_for(self, expected: int, timeout: float) -> int:
        """Wait until ``expected`` reply positions have arrived, at most ``timeout``
        seconds; return how many did."""
        deadline = time.monotonic() + timeout
        while True:
            received, _opened = self.progress()
            if received >= expected or time.monotonic() > deadline:
                return received
            time.sleep(0.2)

    def stop(self, out: Path) -> None:
        """SIGTERM: the process writes what arrived and exits; read it."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            message = f"the live clients did not stop in {STOP_TIMEOUT_SECONDS} s"
            raise BenchError(message) from None
        if self.process.returncode != 0 or not out.exists():
            message = (
                f"the live clients exited with {self.process.returncode}:\n{_tail(self.log_path)}"
            )
            raise BenchError(message)
        for line in out.read_text().splitlines():
            kind, *values = line.split()
            if kind == "r":
                self.arrivals.append(
                    Arrival(int(values[0]), int(values[1]), float(values[2]), values[3])
                )
            elif kind == "s" and values[3] == "1":
                self.ended += 1


@contextmanager
def open_streams(
    *, port: int, path: str, cookie: str, count: int, work: Path, environment: dict[str, str]
) -> Iterator[Streams]:
    """Open ``count`` streams of ``path`` in a ``bench.live_clients`` process; yield once
    every one has received its opening event. On the way out the process is stopped and
    what arrived is read into ``arrivals`` (only when the block ended normally)."""
    out = work / f"live-arrivals-{secrets.token_hex(4)}.txt"
    log_path = work / "live-clients.log"
    command = [
        sys.executable, "-m", "bench.live_clients", "--port", str(port), "--path", path,
        "--cookie", cookie, "--count", str(count), "--out", str(out),
    ]  # fmt: skip
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=log,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    streams = Streams(process=process, lines=_Lines(process), count=count, log_path=log_path)
    try:
        line = streams.lines.next(OPEN_TIMEOUT_SECONDS)
        if line is None:
            if process.poll() is not None:
                message = f"the live clients exited with {process.returncode}:\n{_tail(log_path)}"
                raise BenchError(message)
            _received, opened_by_now = streams.progress()
            message = (
                f"only {opened_by_now} of {count} live streams opened in {OPEN_TIMEOUT_SECONDS} s "
                "(is the live server's concurrency capped? granian's --backpressure)"
            )
            raise BenchError(message)
        found = OPEN_LINE.fullmatch(line)
        if found is None:
            message = f"the live clients said {line!r}, not 'open ...'"
            raise BenchError(message)
        opened, failed, seconds, error = found.groups()
        if int(failed) or int(opened) != count:
            message = f"{failed} of {count} live streams failed to open; the first: {error}"
            raise BenchError(message)
        streams.open_seconds = float(seconds)
        yield streams
        streams.stop(out)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        if process.stdout is not None:
            process.stdout.close()
        out.unlink(missing_ok=True)


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


@dataclass(frozen=True)
class Setting:
    """What every part of the measurement needs: where things are, and who acts."""

    pages: HearthServer
    live: HearthServer
    work: Path
    environment: dict[str, str]
    streams: int
    target: Target  # the thread the streams show, the page measured and the replies' thread
    reader_cookie: str  # the member who holds the streams and reads the page
    writer: load.Writer  # the member who posts the replies
    body: str
    seconds: int
    warmup: int
    connections: int
    threads: int
    page_script: Path
    say: Callable[[str], None]

    def streams_open(self, count: int) -> AbstractContextManager[Streams]:
        """``count`` streams of the thread, after its last position now."""
        from hearth.forum.models import Thread  # noqa: PLC0415 - Django is set up by now

        last = Thread.objects.values_list("last_position", flat=True).get(pk=self.target.thread_id)
        return open_streams(
            port=self.live.port,
            path=f"/live/?thread={self.target.thread_id}&after={last}",
            cookie=self.reader_cookie,
            count=count,
            work=self.work,
            environment=self.environment,
        )


def measure(
    *,
    pages: HearthServer,
    environment: dict[str, str],
    work: Path,
    streams: int,
    target: Target,
    page_name: str,
    reader_cookie: str,
    writer: load.Writer,
    body: str,
    queries: int,
    seconds: int,
    warmup: int,
    connections: int,
    threads: int,
    page_script: Path,
    say: Callable[[str], None],
) -> report.Live:
    """Start ``hearth live``, measure (module docstring), stop it. ``queries`` is one
    reply's queries in ``target``'s thread; ``seconds`` is --duration."""
    # The live server inherits the limit: a thousand streams are a thousand sockets.
    raise_open_files_limit(streams + SPARE_DESCRIPTORS)
    say("starting hearth live")
    with hearth_live(
        environment=environment | {"HEARTH_LIVE_STREAM_SECONDS": STREAM_SECONDS},
        port=free_port(),
        log_path=work / "live.log",
    ) as live:
        setting = Setting(
            pages=pages, live=live, work=work, environment=environment, streams=streams,
            target=target, reader_cookie=reader_cookie, writer=writer, body=body,
            seconds=seconds, warmup=warmup, connections=connections, threads=threads,
            page_script=page_script, say=say,
        )  # fmt: skip
        try:
            return _measure(setting, page_name=page_name, queries=queries)
        except BenchError as error:
            message = f"{error}\n--- live server log (last lines) ---\n{live.log_tail()}"
            raise BenchError(message) from error


def _measure(setting: Setting, *, page_name: str, queries: int) -> report.Live:
    say, count = setting.say, setting.streams
    run_id = "l" + secrets.token_hex(4)

    say(f"live: warming up ({min(count, WARM_STREAMS)} streams, one reply)")
    with setting.streams_open(min(count, WARM_STREAMS)) as warm:
        time.sleep(SETTLE_SECONDS)
        sent = _post_batch(setting, replies=1, prefix=f"{run_id}-warm")
        warm.wait_for(warm.count * sum(each.status == 302 for each in sent), timeout=10)
    time.sleep(SETTLE_SECONDS)
    idle_rss, _peak = _worker_memory(setting.live)

    say(f"live: {page_name} without streams, with {count} idle streams open, without again")
    worker = _worker_pid(setting.live)
    page_before = _load_page(setting)
    with setting.streams_open(count) as held:
        time.sleep(SETTLE_SECONDS)
        streams_rss, _peak = _worker_memory(setting.live)
        page_with = _load_page(setting)
    page_after = _load_page(setting)
    open_seconds = [held.open_seconds]
    ended = held.ended

    batches = _post_batches(setting, run_id=run_id, worker=worker)
    open_seconds.extend(batches.open_seconds)
    ended += batches.ended
    _rss, peak_rss = _worker_memory(setting.live)

    stored = _stored_positions(setting.target.thread_id, run_id)
    deliveries = _deliveries(batches.heard, stored)
    sent_by_kind = batches.sent
    rows = {
        kind: _posting_row(
            kind,
            sent_by_kind[kind],
            stored,
            setting=setting,
            queries=queries,
            seconds=batches.seconds[kind],
        )
        for kind in ("without", "with")
    }
    page_without = statistics.mean(
        [page_before.requests_per_second, page_after.requests_per_second]
    )
    return report.Live(
        streams=count,
        open_seconds=open_seconds,
        page_name=page_name,
        rss_idle_mib=idle_rss,
        rss_streams_mib=streams_rss,
        rss_added_mib=streams_rss - idle_rss,
        rss_after_replies_mib=batches.rss_after_replies,
        peak_rss_mib=peak_rss,
        page_without=[page_before, page_after],
        page_with=page_with,
        page_ratio=page_with.requests_per_second / page_without if page_without else 0.0,
        replies=deliveries.replies,
        deliveries_expected=deliveries.expected,
        deliveries=deliveries.received,
        lost=deliveries.lost,
        duplicated=deliveries.duplicated,
        unexpected=deliveries.unexpected,
        streams_ended=ended,
        latency_p50_ms=percentile(deliveries.latencies_ms, 0.50),
        latency_p99_ms=percentile(deliveries.latencies_ms, 0.99),
        latency_max_ms=max(deliveries.latencies_ms, default=0.0),
        latency_after_answer_p50_ms=percentile(deliveries.after_answer_ms, 0.50),
        latency_after_answer_p99_ms=percentile(deliveries.after_answer_ms, 0.99),
        posting_without=rows["without"],
        posting_with=rows["with"],
        posting_p99_ratio=(
            rows["with"].p99_ms / rows["without"].p99_ms if rows["without"].p99_ms else 0.0
        ),
        live_cpu_per_reply_ms=1000 * batches.live_cpu["with"] / max(1, len(sent_by_kind["with"])),
        live_cpu_per_reply_without_ms=(
            1000 * batches.live_cpu["without"] / max(1, len(sent_by_kind["without"]))
        ),
        clients_cpu_per_reply_ms=1000 * batches.clients_cpu / max(1, len(sent_by_kind["with"])),
    )


@dataclass
class Batches:
    """What the batches of replies gave, by kind ("with" streams open, or "without")."""

    sent: dict[str, list[Sent]] = field(default_factory=lambda: {"with": [], "without": []})
    seconds: dict[str, float] = field(default_factory=lambda: {"with": 0.0, "without": 0.0})
    # CPU seconds the live worker spent on each kind's batches, from the first reply until
    # every stream had the last (without streams: a second after it, the hub's reading
    # included), and the streams' process on the batches with streams.
    live_cpu: dict[str, float] = field(default_factory=lambda: {"with": 0.0, "without": 0.0})
    clients_cpu: float = 0.0
    heard: list[tuple[list[Sent], Streams]] = field(default_factory=list)
    open_seconds: list[float] = field(default_factory=list)
    ended: int = 0
    rss_after_replies: float = 0.0


def _post_batches(setting: Setting, *, run_id: str, worker: int) -> Batches:
    """The batches of replies, in BATCHES's order: with streams, each batch opens its own
    (after the thread's last position), waits until every stream has every reply (at most
    DELIVERY_TIMEOUT_SECONDS), then stops them and reads their arrivals."""
    replies = max(2, round(setting.seconds / REPLY_INTERVAL_SECONDS))
    batches = Batches()
    for number, kind in enumerate(BATCHES):
        setting.say(f"live: replies, batch {number + 1} of {len(BATCHES)}, {kind} streams")
        if kind == "without":
            cpu_before = _cpu_seconds(worker)
            sent = _post_batch(setting, replies=replies, prefix=f"{run_id}-{number}")
            time.sleep(SETTLE_SECONDS)
            batches.live_cpu[kind] += _cpu_seconds(worker) - cpu_before
        else:
            with setting.streams_open(setting.streams) as held:
                time.sleep(SETTLE_SECONDS)
                cpu_before = _cpu_seconds(worker)
                clients_before = _cpu_seconds(held.process.pid)
                sent = _post_batch(setting, replies=replies, prefix=f"{run_id}-{number}")
                acknowledged = sum(each.status == 302 for each in sent)
                held.wait_for(held.count * acknowledged, timeout=DELIVERY_TIMEOUT_SECONDS)
                batches.live_cpu[kind] += _cpu_seconds(worker) - cpu_before
                batches.clients_cpu += _cpu_seconds(held.process.pid) - clients_before
                batches.rss_after_replies = max(
                    batches.rss_after_replies, _worker_memory(setting.live)[0]
                )
            batches.heard.append((sent, held))
            batches.open_seconds.append(held.open_seconds)
            batches.ended += held.ended
        batches.seconds[kind] += sent[-1].answered - sent[0].started
        batches.sent[kind] += sent
    return batches


def _worker_memory(live: HearthServer) -> tuple[float, float]:
    """The live worker's VmRSS and VmHWM in MiB (the largest, should there be several)."""
    memory = live.worker_memory()
    if not memory:
        message = "found no granian worker process of hearth live to measure"
        raise BenchError(message)
    return (
        max(worker.rss_bytes for worker in memory) / report.MIB,
        max(worker.peak_bytes for worker in memory) / report.MIB,
    )


def _worker_pid(live: HearthServer) -> int:
    memory = live.worker_memory()
    if len(memory) != 1:
        message = f"expected one granian worker process of hearth live, found {len(memory)}"
        raise BenchError(message)
    return memory[0].pid


def _cpu_seconds(pid: int) -> float:
    """CPU time a process has used, user and system (``/proc/<pid>/stat``)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError as error:
        message = f"cannot read the CPU time of process {pid}: {error}"
        raise BenchError(message) from error
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load_page(setting: Setting) -> report.PageLoad:
    """The thread page as the member, with wrk: the warm-up (discarded), then measured,
    noting the share of a core the live worker used meanwhile."""
    url = setting.pages.origin + setting.target.thread_path

    def run(seconds: int) -> load.WrkResult:
        return load.load_page(
            url, cookie=setting.reader_cookie, seconds=seconds, connections=setting.connections,
            threads=setting.threads, script=setting.page_script,
        )  # fmt: skip

    if setting.warmup:
        run(setting.warmup)
    worker = _worker_pid(setting.live)
    cpu_before, started = _cpu_seconds(worker), time.monotonic()
    result = run(setting.seconds)
    live_share = (_cpu_seconds(worker) - cpu_before) / (time.monotonic() - started)
    return report.PageLoad(
        live_worker_cpu=live_share,
        requests_per_second=result.requests_per_second,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        requests=result.requests,
        errors=result.errors,
    )


def _post_batch(setting: Setting, *, replies: int, prefix: str) -> list[Sent]:
    """Post ``replies`` replies, one every REPLY_INTERVAL_SECONDS (or at once after a slow
    one), on a fresh keep-alive connection; note when each request started."""
    poster = Poster(
        port=setting.pages.port, origin=setting.pages.origin, writer=setting.writer,
        body=setting.body,
    )  # fmt: skip
    sent = []
    try:
        poster.connection.connect()  # not timed: the batches' first replies pay no connect
        begin = time.monotonic()
        for index in range(replies):
            if (wait := begin + index * REPLY_INTERVAL_SECONDS - time.monotonic()) > 0:
                time.sleep(wait)
            key = f"{prefix}-{index}"
            started = time.time()
            status, latency_ms = poster.post(setting.target, key)
            sent.append(Sent(key, started, started + latency_ms / 1000, status, latency_ms))
    finally:
        poster.close()
    return sent


def _stored_positions(thread_id: int, run_id: str) -> dict[str, list[int]]:
    """The positions of the run's replies in the database, by request key."""
    from hearth.forum.models import Post  # noqa: PLC0415 - Django is set up by now

    found: dict[str, list[int]] = {}
    rows = Post.objects.filter(thread_id=thread_id, request_key__startswith=f"{run_id}-")
    for key, position in rows.values_list("request_key", "position"):
        found.setdefault(key, []).append(position)
    return found


@dataclass
class Deliveries:
    replies: int = 0
    expected: int = 0
    received: int = 0
    lost: int = 0  # (reply, stream) pairs that never arrived
    duplicated: int = 0  # arrivals beyond the first of a pair
    unexpected: int = 0  # positions that no reply of the batch had
    latencies_ms: list[float] = field(default_factory=list)  # from the request's start
    after_answer_ms: list[float] = field(default_factory=list)  # from its answer


def _deliveries(
    heard: list[tuple[list[Sent], Streams]], stored: dict[str, list[int]]
) -> Deliveries:
    """Match each stream's arrivals with the replies of its batch: latencies, and every
    (reply, stream) pair's arrivals (one expected)."""
    result = Deliveries()
    for sent, streams in heard:
        posted = {
            stored[each.key][0]: each
            for each in sent
            if each.status == 302 and len(stored.get(each.key, [])) == 1
        }
        result.replies += len(posted)
        result.expected += len(posted) * streams.count
        arrivals: Counter[tuple[int, int]] = Counter()
        for arrival in streams.arrivals:
            reply = posted.get(arrival.position)
            if reply is None:
                result.unexpected += 1
                continue
            arrivals[arrival.stream, arrival.position] += 1
            if arrivals[arrival.stream, arrival.position] == 1:
                result.received += 1
                result.latencies_ms.append((arrival.at - reply.started) * 1000)
                result.after_answer_ms.append((arrival.at - reply.answered) * 1000)
        result.lost += len(posted) * streams.count - len(arrivals)
        result.duplicated += sum(times - 1 for times in arrivals.values())
    return result


def _posting_row(
    kind: str,
    sent: list[Sent],
    stored: dict[str, list[int]],
    *,
    setting: Setting,
    queries: int,
    seconds: float,
) -> report.Row:
    """A row of the table: the replies of one kind's batches, each answer checked (the
    redirect, then exactly one post with its key)."""
    latencies = [each.latency_ms for each in sent if each.status]
    errors = sum(each.status != 302 for each in sent)
    errors += sum(len(stored.get(each.key, [])) != 1 for each in sent if each.status == 302)
    return report.Row(
        key=f"post-live-{kind}",
        name=(
            f"reply posting, {setting.streams} live streams of the thread open"
            if kind == "with"
            else "reply posting, no live stream open"
        ),
        audience=f"1 writer, {1 / REPLY_INTERVAL_SECONDS:.0f} a second",
        kind="post",
        requests_per_second=len(latencies) / seconds if seconds else 0.0,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        body_bytes=len(setting.body.encode()),
        queries=queries,
        errors=errors,
        requests=len(latencies),
    )
