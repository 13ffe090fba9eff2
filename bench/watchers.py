"""Replies in a thread 1,000 members watch, against replies in one nobody watches.

Two measurements (docs/benchmarks.md, "Replies to watched threads"):

* **Posting.** One signed-in member posts replies over one keep-alive
  connection, alternating between the watched thread and the unwatched one
  (in the order watched, unwatched, unwatched, watched, ...), for the warm-up
  and then twice the measured duration (two threads share it, so each gets a
  scenario's worth of replies). Every latency is kept, so each thread's p50
  and p99 are exact. A loop in this process rather than wrk: wrk reports
  one latency distribution per run, so the two threads would have to be
  loaded one after the other, and on a shared machine anything that happened
  during one run but not the other would read as a difference between them;
  alternating request by request puts both threads under the same conditions,
  and gives both the same number of replies. No worker runs meanwhile: the
  fan-out tasks wait in the queue, so what is compared is the request alone
  (the worker's share of the machine is not in it).
* **Fan-out.** The tasks queued so far are discarded (the data set's and the
  posting runs': running them first would time that backlog), ``hearth worker``
  is started with the server's environment, and after one warm-up reply, each
  sample is one reply in the watched thread, sent at a random moment of the
  idle worker's one-second polling: the time from its answer (its transaction
  committed just before) until every watcher's notification exists, polled
  with SQL, then until the queue is empty again (every email written). The
  worker is stopped on the way out, also on Ctrl-C.
"""

from __future__ import annotations

import http.client
import math
import random
import secrets
import statistics
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import report
from bench.load import Writer
from bench.server import BenchError, HearthWorker, hearth_worker

if TYPE_CHECKING:
    from django_tasks_db.models import DBTaskResult

FANOUT_SAMPLES = 3
# An idle ``hearth worker`` looks for tasks once a second (django-tasks-db's default
# ``--interval``): each sample's reply waits a random part of that first, so it arrives
# at any moment of the worker's cycle, as members' replies do, not always just after it
# looked (the bench sees the queue empty at once, and would always wait the longest).
WORKER_INTERVAL_SECONDS = 1.0
POLL_SECONDS = 0.01
NOTIFICATIONS_TIMEOUT_SECONDS = 120
QUEUE_TIMEOUT_SECONDS = 300
REQUEST_TIMEOUT_SECONDS = 60
SERIES = ("watched", "unwatched")


@dataclass
class Series:
    """What one thread's replies got: every latency, the keys acknowledged, the failures."""

    latencies_ms: list[float] = field(default_factory=list)
    acked_keys: list[str] = field(default_factory=list)
    errors: int = 0  # connection errors and any answer but the redirect to the new post
    seconds: float = 0.0  # the loop's whole duration (both threads)


@dataclass(frozen=True)
class Target:
    """One of the two threads, and where its replies are posted."""

    thread_id: int
    reply_path: str
    thread_path: str


def measure(
    *,
    port: int,
    origin: str,
    writer: Writer,
    targets: dict[str, Target],
    body: str,
    queries: dict[str, int],
    watchers: int,
    seconds: int,
    warmup: int,
    environment: dict[str, str],
    log_path: Path,
    say: Callable[[str], None],
) -> report.WatchedPosting:
    """Both measurements; ``targets`` is keyed "watched" and "unwatched", ``queries`` too
    (one reply's queries in each thread), ``seconds`` is --duration."""
    say(f"measuring replies in a thread {watchers} members watch, and in one nobody watches")
    poster = Poster(port=port, origin=origin, writer=writer, body=body)
    try:
        if warmup:
            poster.alternate(targets, seconds=warmup, run_id="w" + secrets.token_hex(4))
        run_id = "b" + secrets.token_hex(4)
        series = poster.alternate(targets, seconds=2 * seconds, run_id=run_id)
    finally:
        poster.close()
    accounting = {name: _accounting(series[name], targets[name], run_id, name) for name in SERIES}
    rows = {
        name: _row(
            name,
            series[name],
            accounting[name],
            body=body,
            queries=queries[name],
            watchers=watchers,
        )
        for name in SERIES
    }

    discarded = discard_queued_tasks()
    say(f"starting hearth worker ({discarded} queued tasks discarded first)")
    with hearth_worker(environment=environment, log_path=log_path) as worker:
        fanouts = measure_fanout(
            poster=Poster(port=port, origin=origin, writer=writer, body=body),
            worker=worker,
            targets=targets,
            watchers=watchers,
            say=say,
        )
    middle = statistics.median_low([sample.seconds for sample in fanouts])
    typical = next(sample for sample in fanouts if sample.seconds == middle)
    watched, unwatched = rows["watched"], rows["unwatched"]
    return report.WatchedPosting(
        watchers=watchers,
        watched=watched,
        unwatched=unwatched,
        p50_ratio=watched.p50_ms / unwatched.p50_ms if unwatched.p50_ms else 0.0,
        p99_ratio=watched.p99_ms / unwatched.p99_ms if unwatched.p99_ms else 0.0,
        lost=sum(lost for lost, _duplicated in accounting.values()),
        duplicated=sum(duplicated for _lost, duplicated in accounting.values()),
        discarded_tasks=discarded,
        fanout=typical,
        fanouts=fanouts,
    )


