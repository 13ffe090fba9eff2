"""The ``api`` part of ``make bench``: the thread page as JSON against the same page as HTML.

Issue 15's target: the API's thread page (``GET /api/v1/threads/<id>``, 20 posts) answers
at least as fast as the HTML thread page, for the same thread and the same signed-in
member, in one run. The JSON page is measured with a personal access token (how a program
calls it) and with the session cookie (how the website's own script would), each after
its own warm-up.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable
from pathlib import Path

from bench import load, report
from bench.server import BenchError, HearthServer

# The JSON page must answer at least as many requests per second as the HTML page.
API_SHARE_OF_HTML = 1.0
# Each page is measured this many times, in turn, for --duration / ROUNDS seconds each.
ROUNDS = 3


def measure(
    arguments: argparse.Namespace,
    *,
    server: HearthServer,
    thread_id: int,
    reader: str,
    session_cookie: str,
    page_script: Path,
    say: Callable[[str], None],
) -> tuple[list[report.Row], list[report.Verdict]]:
    """Measure the three rows; return them with the verdict on the JSON page's speed."""
    from django.test import Client  # noqa: PLC0415 - Django is set up by now
    from django.urls import reverse  # noqa: PLC0415

    from hearth.accounts.models import User  # noqa: PLC0415
    from hearth.api.models import Scope  # noqa: PLC0415
    from hearth.api.services import create_access_token  # noqa: PLC0415

    member = User.objects.get(username=reader)
    token = create_access_token(
        member=member, name="bench", scope=Scope.READ, lifetime_days=30
    ).secret
    bearer = f"Bearer {token}"
    html_path = reverse("forum:thread", kwargs={"thread_id": thread_id})
    json_path = f"/api/v1/threads/{thread_id}"
    checked: dict[str, tuple[int, int]] = {}
    scenarios = [
        ("api-html", "thread page, HTML (session)", html_path, session_cookie, {}),
        ("api-json-token", "thread page, JSON (token)", json_path, "", {"Authorization": bearer}),
        ("api-json-session", "thread page, JSON (session)", json_path, session_cookie, {}),
    ]
    for _key, name, path, cookie, headers in scenarios:
        client = Client(SERVER_NAME="127.0.0.1", SERVER_PORT=str(server.port))
        for pair in filter(None, cookie.split("; ")):
            cookie_name, _equals, value = pair.partition("=")
            client.cookies[cookie_name] = value
        checked[name] = _check(client, path, headers)
        if arguments.warmup:
            load.load_page(
                server.origin + path, cookie=cookie, headers=headers, seconds=arguments.warmup,
                connections=arguments.connections, threads=arguments.threads, script=page_script,
            )  # fmt: skip
    # Round by round, each page in turn: other work on the machine then weighs on all three
    # alike, which one long run each would not ensure.
    seconds = max(1, arguments.duration // ROUNDS)
    results: dict[str, list[load.WrkResult]] = {name: [] for _key, name, *_rest in scenarios}
    for round_number in range(ROUNDS):
        say(f"measuring the thread page as HTML and as JSON, round {round_number + 1} of {ROUNDS}")
        for _key, name, path, cookie, headers in scenarios:
            results[name].append(
                load.load_page(
                    server.origin + path,
                    cookie=cookie,
                    headers=headers,
                    seconds=seconds,
                    connections=arguments.connections,
                    threads=arguments.threads,
                    script=page_script,
                )
            )
    rows = [_row(key, name, results[name], *checked[name]) for key, name, *_rest in scenarios]
    return rows, judge(rows)


def _row(key: str, name: str, runs: list[load.WrkResult], queries: int, size: int) -> report.Row:
    """One row from a page's rounds: their requests over their time; the latencies are the
    median round's."""
    requests = sum(run.requests for run in runs)
    seconds = sum(run.seconds for run in runs)
    return report.Row(
        key=key,
        name=name,
        audience="member",
        kind="api",
        requests_per_second=requests / seconds if seconds else 0.0,
        p50_ms=statistics.median(run.p50_ms for run in runs),
        p99_ms=statistics.median(run.p99_ms for run in runs),
        body_bytes=size,
        queries=queries,
        errors=sum(run.errors for run in runs),
        requests=requests,
    )


def _check(client: object, path: str, headers: dict[str, str]) -> tuple[int, int]:
    """Fetch the page twice in this process (the first may write the read marker and fill
    caches); answer the second's query count and size. Raises BenchError unless 200."""
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    assert isinstance(client, Client)
    client.get(path, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, headers=headers)
    if response.status_code != 200:
        message = f"GET {path} answered {response.status_code}, not 200"
        raise BenchError(message)
    return len(captured), len(response.content)


def judge(rows: list[report.Row]) -> list[report.Verdict]:
    by_key = {row.key: row for row in rows}
    html, token = by_key.get("api-html"), by_key.get("api-json-token")
    if html is None or token is None or not html.requests_per_second:
        return []
    share = token.requests_per_second / html.requests_per_second
    verdict = "at least as fast" if share >= API_SHARE_OF_HTML else "slower"
    return [
        report.Verdict(
            "API thread page JSON (token) at least as fast as the HTML page",
            share >= API_SHARE_OF_HTML,
            f"{share:.2f}x the HTML page's req/s ({token.requests_per_second:.0f} vs "
            f"{html.requests_per_second:.0f}): {verdict}",
        )
    ]
