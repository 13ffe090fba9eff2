"""The mixed workload and the two-process check (bench/mixed.py) keep working.

The smoke test runs ``python -m bench.mixed`` for real, once for the module: a tiny data
set (bench/large_dataset.py, built in seconds), a few members over four connections for
two seconds against one ``hearth serve``, then (with Redis) against two sharing the
database and Redis while a post is hidden through one and read through the other three
times. It asserts that nothing failed and nothing was stale, never how fast anything was.
The tests after it check the check itself against a stand-in server: it must report a
process that keeps showing a hidden post.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from bench import mixed

import hearth

pytestmark = pytest.mark.database_neutral

PROJECT_ROOT = Path(hearth.__file__).resolve().parents[2]
REQUIRE_ALL = os.environ.get("HEARTH_REQUIRE_ALL") == "1"
WRK_MISSING = shutil.which("wrk") is None and not REQUIRE_ALL
REDIS_MISSING = shutil.which("redis-server") is None and not REQUIRE_ALL
NEEDS_REDIS = (
    "redis-server is not installed (apt-get install -y redis-server): the two processes "
    "share Redis, as in production"
)


def _clean_environment() -> dict[str, str]:
    kept = {"PATH", "HOME", "LANG", "HEARTH_PG_BIN"}
    environment = {key: value for key, value in os.environ.items() if key in kept}
    python_path = [str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")]
    return environment | {"PYTHONPATH": os.pathsep.join(filter(None, python_path))}


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of ``python -m bench.mixed`` for the module's tests: two processes and the
    check when Redis is there, one process without it."""
    if WRK_MISSING:
        pytest.skip("wrk is not installed (apt-get install -y wrk)")
    # Always its own SQLite (so the PostgreSQL pass skips it: database_neutral): the run is
    # about the harness and the two processes' correctness, and on PostgreSQL it takes
    # twice as long. `python -m bench.mixed --database postgres` runs the other path.
    database = "sqlite"
    path = tmp_path_factory.mktemp("mixed") / "mixed.json"

    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.mixed", "--database", database, "--scale", "tiny",
         "--members", "6", "--connections", "4", "--duration", "2", "--warmup", "0",
         "--check-rounds", "3", "--json", str(path),
         *(["--no-redis"] if REDIS_MISSING else [])],
        cwd=PROJECT_ROOT, env=_clean_environment(), capture_output=True, text=True,
        timeout=300, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "mixed workload: all requests (6 members, 1 process, 4 connections)" in result.stdout
    assert "targets:" in result.stdout
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


def test_the_mixed_workload_reads_and_writes_as_members_without_errors(
    record: dict[str, Any],
) -> None:
    run = record["mixed"]
    kinds = {kind["kind"]: kind for kind in run["kinds"]}

    assert run["members"] == 6
    assert run["servers"] == 1
    assert run["overall"]["requests"] > 0
    assert kinds["read"]["requests"] > 0
    assert kinds["reaction"]["requests"] + kinds["draft"]["requests"] > 0  # 9% of the mix
    assert run["socket_errors"] == 0
    for kind in [run["overall"], *run["kinds"]]:
        assert (kind["unexpected"], kind["unanswered"], kind["statuses"]) == (0, 0, {}), kind
    assert set(record["queries"]) == set(mixed.KINDS)


@pytest.mark.skipif(REDIS_MISSING, reason=NEEDS_REDIS)
def test_a_post_hidden_through_one_process_is_gone_from_the_others_next_response(
    record: dict[str, Any],
) -> None:
    many = record["many"]
    run, check = many["mixed"], many["check"]

    assert run["servers"] == 2
    assert run["overall"]["requests"] > 0
    assert run["socket_errors"] == 0
    assert (run["overall"]["unexpected"], run["overall"]["unanswered"]) == (0, 0)
    assert check["rounds"] == 3
    assert check["responses"] == 12  # member and visitor, after each hide and restore
    assert check["stale"] == []


# --- The check against a stand-in server: it must be able to fail ---------------------

POST_ID = 7
PAGE_PATH = "/t/3/"
POST_TEXT = "The words that must vanish when a moderator hides this post."


class _StandInForum(BaseHTTPRequestHandler):
    """One thread page with one post; POSTs hide and restore it, unless ``forgets``."""

    forgets = False
    hidden = False

    def do_GET(self) -> None:
        body = "A moderator hid this post." if self.hidden else POST_TEXT
        page = (
            f'<main><article class="post" id="post-{POST_ID}" data-position="2">'
            f"<p>{body}</p></article></main>"
        ).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        if not self.forgets:
            type(self).hidden = self.path.endswith("/hide/")
        self.send_response(302)
        self.send_header("Location", f"/moderation/posts/{POST_ID}/")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        """Quiet: the test's output is the assertions'."""


