"""Drills: real servers, real faults, a client ledger, and a reconciliation.

Writers post replies to ``hearth serve`` (two granian workers) while one worker
is killed with SIGKILL, or (in the PostgreSQL pass) while PostgreSQL restarts.
Each writer keeps a ledger: a reply whose answer came back (a redirect to the
post) is *acknowledged*; one whose connection broke, or that got the 503
"back in a moment" page, is *uncertain* and is sent again, with the same
request key, once the server is back -- as a member pressing "send" again
would. Then the database is read: every acknowledged reply must exist exactly
once, and no request key may have made two posts. Bounded: a few seconds of
load on 127.0.0.1.

The worker drill uses the suite's database: SQLite here, and in the PostgreSQL
pass a fresh database on the same throwaway cluster. The restart drill starts
a PostgreSQL cluster of its own, so restarting it disturbs no other test.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest

from hearth.core.tests.serving import Served, free_port, hearth_serving, workers_of

WRITERS = 4
LOAD_SECONDS = 6.0
KILL_AFTER_SECONDS = 2.0
PROJECT_ROOT = Path(__file__).resolve().parents[4]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

SETUP = """
import json
from bench.dataset import sign_in
from hearth.accounts.models import User
from hearth.forum.models import Category
from hearth.forum.services import start_thread
category = Category.objects.create(name="Drills", slug="drills")
members = [User.objects.create_user(username=f"writer{n}", display_name=f"Writer {n}",
                                    password=None) for n in range(WRITERS)]
thread = start_thread(author=members[0], category=category, title="The ledger",
                      body="Replies below.", request_key="drill-thread")
print(json.dumps({"thread": thread.pk,
                  "sessions": [sign_in(member.username) for member in members]}))
"""

RECONCILE = """
import json
from hearth.forum.models import Post, Thread
posts = Post.objects.filter(thread__title="The ledger", position__gt=1)
thread = Thread.objects.get(title="The ledger")
print(json.dumps({"keys": list(posts.values_list("request_key", flat=True)),
                  "positions": sorted(posts.values_list("position", flat=True)),
                  "reply_count": thread.reply_count}))
"""


@dataclass
class Ledger:
    acknowledged: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    server_errors: int = 0  # 503s: the maintenance page, with the text kept
    generic_errors: int = 0  # anything else 5xx: must never happen
    lock: threading.Lock = field(default_factory=threading.Lock)


@contextmanager
def drill_database() -> Iterator[dict[str, str]]:
    """The environment for the drill's processes: a new SQLite file, or in the PostgreSQL
    pass a new database on the suite's cluster (dropped afterwards)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield {}
        return
    import psycopg  # noqa: PLC0415 - only in the PostgreSQL pass
    from django.db import connection  # noqa: PLC0415

    name = f"hearth_drill_{uuid.uuid4().hex[:8]}"
    parameters = {
        key: value
        for key, value in {
            "host": connection.settings_dict["HOST"],
            "port": connection.settings_dict["PORT"],
            "user": connection.settings_dict["USER"],
            "dbname": "postgres",
        }.items()
        if value
    }
    with psycopg.connect(**parameters, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": url.rsplit("/", 1)[0] + "/" + name}
    finally:
        with psycopg.connect(**parameters, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _hearth(environment: dict[str, str], *arguments: str) -> str:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "hearth", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _request(
    port: int, method: str, path: str, headers: dict[str, str], body: str = ""
) -> tuple[int, str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        cookie = response.getheader("Set-Cookie") or ""
        return response.status, response.getheader("Location") or text, cookie
    finally:
        connection.close()


def _writer(port: int, thread_id: int, session: str, number: int, ledger: Ledger) -> None:
    status, page, set_cookie = _request(
        port, "GET", f"/t/{thread_id}/", {"Cookie": f"sessionid={session}"}
    )
    assert status == 200, status
    token = CSRF_FIELD.search(page)
    csrf = re.search(r"csrftoken=([^;]+)", set_cookie)
    assert token, "the thread page has the form's CSRF token"
    assert csrf, "the thread page sets the CSRF cookie"
    cookies = f"sessionid={session}; csrftoken={csrf.group(1)}"
    deadline = time.monotonic() + LOAD_SECONDS
    sent = 0
    mine: list[str] = []  # this writer's uncertain replies, to send again
    while time.monotonic() < deadline:
        key = f"ledger-{number}-{sent}"
        sent += 1
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1), "body": f"Ledger {key}", "request_key": key}
        )
        headers = {
            "Cookie": cookies,
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://127.0.0.1:{port}/t/{thread_id}/",
        }
        try:
            status, _location, _cookie = _request(
                port, "POST", f"/t/{thread_id}/reply/", headers, form
            )
        except OSError:
            status = 0
        with ledger.lock:
            if status == 302:
                ledger.acknowledged.append(key)
            else:
                ledger.uncertain.append(key)
                mine.append(key)
                ledger.server_errors += int(status == 503)
                ledger.generic_errors += int(status >= 500 and status != 503)
    # Sent again once the server answers: the same key, the same words, the same member.
    for key in mine:
        form = urlencode(
            {"csrfmiddlewaretoken": token.group(1), "body": f"Ledger {key}", "request_key": key}
        )
        for _attempt in range(10):
            try:
                status, _location, _cookie = _request(
                    port,
                    "POST",
                    f"/t/{thread_id}/reply/",
                    {
                        "Cookie": cookies,
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Referer": f"http://127.0.0.1:{port}/t/{thread_id}/",
                    },
                    form,
                )
            except OSError:
                time.sleep(0.3)
                continue
            if status == 302:
                with ledger.lock:
                    ledger.acknowledged.append(key)
                break
            time.sleep(0.3)