# --- Posting ---------------------------------------------------------------------------


class Poster:
    """One member posting replies on one keep-alive connection, as a browser's form does."""

    def __init__(self, *, port: int, origin: str, writer: Writer, body: str) -> None:
        self.port = port
        self.origin = origin
        self.writer = writer
        self.body = body
        self.connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS
        )

    def close(self) -> None:
        self.connection.close()

    def post(self, target: Target, request_key: str) -> tuple[int, float]:
        """POST one reply; return the answer's status (0: no answer) and its latency in ms."""
        form = urllib.parse.urlencode(
            {
                "body": self.body,
                "request_key": request_key,
                "csrfmiddlewaretoken": self.writer.csrf_token,
            }
        )
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": self.writer.cookie,
            "Origin": self.origin,
            "Referer": self.origin + target.thread_path,
        }
        started = time.perf_counter()
        try:
            self.connection.request("POST", target.reply_path, body=form, headers=headers)
            response = self.connection.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request opens a new connection
            return 0, (time.perf_counter() - started) * 1000
        return response.status, (time.perf_counter() - started) * 1000

    def alternate(
        self, targets: dict[str, Target], *, seconds: int, run_id: str
    ) -> dict[str, Series]:
        """Post to each thread in turn (ABBA, so neither always goes first) for ``seconds``."""
        series = {name: Series() for name in SERIES}
        orders = [SERIES, SERIES[::-1]]
        started = time.monotonic()
        deadline = started + seconds
        round_number = 0
        while time.monotonic() < deadline:
            for name in orders[round_number % 2]:
                key = f"{run_id}-{name}-{round_number}"
                status, latency = self.post(targets[name], key)
                if status == 0:
                    series[name].errors += 1
                    continue
                series[name].latencies_ms.append(latency)
                if status == 302:
                    series[name].acked_keys.append(key)
                else:
                    series[name].errors += 1
            round_number += 1
        elapsed = time.monotonic() - started
        for each in series.values():
            each.seconds = elapsed
        return series


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.99 for p99); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _accounting(series: Series, target: Target, run_id: str, name: str) -> tuple[int, int]:
    """Replies acknowledged but not stored (lost), and stored more than once (duplicated)."""
    from hearth.forum.models import Post  # noqa: PLC0415 - Django is set up by now

    stored = list(
        Post.objects.filter(
            thread_id=target.thread_id, request_key__startswith=f"{run_id}-{name}-"
        ).values_list("request_key", flat=True)
    )
    lost = len(set(series.acked_keys) - set(stored))
    duplicated = len(stored) - len(set(stored))
    duplicated += sum(count - 1 for count in Counter(series.acked_keys).values())
    return lost, duplicated


def _row(
    name: str,
    series: Series,
    accounting: tuple[int, int],
    *,
    body: str,
    queries: int,
    watchers: int,
) -> report.Row:
    problems = series.errors + sum(accounting)
    requests = len(series.latencies_ms)
    return report.Row(
        key=f"post-{name}",
        name=(
            f"reply posting, thread with {watchers} watchers"
            if name == "watched"
            else "reply posting, thread without watchers"
        ),
        audience="1 writer, alternating",
        kind="post",
        requests_per_second=requests / series.seconds if series.seconds else 0.0,
        p50_ms=percentile(series.latencies_ms, 0.50),
        p99_ms=percentile(series.latencies_ms, 0.99),
        body_bytes=len(body.encode()),
        queries=queries,
        errors=problems,
        requests=requests,
    )


# --- Fan-out ---------------------------------------------------------------------------


def discard_queued_tasks() -> int:
    """Delete the tasks waiting in the queue (nothing ran them); return how many."""
    from django.tasks import TaskResultStatus  # noqa: PLC0415 - Django is set up by now
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    deleted, _ = DBTaskResult.objects.filter(status=TaskResultStatus.READY).delete()
    return deleted


def measure_fanout(
    *,
    poster: Poster,
    worker: HearthWorker,
    targets: dict[str, Target],
    watchers: int,
    say: Callable[[str], None],
) -> list[report.FanOut]:
    """One warm-up reply (the worker has started, connected and imported everything once
    its task has run), then ``FANOUT_SAMPLES`` replies in the watched thread, one at a
    time, each waited for until the queue is empty again."""
    run_id = "f" + secrets.token_hex(4)
    moments = random.Random(12)  # the same moments every run
    samples = []
    try:
        _post_or_fail(poster, targets["unwatched"], f"{run_id}-warm-up")
        _wait_until_idle(worker, time.monotonic())
        for number in range(FANOUT_SAMPLES):
            say(f"  fan-out {number + 1} of {FANOUT_SAMPLES}")
            time.sleep(moments.uniform(0, WORKER_INTERVAL_SECONDS))
            samples.append(
                _one_fanout(
                    poster, worker, targets["watched"], watchers=watchers, key=f"{run_id}-{number}"
                )
            )
    finally:
        poster.close()
    return samples


