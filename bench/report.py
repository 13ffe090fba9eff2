"""The benchmark's one table, the lines under it, the verdicts, and the JSON record."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

MIB = 1024 * 1024

# Targets from issue 5: reported here, never asserted in tests.
PAGE_SHARE_OF_CEILING = 0.25
DEEP_PAGE_TOLERANCE = 0.10
POST_P99_MS = 100.0
WORKER_RSS_MIB = 150
LARGE_POSTS_RSS_MIB = 200  # issue 11: memory bounded however large the posts
BUSY_LOAD_PER_CPU = 0.5


@dataclass(frozen=True)
class Row:
    """One measured scenario."""

    key: str
    name: str
    audience: str  # "member", "anonymous" or "4 writers"
    kind: str  # "thread", "list", "ceiling" or "post"
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    body_bytes: int
    queries: int
    errors: int
    requests: int
    ceiling_ratio: float | None = None


@dataclass(frozen=True)
class Posting:
    writers: int
    completed_requests: int
    acknowledged: int
    posts_created: int
    lost: int  # acknowledged with a redirect, yet not in the database
    duplicated: int  # more posts than distinct request keys
    unacknowledged: int  # in the database, but wrk stopped before the answer arrived
    errors: int  # socket errors, timeouts and any answer but a redirect to the new post


@dataclass(frozen=True)
class Verdict:
    target: str
    met: bool
    detail: str


@dataclass
class Results:
    database: str
    started_at: str
    commit: str
    settings: dict[str, object]
    dataset: dict[str, object]
    rows: list[Row]
    posting: Posting
    worker_rss_mib: float
    worker_peak_rss_mib: float
    verdicts: list[Verdict] = field(default_factory=list)
    # Reading the thread of largest posts: posts, pages_read, rss_before_mib, rss_mib,
    # peak_rss_mib (max over workers).
    large_posts: dict[str, float] = field(default_factory=dict)
    server_log: str = ""  # kept only when a request failed
    machine: dict[str, float] = field(default_factory=dict)  # CPUs and 1-minute load averages


def with_ceiling_ratios(rows: list[Row]) -> list[Row]:
    """Set each page's requests/s as a share of the ceiling's, for the same audience."""
    ceilings = {row.audience: row.requests_per_second for row in rows if row.kind == "ceiling"}
    updated = []
    for row in rows:
        ceiling = ceilings.get(row.audience)
        ratio = row.requests_per_second / ceiling if ceiling and row.kind != "post" else None
        updated.append(Row(**{**asdict(row), "ceiling_ratio": ratio}))
    return updated


def judge(results: Results) -> list[Verdict]:
    """Compare the measurements with issue 5's targets: met, or missed by how much."""
    verdicts = []
    by_key = {row.key: row for row in results.rows}
    for row in results.rows:
        if row.kind in {"thread", "list"} and row.ceiling_ratio is not None:
            verdicts.append(
                _at_least(
                    f"{row.name} ({row.audience}) >= 25% of ceiling",
                    row.ceiling_ratio,
                    PAGE_SHARE_OF_CEILING,
                )
            )
    for audience in ("member", "anonymous"):
        first = by_key.get(f"big-first-{audience}")
        deep = by_key.get(f"big-deep-{audience}")
        if first and deep and first.requests_per_second:
            share = deep.requests_per_second / first.requests_per_second
            verdicts.append(
                _at_least(
                    f"{deep.name} within 10% of page 1 ({audience})",
                    share,
                    1 - DEEP_PAGE_TOLERANCE,
                    unit="of page 1's req/s",
                )
            )
    post = by_key.get("post")
    if post is not None:
        over = post.p99_ms - POST_P99_MS
        verdicts.append(
            Verdict(
                f"reply posting p99 < {POST_P99_MS:.0f} ms at {results.posting.writers} writers",
                over < 0,
                f"p99 {post.p99_ms:.1f} ms" + ("" if over < 0 else f", {over:.1f} ms over"),
            )
        )
    posting = results.posting
    problems = posting.errors + posting.lost + posting.duplicated
    verdicts.append(
        Verdict(
            "reply posting: no errors, no lost or duplicated posts",
            problems == 0,
            f"{posting.errors} errors, {posting.lost} lost, {posting.duplicated} duplicated",
        )
    )
    if large := results.large_posts:
        over = large["peak_rss_mib"] - LARGE_POSTS_RSS_MIB
        verdicts.append(
            Verdict(
                f"worker RSS < {LARGE_POSTS_RSS_MIB} MiB reading the largest posts",
                over < 0,
                f"peak {large['peak_rss_mib']:.0f} MiB"
                + ("" if over < 0 else f", {over:.0f} MiB over"),
            )
        )
    rss_over = results.worker_rss_mib - WORKER_RSS_MIB
    verdicts.append(
        Verdict(
            f"worker RSS < {WORKER_RSS_MIB} MiB after the run",
            rss_over < 0,
            f"{results.worker_rss_mib:.0f} MiB"
            + ("" if rss_over < 0 else f", {rss_over:.0f} MiB over"),
        )
    )
    return verdicts