@dataclass(frozen=True)
class Outcome:
    ledger: Ledger
    stored_keys: Counter[str]
    positions: list[int]
    reply_count: int


def run_ledger_drill(
    tmp_path: Path, database: dict[str, str], fault: Callable[[Served], None]
) -> Outcome:
    """Serve Hearth, let the writers post, apply ``fault`` a little way in, resend what was
    uncertain, and read back what the database holds."""
    port = free_port()
    environment = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "HEARTH_DATA_DIR": str(tmp_path),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HEARTH_POST_RATE_LIMIT": "100000/60",
        "HEARTH_RATE_LIMITS": "false",
        **database,
    }
    _hearth(environment, "init", "--verbosity", "0")
    setup = json.loads(
        _hearth(environment, "shell", "-c", f"WRITERS = {WRITERS}\n{SETUP}").splitlines()[-1]
    )
    ledger = Ledger()
    with hearth_serving(environment, port=port, workers=2, log=tmp_path / "server.log") as served:
        writers = [
            threading.Thread(target=_writer, args=(port, setup["thread"], session, number, ledger))
            for number, session in enumerate(setup["sessions"])
        ]
        for writer in writers:
            writer.start()
        time.sleep(KILL_AFTER_SECONDS)
        fault(served)
        for writer in writers:
            writer.join(timeout=120)
    stored = json.loads(_hearth(environment, "shell", "-c", RECONCILE).splitlines()[-1])
    return Outcome(ledger, Counter(stored["keys"]), stored["positions"], stored["reply_count"])


def assert_reconciled(outcome: Outcome, drill: str) -> None:
    """Every acknowledged reply is stored once; no key made two posts; nothing is missing."""
    ledger, keys = outcome.ledger, outcome.stored_keys
    duplicated = [key for key, count in keys.items() if count > 1]
    lost = [key for key in ledger.acknowledged if key not in keys]
    logging.getLogger(__name__).warning(  # the drill's figures, shown with -rA or on failure
        "%s: %s acknowledged, %s resent, %s lost, %s duplicated, %s x 5xx seen by members",
        drill,
        len(ledger.acknowledged),
        len(ledger.uncertain),
        len(lost),
        len(duplicated),
        ledger.server_errors,
    )
    assert len(ledger.acknowledged) > 20, "the writers got replies through"
    assert ledger.generic_errors == 0, "database trouble answers 503, never the 500 page"
    assert not lost
    assert not duplicated
    assert set(keys) == set(ledger.acknowledged)  # every resent reply got its answer too
    assert outcome.positions == list(range(2, len(keys) + 2))  # no gaps, no repeats
    assert outcome.reply_count == len(keys)


def _kill_a_worker(served: Served) -> None:
    os.kill(workers_of(served.process.pid)[0], signal.SIGKILL)


@pytest.mark.django_db
def test_killing_a_worker_during_replies_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    with drill_database() as database:
        outcome = run_ledger_drill(tmp_path, database, _kill_a_worker)

    assert_reconciled(outcome, "worker killed")


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the PostgreSQL pass restarts a PostgreSQL cluster of its own",
)
def test_restarting_postgresql_during_replies_loses_and_duplicates_nothing(
    tmp_path: Path,
) -> None:
    from bench.server import postgres_cluster  # noqa: PLC0415 - starts a cluster of its own

    with postgres_cluster() as cluster:
        outcome = run_ledger_drill(
            tmp_path, {"DATABASE_URL": cluster.url}, lambda _server: cluster.restart()
        )

    assert_reconciled(outcome, "PostgreSQL restarted")