@pytest.fixture
def stand_in_forum(request: pytest.FixtureRequest) -> Iterator[int]:
    handler = type("Forum", (_StandInForum,), {"forgets": request.param, "hidden": False})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def _check() -> mixed.Check:
    member = mixed.Member(cookie="sessionid=member; csrftoken=c", csrf_token="t")
    moderator = mixed.Member(cookie="sessionid=moderator; csrftoken=c", csrf_token="t")
    target = mixed.CheckTarget(
        post_id=POST_ID,
        page_path=PAGE_PATH,
        hide_path=f"/moderation/posts/{POST_ID}/hide/",
        restore_path=f"/moderation/posts/{POST_ID}/restore/",
    )
    return mixed.Check(moderator=moderator, member=member, targets=[target])


@pytest.mark.database_neutral
@pytest.mark.parametrize("stand_in_forum", [False], indirect=True)
def test_the_check_finds_nothing_stale_when_the_other_process_follows(
    stand_in_forum: int,
) -> None:
    result = mixed.check_hidden_posts_vanish(stand_in_forum, stand_in_forum, _check(), rounds=2)

    assert result.responses == 8
    assert result.stale == []


@pytest.mark.database_neutral
@pytest.mark.parametrize("stand_in_forum", [True], indirect=True)
def test_the_check_reports_a_process_that_still_shows_a_hidden_post(stand_in_forum: int) -> None:
    result = mixed.check_hidden_posts_vanish(stand_in_forum, stand_in_forum, _check(), rounds=2)

    assert result.stale == [
        mixed.StaleResponse(round=1, post_id=POST_ID, audience="member", after="hide"),
        mixed.StaleResponse(round=1, post_id=POST_ID, audience="visitor", after="hide"),
        mixed.StaleResponse(round=2, post_id=POST_ID, audience="visitor", after="hide"),
        mixed.StaleResponse(round=2, post_id=POST_ID, audience="member", after="hide"),
    ]
    assert mixed.verdicts(None, _many(result))[-1].met is False


def _many(check: mixed.CheckResult) -> mixed.ManyProcesses:
    kind = mixed.KindResult(
        kind="all", requests=10, requests_per_second=5.0, p50_ms=10.0, p99_ms=20.0,
        max_ms=25.0, mean_bytes=1000.0, unexpected=0, unanswered=0,
    )  # fmt: skip
    run = mixed.MixedResult(
        servers=2, connections=2, members=2, threads=1, seconds=2.0, overall=kind, kinds=[kind],
        socket_errors=0,
    )  # fmt: skip
    return mixed.ManyProcesses(mixed=run, check=check)


@pytest.mark.database_neutral
def test_each_kinds_answers_are_counted_from_wrks_lines() -> None:
    output = "\n".join(
        [
            'BENCH_RESULT {"requests": 6, "duration_us": 2000000, "bytes": 9000, "connect": 0, '
            '"read": 1, "write": 0, "status": 1, "timeout": 0, "p50_us": 1, "p90_us": 1, '
            '"p99_us": 1, "max_us": 1}',
            "BENCH_MIXED_KIND read 0 6000",
            "BENCH_MIXED_LATENCY read 10000 20000 30000",
            "BENCH_MIXED_KIND reaction 1 0",
            "BENCH_MIXED_LATENCY reaction 5000",
            "BENCH_MIXED_KIND draft 0 12",
            "BENCH_MIXED_LATENCY draft 7000",
            "BENCH_MIXED_KIND reply 0 0",
            "BENCH_MIXED_LATENCY reply 90000",
            "BENCH_MIXED_STATUS read 302 1",
        ]
    )

    result = mixed.parse_output(output, servers=2, connections=2, members=4, threads=3)

    kinds = {kind.kind: kind for kind in result.kinds}
    assert (kinds["read"].requests, kinds["read"].p50_ms, kinds["read"].p99_ms) == (3, 20.0, 30.0)
    assert kinds["read"].statuses == {"302": 1}  # a signed-out member's redirect is an error
    assert kinds["read"].errors == 1
    assert kinds["reaction"].errors == 1  # its connection broke before the answer
    assert (result.overall.requests, result.overall.requests_per_second) == (6, 3.0)
    assert result.overall.max_ms == 90.0
    assert result.errors == 2  # the 302, and the broken connection wrk counted too