def _at_least(target: str, value: float, wanted: float, unit: str = "of ceiling") -> Verdict:
    if value >= wanted:
        return Verdict(target, True, f"{value:.1%} {unit}")
    short = (wanted - value) * 100
    return Verdict(target, False, f"{value:.1%} {unit}, {short:.1f} percentage points short")


HEADERS = ("scenario", "req/s", "p50 ms", "p99 ms", "bytes", "queries", "ratio", "errors")


def table(rows: list[Row]) -> str:
    """The one table: a line per scenario, numbers right-aligned."""
    lines = [
        (
            f"{row.name} ({row.audience})",
            f"{row.requests_per_second:.1f}",
            f"{row.p50_ms:.1f}",
            f"{row.p99_ms:.1f}",
            str(row.body_bytes),
            str(row.queries),
            "-" if row.ceiling_ratio is None else f"{row.ceiling_ratio:.1%}",
            str(row.errors),
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [HEADERS, *lines]) for i in range(len(HEADERS))]

    def format_line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest])

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([format_line(HEADERS), rule, *(format_line(cells) for cells in lines)])


def summary(results: Results) -> str:
    """The table, the lines under it and the verdicts, as printed."""
    dataset = results.dataset
    posting = results.posting
    lines = [
        table(results.rows),
        "",
        f"database: {results.database}; commit {results.commit}; "
        f"{results.settings['workers']} workers, wrk {results.settings['connections']} connections "
        f"x {results.settings['threads']} threads, {results.settings['duration']} s after "
        f"{results.settings['warmup']} s warm-up per scenario",
        "ratio: requests/s as a share of the ceiling (the 200-reply thread's first page "
        "served from memory) measured for the same audience in this run",
        f"data set: {dataset['description']}; built in {dataset['total_seconds']:.1f} s "
        f"(the {dataset['big_replies']:,}-reply thread: {dataset['big_thread_seconds']:.1f} s)",
        f"worker RSS after the run: {results.worker_rss_mib:.1f} MiB "
        f"(peak during the run: {results.worker_peak_rss_mib:.1f} MiB; max over workers)",
        *(
            [
                f"largest posts: {results.large_posts['posts']:.0f} posts of 64 KB read "
                f"{results.large_posts['pages_read']:.0f} pages; worker RSS "
                f"{results.large_posts['rss_before_mib']:.1f} MiB before, "
                f"{results.large_posts['rss_mib']:.1f} MiB after "
                f"(peak {results.large_posts['peak_rss_mib']:.1f} MiB)"
            ]
            if results.large_posts
            else []
        ),
        f"posting: {posting.writers} writers, {posting.completed_requests} requests completed, "
        f"{posting.acknowledged} acknowledged, {posting.posts_created} posts created; "
        f"{posting.errors} errors, {posting.lost} lost, {posting.duplicated} duplicated, "
        f"{posting.unacknowledged} in flight when wrk stopped",
        "",
        "targets:",
    ]
    if machine := results.machine:
        line = (
            f"machine: {machine['cpus']:.0f} CPUs; 1-minute load average "
            f"{machine['load_before']:.1f} before the run, {machine['load_after']:.1f} at its end "
            "(the run's own load included)"
        )
        if machine["load_before"] > BUSY_LOAD_PER_CPU * machine["cpus"]:
            line += "\nwarning: the machine was busy before the run started; expect noisy numbers"
        lines[-2:-2] = [line]
    if results.server_log:
        lines[-2:-2] = [f"requests failed: the server's log is kept in {results.server_log}"]
    width = max(len(verdict.target) for verdict in results.verdicts)
    for verdict in results.verdicts:
        state = "met   " if verdict.met else "MISSED"
        lines.append(f"  {state}  {verdict.target.ljust(width)}  {verdict.detail}")
    return "\n".join(lines)


def write_json(results: Results, directory: Path, stamp: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stamp}-{results.database}.json"
    path.write_text(json.dumps(asdict(results), indent=2) + "\n")
    return path