def _post_or_fail(poster: Poster, target: Target, key: str) -> tuple[int, float]:
    """Post one reply; return its post's id and when its answer arrived (monotonic)."""
    from hearth.forum.models import Post  # noqa: PLC0415 - Django is set up by now

    status, _latency = poster.post(target, key)
    answered = time.monotonic()
    if status != 302:
        message = f"a reply to {target.reply_path} answered {status or 'nothing'}, not 302"
        raise BenchError(message)
    return int(Post.objects.values_list("pk", flat=True).get(request_key=key)), answered


def _one_fanout(
    poster: Poster, worker: HearthWorker, target: Target, *, watchers: int, key: str
) -> report.FanOut:
    from hearth.forum.models import FollowLevel, ThreadFollowing  # noqa: PLC0415
    from hearth.notifications.models import EmailState, Notification  # noqa: PLC0415

    post_id, committed = _post_or_fail(poster, target, key)
    watching = ThreadFollowing.objects.filter(
        thread_id=target.thread_id, level=FollowLevel.WATCHING
    ).values("member_id")
    told = Notification.objects.filter(post_id=post_id, recipient_id__in=watching)
    deadline = committed + NOTIFICATIONS_TIMEOUT_SECONDS
    polls = 0
    while (count := told.count()) < watchers:
        now = time.monotonic()
        if now > deadline:
            message = (
                f"only {count} of {watchers} notifications for post {post_id} existed "
                f"{NOTIFICATIONS_TIMEOUT_SECONDS} s after the reply: {_task_state(post_id)}\n"
                f"--- worker log (last lines) ---\n{worker.log_tail()}"
            )
            raise BenchError(message)
        polls += 1
        if polls % 50 == 0:  # twice a second: a dead worker or a finished task ends the wait
            worker.check_running()
            if problem := _task_problem(post_id, told.count(), watchers):
                message = f"{problem}\n--- worker log (last lines) ---\n{worker.log_tail()}"
                raise BenchError(message)
        time.sleep(POLL_SECONDS)
    seconds = time.monotonic() - committed
    drained = _wait_until_idle(worker, committed)
    picked_up, ran = _task_times(post_id)  # once it is marked finished: the queue is empty
    emails = told.filter(email_state=EmailState.SENT).count()
    return report.FanOut(
        post_id=post_id,
        notifications=count,
        seconds=seconds,
        notifications_per_second=count / seconds if seconds else 0.0,
        picked_up_seconds=picked_up,
        task_seconds=ran,
        queue_empty_seconds=drained,
        emails_sent=emails,
    )


def _fanout_task(post_id: int) -> DBTaskResult[Any, Any] | None:
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    return (
        DBTaskResult.objects.filter(
            task_path__endswith=".notify_about_post", args_kwargs__kwargs__post_id=post_id
        )
        .order_by("enqueued_at")
        .first()
    )


def _task_times(post_id: int) -> tuple[float, float]:
    """The fan-out task's wait in the queue (enqueued -> started) and its run (-> finished),
    from the database's own timestamps; -1 where one is missing."""
    found = _fanout_task(post_id)
    if found is None or found.started_at is None:
        return -1.0, -1.0
    picked_up = (found.started_at - found.enqueued_at).total_seconds()
    ran = (found.finished_at - found.started_at).total_seconds() if found.finished_at else -1.0
    return picked_up, ran


def _task_problem(post_id: int, count: int, watchers: int) -> str:
    """Why waiting longer is pointless: the fan-out task failed, or finished short."""
    from django.tasks import TaskResultStatus  # noqa: PLC0415

    found = _fanout_task(post_id)
    if found is None:
        return ""
    if found.status == TaskResultStatus.FAILED:
        return (
            f"the fan-out task for post {post_id} failed:\n"
            f"{found.exception_class_path}\n{found.traceback}"
        )
    if found.status == TaskResultStatus.SUCCESSFUL and count < watchers:
        # Its notifications were committed before it was marked: none are on their way.
        return (
            f"the fan-out task for post {post_id} finished, but only {count} of {watchers} "
            "watchers were notified"
        )
    return ""


def _task_state(post_id: int) -> str:
    found = _fanout_task(post_id)
    if found is None:
        return "its task is not in the queue"
    details = f"its task is {found.status}"
    if found.traceback:
        details += f":\n{found.exception_class_path}\n{found.traceback}"
    return details


def _wait_until_idle(worker: HearthWorker, since: float) -> float:
    """Wait until no task is due or running; return the seconds since ``since``."""
    from django.tasks import TaskResultStatus  # noqa: PLC0415
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    deadline = time.monotonic() + QUEUE_TIMEOUT_SECONDS
    while True:
        busy = DBTaskResult.objects.ready() | DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING
        )
        waiting = busy.count()
        if not waiting:
            return time.monotonic() - since
        worker.check_running()
        if time.monotonic() > deadline:
            message = (
                f"{waiting} tasks were still queued or running after {QUEUE_TIMEOUT_SECONDS} s\n"
                f"--- worker log (last lines) ---\n{worker.log_tail()}"
            )
            raise BenchError(message)
        time.sleep(POLL_SECONDS * 5)
