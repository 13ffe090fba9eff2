"""``python -m bench.run``: build the data set, serve Hearth, load it with wrk, print one table.

See docs/benchmarks.md. All traffic goes to 127.0.0.1 for a bounded time, and
every process started here (PostgreSQL, the servers and their workers, wrk) is
stopped before this returns, also on Ctrl-C and SIGTERM. Exit status: 0 when
the run completed (missed targets are reported, not failures), 1 when it
could not measure, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import wsgiref.util
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from wsgiref.types import WSGIEnvironment

from bench import (
    api,
    ceiling,
    cold_start,
    cpu,
    live,
    load,
    mixed,
    report,
    search,
    spirit,
    watchers,
)
from bench.load import fetch
from bench.server import (
    BenchError,
    HearthServer,
    PostgresCluster,
    free_port,
    hearth_init,
    hearth_server,
    postgres_cluster,
    redis_server,
)

if TYPE_CHECKING:
    from bench import search_corpus
    from bench.dataset import Dataset, Size
    from bench.large_dataset import LargeCache, LargeDataset

REPOSITORY = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPOSITORY / "bench" / "results"
KEPT_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "TMPDIR")
CSRF_FORM_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WORKERS = 2
POSTING_WRITERS = 4
DEFAULT_POSTS_PER_PAGE = 20
# What --only may choose; a run measures all of them unless told otherwise.
PARTS = ("pages", "posting", "large-posts", "watchers", "live", "api", "search", "spirit", "mixed")
LIVE_STREAMS = 1000
# What the builder's data sets (bench/large_dataset.py: --scale large and both) are
# measured with; the other parts keep their own data sets.
LARGE_SCALE_PARTS = frozenset({"pages", "posting", "watchers", "live", "mixed"})
# The builder's scale (bench/large_dataset.py) each --scale measures; "small" is the set
# built for each run, and "both" measures "twin" then "large", each in a process of its
# own (Django's settings are the process's), and puts them side by side.
BUILT_SCALES: dict[str, str | None] = {"small": None, "twin": "small", "large": "large"}
BOTH = ("twin", "large")
# Issue 19: reply posting with 4 writers (its p99 target) and with 16 (nothing lost).
MANY_WRITERS = 16
# The search page's query on every data set: two words of bench.dataset.VOCABULARY.
SEARCH_QUERY = "garden letter"
# Notifications the reader holds when the notifications page is measured.
READER_NOTIFICATIONS = 300
# The bare ceiling's audience: it reads no cookie, so it is measured once, without any.
ANYONE = "anyone"


def say(text: str) -> None:
    """Report progress on stderr; stdout carries only the table."""
    print(text, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Scenario:
    key: str
    name: str
    audience: str  # "member", "anonymous" or "anyone" (the bare ceiling: no cookies)
    kind: str  # "ceiling" (bare), "floor" (Hearth stack floor), "thread" or "list"
    path: str


@dataclass(frozen=True)
class Visitor:
    """What a browser holds after its first visit: the cookies, and the form's CSRF token."""

    cookies: dict[str, str]
    form_token: str

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per scenario")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per scenario")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections for pages")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads for pages")
    parser.add_argument(
        "--tiny", action="store_true", help="a tiny data set, for the smoke test in CI"
    )
    parser.add_argument(
        "--live-streams",
        type=int,
        default=LIVE_STREAMS,
        help=f"live streams held open by the live part (default {LIVE_STREAMS})",
    )
    parser.add_argument(
        "--search-posts",
        type=int,
        default=None,
        help=(
            f"posts in the search part's corpus (default {search.FULL_POSTS:,}; "
            f"{search.TINY_POSTS} with --tiny); from {search.CACHE_MIN_POSTS:,} posts up it is "
            "built once and cached (docs/benchmarks.md)"
        ),
    )
    parser.add_argument(
        "--results-dir", type=Path, default=RESULTS_DIR, help="where the JSON record goes"
    )
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=(
            f"measure only these, comma-separated, of {', '.join(PARTS)} (default: all); the "
            "data set leaves out the long threads and the largest posts when nothing reads them"
        ),
    )
    parser.add_argument(
        "--scale",
        choices=(*BUILT_SCALES, "both"),
        default="small",
        help=(
            "small: the data set built for each run (default); large: 1,000,000 posts in "
            "100,000 threads, built once and cached (bench/large_dataset.py, docs/benchmarks.md); "
            "twin: its 20,000-post twin, built the same way; both: twin then large, side by side"
        ),
    )
    parser.add_argument(
        "--no-redis",
        action="store_true",
        help=(
            "serve without Redis (by default a throwaway redis-server holds the cache, so the "
            "member and visitors' pages come from it, as in production with REDIS_URL)"
        ),
    )
    parser.add_argument(
        "--no-spirit",
        action="store_true",
        help=(
            f"leave out the django-spirit {spirit.VERSION} comparison (it installs spirit in a "
            "cached venv from the package index; docs/benchmarks.md)"
        ),
    )
    arguments = parser.parse_args(argv)
    if arguments.duration < 1 or arguments.warmup < 0:
        parser.error("--duration must be at least 1 and --warmup at least 0")
    if arguments.live_streams < 1:
        parser.error("--live-streams must be at least 1")
    if arguments.search_posts is not None and arguments.search_posts < 1:
        parser.error("--search-posts must be at least 1")
    arguments.only = {part.strip() for part in arguments.only.split(",") if part.strip()}
    if unknown := arguments.only - set(PARTS):
        parser.error(
            f"--only: unknown {', '.join(sorted(unknown))} (choose from {', '.join(PARTS)})"
        )
    if not arguments.only:
        parser.error("--only: name at least one of " + ", ".join(PARTS))
    if arguments.scale != "small":
        if arguments.tiny:
            parser.error(f"--tiny and --scale {arguments.scale}: choose one")
        arguments.only = (arguments.only & LARGE_SCALE_PARTS) or set(LARGE_SCALE_PARTS)
    arguments.built = BUILT_SCALES.get(arguments.scale)  # None for small (and both)
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    # Ctrl-C, and SIGINT even where a shell started us with it ignored; SIGTERM and SIGHUP too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    signal.signal(signal.SIGHUP, _exit_on_signal)
    try:
        load.find_wrk()
        if arguments.scale == "both":
            records = [
                measure_in_a_process_of_its_own(list(sys.argv[1:] if argv is None else argv), scale)
                for scale in BOTH
            ]
            print("\n" + report.side_by_side(*(report.measured_in(path) for path in records)))
            return 0
        results = run(arguments)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; everything it started has been stopped", file=sys.stderr)
        return 130
    print(report.summary(results))
    path = report.write_json(results, arguments.results_dir, _stamp(results.started_at))
    print(f"\n{RESULTS_LINE}{path}")
    return 0


RESULTS_LINE = "results: "


def measure_in_a_process_of_its_own(argv: list[str], scale: str) -> Path:
    """``python -m bench.run`` with ``argv`` at ``--scale scale``, its output passed on;
    the JSON record it wrote."""
    say(f"=== --scale {scale} ===")
    child = [*_without_scale(argv), "--scale", scale]
    record = None
    with subprocess.Popen(
        [sys.executable, "-m", "bench.run", *child],
        stdout=subprocess.PIPE, text=True, cwd=REPOSITORY,
    ) as process:  # fmt: skip
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith(RESULTS_LINE):
                record = Path(line.removeprefix(RESULTS_LINE).strip())
    if process.returncode != 0 or record is None:
        message = f"--scale {scale} did not complete (exit status {process.returncode})"
        raise BenchError(message)
    return record


def _without_scale(argv: list[str]) -> list[str]:
    kept, skip = [], False
    for argument in argv:
        if skip:
            skip = False
        elif argument == "--scale":
            skip = True
        elif not argument.startswith("--scale="):
            kept.append(argument)
    return kept


def _exit_on_signal(number: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through every finally, stopping what was started


def run(arguments: argparse.Namespace) -> report.Results:
    started_at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    load_before = os.getloadavg()[0]  # other work on the machine makes every number noisy
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hearth-bench-")))
        scripts = load.write_scripts(work)
        # The search part's corpus, when a run before built and cached it (bench/search.py).
        corpus_cache = search.CorpusCache.for_run(arguments)
        large_cache = large_cache_for(arguments)
        cluster = (
            start_postgres(stack, corpus_cache, large_cache)
            if arguments.database == "postgres"
            else None
        )
        port = free_port()
        environment = production_environment(work, cluster.url if cluster else "", port)
        if not arguments.no_redis:
            say("starting a throwaway Redis")
            environment["REDIS_URL"] = stack.enter_context(redis_server(work / "redis.log"))
        # What the package installer may need (its settings, proxies, certificates): only
        # the spirit part uses it, to install spirit in a venv of its own.
        outside_environment = dict(os.environ)
        os.environ.clear()  # this process measures queries with exactly the server's settings
        os.environ.update(environment)
        corpus_cache.restore_sqlite(work / "data")
        if large_cache is not None:  # the key file (and SQLite's database) before init
            large_cache.restore_files(work / "data")

        say("hearth init")
        hearth_init(environment)

        import django  # noqa: PLC0415 - only once the environment above is in place

        django.setup()
        corpus = corpus_cache.build_or_load(cluster=cluster, say=say)
        large = large_cache.build_or_load(cluster=cluster, say=say) if large_cache else None
        data, size = data_set_for(arguments, large)

        say("starting hearth serve")
        server = stack.enter_context(
            hearth_server(
                environment=environment, port=port, workers=WORKERS, log_path=work / "server.log"
            )
        )
        try:
            results = measure(
                arguments, server=server, data=data, size=size, scripts=scripts,
                environment=environment, started_at=started_at,
                corpus=(corpus, corpus_cache) if corpus else None, cluster=cluster, work=work,
                outside_environment=outside_environment,
            )  # fmt: skip
            if large is not None and "mixed" in arguments.only:
                add_mixed_workload(
                    results, arguments, large=large, server=server, environment=environment,
                    work=work, stack=stack,
                )  # fmt: skip
            results.machine = {
                "redis": 0.0 if arguments.no_redis else 1.0,
                "cpus": os.cpu_count() or 0,
                "load_before": load_before,
                "load_after": os.getloadavg()[0],
            }
            keep_logs(results, arguments, server, stem=f"{_stamp(started_at)}-{arguments.database}")
            return results
        except BenchError as error:
            message = f"{error}\n--- server log (last lines) ---\n{server.log_tail()}"
            raise BenchError(message) from error
        finally:
            from django.db import connections  # noqa: PLC0415 - Django is set up by now

            connections.close_all()
    raise AssertionError  # unreachable: the ExitStack does not swallow exceptions


def data_set_for(arguments: argparse.Namespace, large: LargeDataset | None) -> tuple[Dataset, Size]:
    """The built set restored or built (``--scale twin`` or ``large``), else the small one
    built now."""
    from bench import dataset  # noqa: PLC0415 - imports Hearth's models

    if large is not None:
        data, size = from_large_dataset(large)
        # Its members joined before `hearth init` published the guidelines: the ones
        # measured accept them first, as their browsers would once.
        for username in {data.reader, *data.writers}:
            mixed.accept_what_is_due(username)
        return data, size
    size = sized_for(dataset.TINY if arguments.tiny else dataset.FULL, arguments.only)
    say(f"building the data set ({'tiny' if arguments.tiny else 'full'}): {describe(size)}")
    return dataset.build(size, say=say), size


def add_mixed_workload(
    results: report.Results,
    arguments: argparse.Namespace,
    *,
    large: LargeDataset,
    server: HearthServer,
    environment: dict[str, str],
    work: Path,
    stack: ExitStack,
) -> None:
    """The mixed workload (bench/mixed.py) on the large set, then against two processes
    with the correctness check when Redis is there: its rows, lines and targets, and
    where the CPU went meanwhile (bench/cpu.py: the first bottleneck, measured)."""
    window = cpu.CpuWindow()
    record = mixed.measure_workload(
        facts=large, first=server, environment=environment, work=work, stack=stack,
        member_count=len(large.mixed_members), duration=arguments.duration,
        warmup=arguments.warmup, connections=arguments.connections, check_rounds=20,
        two_processes=not arguments.no_redis, database=arguments.database, scale=arguments.built,
    )  # fmt: skip
    results.rows.extend(mixed.rows(record.mixed, queries=record.queries, key="mixed"))
    if record.many is not None:
        rows = mixed.rows(record.many.mixed, queries=record.queries, key="mixed-two-processes")
        results.rows.extend(rows)
    window.close()
    results.notes.extend(mixed.lines(record.mixed, record.many))
    results.notes.append(f"CPU during the mixed workload: {window.line()}")
    results.verdicts.extend(mixed.verdicts(record.mixed, record.many))
    # Issue 19: the workers' memory once the mixed workload has been through them.
    rss = max(worker.rss_bytes for worker in server.worker_memory()) / report.MIB
    results.notes.append(f"worker RSS after the mixed workload: {rss:.0f} MiB (largest worker)")
    results.verdicts.append(
        report.Verdict(
            f"worker RSS < {report.MIXED_RSS_MIB} MiB after the mixed workload",
            rss < report.MIXED_RSS_MIB,
            f"{rss:.0f} MiB",
        )
    )
    results.mixed = asdict(record) | {
        "worker_rss_after_mib": rss,
        "cpu_seconds": window.seconds,
        "cpu_wall_seconds": window.wall_seconds,
    }


def start_postgres(
    stack: ExitStack, corpus_cache: search.CorpusCache, large_cache: LargeCache | None
) -> PostgresCluster:
    """A throwaway cluster, from a cached data directory if there is one: the large data
    set's (--scale large), else the search corpus's."""
    seed = large_cache.postgres_seed() if large_cache else corpus_cache.postgres_seed()
    say("starting a throwaway PostgreSQL" + (f" from {seed}" if seed else ""))
    copying = time.perf_counter()
    cluster = stack.enter_context(postgres_cluster(seed=seed))
    if seed:  # the copy of the cached data directory is most of the cluster's start
        elapsed = time.perf_counter() - copying
        if large_cache:
            large_cache.restore_seconds = elapsed
        else:
            corpus_cache.restore_seconds = elapsed
    return cluster


def large_cache_for(arguments: argparse.Namespace) -> LargeCache | None:
    """The built data set's cache entry for this run (bench/large_dataset.py), or None for
    the small data set built for each run."""
    if arguments.built is None:
        return None
    from bench.large_dataset import DEFAULT_CACHE, SCALES, LargeCache  # noqa: PLC0415

    directory = Path(os.environ.get("HEARTH_BENCH_CACHE") or DEFAULT_CACHE)
    return LargeCache.for_run(
        SCALES[arguments.built], database=arguments.database, directory=directory
    )


def from_large_dataset(large: LargeDataset) -> tuple[Dataset, Size]:
    """The large set as the page, posting and watcher runs read a data set."""
    from bench.dataset import Dataset, Size  # noqa: PLC0415 - imports Hearth's models

    data = Dataset(
        category_slug=large.deep_category_slug,
        medium_thread_id=large.medium_thread_id,
        big_thread_id=large.big_thread_id,
        posting_thread_id=large.posting_thread_id,
        large_thread_id=0,  # the large set has no thread of largest-size posts
        large_posts=0,
        reader=large.reader,
        writers=large.writers,
        big_replies=large.big_thread_replies,
        watched_thread_id=large.watched_thread_id,
        unwatched_thread_id=large.unwatched_thread_id,
        watchers=large.watchers,
        deep_category_cursor=large.deep_page_cursor,
        deep_category_page=large.deep_page,
        description=(
            f"the large data set: {large.posts:,} posts in {large.threads:,} threads, "
            f"{large.categories} categories, {large.members:,} members, {large.reactions:,} "
            f"reactions, {large.read_states:,} read states ("
            + (f"restored from the cache in {large.restore_seconds:.0f} s" if large.restored
               else f"built in {large.build_seconds:.0f} s")
            + ")"
        ),
    )  # fmt: skip
    size = Size(
        members=large.members,
        threads=large.deep_category_threads,
        medium_replies=200,
        big_replies=large.big_thread_replies,
        big_page=large.big_page,
        large_posts=0,
        watchers=large.watchers,
    )
    return data, size


def keep_logs(
    results: report.Results, arguments: argparse.Namespace, server: HearthServer, *, stem: str
) -> None:
    """Keep the server's log next to the JSON record when a request failed, and the live
    server's when a stream missed a reply or ended early: their side of the story."""
    watched = results.watched_posting
    measured = results.rows + ([watched.watched, watched.unwatched] if watched else [])
    if results.live:
        measured += [results.live.posting_without, results.live.posting_with]
    if any(row.errors for row in measured):
        arguments.results_dir.mkdir(parents=True, exist_ok=True)
        kept = arguments.results_dir / f"{stem}.log"
        kept.write_bytes(server.log_path.read_bytes())
        results.server_log = str(kept)
    if (compared := results.spirit) and any(row.errors for row in compared.rows):
        arguments.results_dir.mkdir(parents=True, exist_ok=True)
        kept = arguments.results_dir / f"{stem}-spirit.log"
        kept.write_bytes(Path(compared.server_log).read_bytes())
        results.spirit = replace(compared, server_log=str(kept))
    if (streams := results.live) and (
        streams.lost + streams.duplicated + streams.unexpected + streams.streams_ended
    ):
        arguments.results_dir.mkdir(parents=True, exist_ok=True)
        kept = arguments.results_dir / f"{stem}-live.log"
        kept.write_bytes((server.log_path.parent / "live.log").read_bytes())
        results.live = replace(streams, log=str(kept))


def sized_for(size: Size, only: set[str]) -> Size:
    """The data set without the parts nothing in this run reads (``--only``)."""
    from bench.dataset import SPECIAL_THREADS  # noqa: PLC0415 - imports Hearth's models

    if "pages" not in only:
        # The live, api and spirit parts read the 200-reply thread's first page, as the page
        # rows do (spirit loads its text).
        medium = size.medium_replies if {"live", "api", "spirit"} & only else 0
        size = replace(size, threads=SPECIAL_THREADS, medium_replies=medium, big_replies=0)
    if "large-posts" not in only:
        size = replace(size, large_posts=0)
    if "watchers" not in only:
        size = replace(size, watchers=0)
    return size


def production_environment(work: Path, database_url: str, port: int) -> dict[str, str]:
    """Production settings (DEBUG off), with limits that would distort the numbers lifted."""
    environment = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
    environment |= {
        # Production's settings with the ceiling's URL added (bench/settings.py).
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": os.pathsep.join(
            [str(REPOSITORY), *filter(None, [os.environ.get("PYTHONPATH", "")])]
        ),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HEARTH_DATA_DIR": str(work / "data"),
        "HEARTH_RATE_LIMITS": "false",
        "HEARTH_POST_RATE_LIMIT": "1000000/60",
        "HEARTH_ACTION_RATE_LIMIT": "1000000/60",
        "HEARTH_SEARCH_RATE_LIMIT": "1000000/60",
        "HEARTH_WORKERS": str(WORKERS),
        # Production behind a proxy that buffers request bodies: one thread per worker.
        "HEARTH_THREADS": "1",
        "HEARTH_LOG_LEVEL": "WARNING",
        "BENCH_CEILING_PAGE": str(work / "ceiling.html"),
    }
    if database_url:
        environment["DATABASE_URL"] = database_url
    return environment


@dataclass(frozen=True)
class Prepared:
    """Everything checked before the load: who visits, page sizes and query counts."""

    visitors: dict[str, Visitor]  # by audience
    writers: list[Visitor]
    body_bytes: dict[str, int]  # by scenario key
    queries: dict[str, int]
    reply_path: str
    post_body: str
    post_queries: int
    # The first request after the start and the time until warm (bench/cold_start.py);
    # empty when no page is measured.
    cold_start: dict[str, float] = field(default_factory=dict)


def measure(
    arguments: argparse.Namespace,
    *,
    server: HearthServer,
    data: Dataset,
    size: Size,
    scripts: tuple[Path, Path],
    environment: dict[str, str],
    started_at: str,
    corpus: tuple[search_corpus.Corpus, search.CorpusCache] | None = None,
    cluster: PostgresCluster | None = None,
    work: Path,
    outside_environment: dict[str, str],
) -> report.Results:
    page_script, post_script = scripts
    scenarios = page_scenarios(data, size) if "pages" in arguments.only else []
    prepared = prepare(server, data, size, scenarios)
    rows = [
        measure_page(arguments, server, scenario, prepared, page_script) for scenario in scenarios
    ]
    spirit_comparison = None
    if "spirit" in arguments.only:  # before live, whose replies lengthen the thread it copies
        spirit_comparison = compare_with_spirit(
            arguments, server=server, data=data, prepared=prepared, cluster=cluster, work=work,
            page_script=page_script, outside_environment=outside_environment,
        )  # fmt: skip
    posting = None
    many_writers = None
    if "posting" in arguments.only:
        post_row, posting = measure_posting(
            arguments, server, data, prepared, post_script, writers=POSTING_WRITERS
        )
        many_row, many_writers = measure_posting(
            arguments, server, data, prepared, post_script, writers=MANY_WRITERS
        )
        rows.extend([post_row, many_row])
    large_posts = {}
    if "large-posts" in arguments.only:
        large_posts = read_largest_posts(server, data, prepared)
    watched_posting = None
    if "watchers" in arguments.only:
        watched_posting = measure_watched_posting(arguments, server, data, prepared, environment)
    api_rows: list[report.Row] = []
    api_verdicts: list[report.Verdict] = []
    if "api" in arguments.only:  # before live, whose replies lengthen the 200-reply thread
        api_rows, api_verdicts = api.measure(
            arguments, server=server, thread_id=data.medium_thread_id, reader=data.reader,
            session_cookie=prepared.visitors["member"].cookie_header, page_script=page_script,
            say=say,
        )  # fmt: skip
        rows.extend(api_rows)
    search_figures = None
    if corpus is not None:  # before live, which lengthens the thread its replies go to
        search_figures = measure_search(
            arguments, server=server, data=data, prepared=prepared, environment=environment,
            corpus=corpus,
        )  # fmt: skip
    live_streams = None
    if "live" in arguments.only:  # last: its replies lengthen the 200-reply thread
        live_streams = measure_live(
            arguments, server=server, data=data, size=size, prepared=prepared,
            environment=environment, page_script=page_script,
        )  # fmt: skip

    memory = server.worker_memory()
    if not memory:
        message = "found no granian worker processes to measure"
        raise BenchError(message)
    results = report.Results(
        database=arguments.database,
        started_at=started_at,
        commit=_commit(),
        settings={
            "workers": WORKERS,
            "connections": arguments.connections,
            "threads": arguments.threads,
            "duration": arguments.duration,
            "warmup": arguments.warmup,
            "posting_writers": POSTING_WRITERS,
            "live_streams": arguments.live_streams,
            "only": sorted(arguments.only),
            "environment": {
                name: value
                for name, value in environment.items()
                if name.startswith(("HEARTH_", "DEBUG", "DJANGO_"))
            },
        },
        dataset={
            "size": arguments.scale if arguments.built else ("tiny" if arguments.tiny else "full"),
            "description": data.description or describe(size),
            "big_replies": size.big_replies,
            "total_seconds": data.timings.total,
            "members_seconds": data.timings.members,
            "threads_seconds": data.timings.threads,
            "medium_thread_seconds": data.timings.medium_thread,
            "big_thread_seconds": data.timings.big_thread,
            "watchers": data.watchers,
            "watchers_seconds": data.timings.watchers,
        },
        rows=report.with_ratios(rows, rows),
        posting=posting,
        many_writers_posting=many_writers,
        worker_rss_mib=max(worker.rss_bytes for worker in memory) / report.MIB,
        worker_peak_rss_mib=max(worker.peak_bytes for worker in memory) / report.MIB,
        large_posts=large_posts,
        cold_start=prepared.cold_start,
        watched_posting=watched_posting,
        live=live_streams,
        search=search_figures,
        spirit=(
            replace(spirit_comparison, rows=report.with_ratios(spirit_comparison.rows, rows))
            if spirit_comparison
            else None
        ),
    )
    results.verdicts = report.judge(results) + api_verdicts
    return results


def compare_with_spirit(
    arguments: argparse.Namespace,
    *,
    server: HearthServer,
    data: Dataset,
    prepared: Prepared,
    cluster: PostgresCluster | None,
    work: Path,
    page_script: Path,
    outside_environment: dict[str, str],
) -> report.SpiritComparison:
    """Hearth's signed-in thread page against django-spirit's (bench/spirit.py), or why
    spirit is not measured in this run."""
    from django.urls import reverse  # noqa: PLC0415 - Django is set up by now

    if arguments.no_spirit:
        return spirit.not_measured("left out (--no-spirit)")
    if cluster is None:
        return spirit.not_measured(
            "SQLite run: spirit is compared on PostgreSQL only (make bench, the default)"
        )
    path = reverse("forum:thread", kwargs={"thread_id": data.medium_thread_id})
    member = prepared.visitors["member"]
    queries = prepared.queries.get("medium-first-member")
    if queries is None:  # --only spirit: the page rows did not count them
        queries = count_queries("get", path, member, server.port, expect=200)
    hearth_page = spirit.HearthPage(
        origin=server.origin,
        path=path,
        cookie=member.cookie_header,
        body_bytes=len(fetch(server.port, path, member.cookie_header).body),
        queries=queries,
    )
    return spirit.compare(
        arguments,
        cluster=cluster,
        work=work / "spirit",
        thread=spirit.thread_from_hearth(data.medium_thread_id, reader=data.reader),
        hearth=hearth_page,
        page_script=page_script,
        environment=outside_environment,
        say=say,
    )


def read_largest_posts(server: HearthServer, data: Dataset, prepared: Prepared) -> dict[str, float]:
    """Read every page of the thread of largest posts, three times over as the member (so
    each worker meets each post), then take the workers' memory: the fragment cache is
    bounded in bytes, so it must stay flat however large the posts."""
    from django.urls import reverse  # noqa: PLC0415

    say(f"reading {data.large_posts} posts of the largest size")
    path = reverse("forum:thread", kwargs={"thread_id": data.large_thread_id})
    cookie = prepared.visitors["member"].cookie_header
    from hearth.forum.selectors import POSTS_PER_PAGE  # noqa: PLC0415 - Django is set up

    pages = max(1, -(-(data.large_posts + 1) // POSTS_PER_PAGE))
    before = max(worker.rss_bytes for worker in server.worker_memory()) / report.MIB
    read = 0
    for _round in range(3):
        for page in range(1, pages + 1):
            answer = fetch(server.port, f"{path}?page={page}", cookie)
            if answer.status != 200:
                message = f"{path}?page={page} answered {answer.status}, not 200"
                raise BenchError(message)
            read += 1
    memory = server.worker_memory()
    return {
        "posts": float(data.large_posts),
        "pages_read": float(read),
        "rss_before_mib": before,
        "rss_mib": max(worker.rss_bytes for worker in memory) / report.MIB,
        "peak_rss_mib": max(worker.peak_bytes for worker in memory) / report.MIB,
    }


def prepare(server: HearthServer, data: Dataset, size: Size, scenarios: list[Scenario]) -> Prepared:
    """Sign in, write the ceiling's page, check every page once and count its queries."""
    from django.urls import reverse  # noqa: PLC0415

    from bench import dataset  # noqa: PLC0415

    port = server.port
    if scenarios:
        give_notifications(data)
        index_for_search(data)
    # What a browser holds after its first visit, for the reader, each writer and a visitor.
    medium_path = reverse("forum:thread", kwargs={"thread_id": data.medium_thread_id})
    posting_path = reverse("forum:thread", kwargs={"thread_id": data.posting_thread_id})
    reader_session = dataset.sign_in(data.reader)
    # Before anything else asks the new server for a page: cold, then warm.
    cold = measure_cold_start(port, medium_path, reader_session, scenarios)
    reader = first_visit(port, medium_path, reader_session)
    writers = [first_visit(port, posting_path, dataset.sign_in(name)) for name in data.writers]
    visitors = {
        "member": reader,
        "anonymous": first_visit(port, reverse("home"), session=""),
        ANYONE: Visitor(cookies={}, form_token=""),
    }

    # Both references serve the real first page of the 200-reply thread, as the reader gets it.
    ceiling.page_path().write_bytes(fetch(port, medium_path, reader.cookie_header).body)

    say("checking every page and counting its queries")
    logout_marker = reverse("account_logout").encode()
    body_bytes: dict[str, int] = {}
    queries: dict[str, int] = {}
    for scenario in scenarios:
        visitor = visitors[scenario.audience]
        page = fetch(port, scenario.path, visitor.cookie_header)
        if page.status != 200:
            message = f"{scenario.path} as {scenario.audience} answered {page.status}, not 200"
            raise BenchError(message)
        signed_in = logout_marker in page.body
        if scenario.kind in {"thread", "list"} and signed_in != (scenario.audience == "member"):
            message = f"{scenario.path} was not served as a {scenario.audience} would see it"
            raise BenchError(message)
        body_bytes[scenario.key] = len(page.body)
        queries[scenario.key] = (
            count_bare_queries(scenario.path)
            if scenario.kind == "ceiling"
            else count_queries("get", scenario.path, visitor, port, expect=200)
        )

    reply_path = reverse("forum:reply", kwargs={"thread_id": data.posting_thread_id})
    post_body = dataset.plain_text(random.Random(55), size.body_chars)
    post_form = {"body": post_body, "request_key": "bench-query-count-warm-up"}
    count_queries("post", reply_path, writers[0], port, expect=302, form=post_form)
    post_form["request_key"] = "bench-query-count"
    post_queries = count_queries("post", reply_path, writers[0], port, expect=302, form=post_form)
    return Prepared(
        visitors=visitors, writers=writers, body_bytes=body_bytes, queries=queries,
        reply_path=reply_path, post_body=post_body, post_queries=post_queries, cold_start=cold,
    )  # fmt: skip


def give_notifications(data: Dataset) -> None:
    """The reader's notifications page has a page of them to show: replies (by others) in
    the 200-reply thread, as the notifications task writes them when the reader watches
    it. Written here, not by the data sets, so both sizes hold the same."""
    from django.urls import reverse  # noqa: PLC0415

    from hearth.accounts.models import User  # noqa: PLC0415
    from hearth.forum.models import Post  # noqa: PLC0415 - Django is set up by now
    from hearth.notifications.models import Kind, Notification  # noqa: PLC0415

    reader = User.objects.get(username=data.reader)
    posts = list(
        Post.objects.filter(thread_id=data.medium_thread_id, is_deleted=False)
        .exclude(author=reader)
        .select_related("author")
        .order_by("position")[:READER_NOTIFICATIONS]
    )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=reader, kind=Kind.REPLY, key=f"post:{post.pk}",
                thread_id=post.thread_id, post=post,
                actor=None if post.is_anonymous else post.author, actor_name=post.author_name,
                target_url=reverse("forum:permalink", kwargs={"post_id": post.pk}),
                created_at=post.created_at, updated_at=post.created_at,
                read_at=post.created_at if post.position % 3 else None,
            )
            for post in posts
        ],
        ignore_conflicts=True,
    )  # fmt: skip


def index_for_search(data: Dataset) -> None:
    """The search page's index: the built sets have one (bench/large_dataset.py); the small
    set built for each run is indexed here, as the worker would have done."""
    from hearth.forum.models import Post  # noqa: PLC0415 - Django is set up by now
    from hearth.search.indexing import index_posts  # noqa: PLC0415
    from hearth.search.models import SearchEntry  # noqa: PLC0415

    posts = Post.objects.filter(thread__category__slug=data.category_slug, is_deleted=False)
    if SearchEntry.objects.filter(post__in=posts.values("pk")[:1000]).exists():
        return  # a built set: its bulk posts' entries were written with them
    say("indexing the data set for the search page")
    index_posts(posts.values_list("pk", flat=True).iterator())


def measure_cold_start(
    port: int, first_path: str, reader_session: str, scenarios: list[Scenario]
) -> dict[str, float]:
    """The server's first page (the reader's thread page), then passes over every page
    until they are warm (bench/cold_start.py); nothing when no page is measured."""
    from django.conf import settings  # noqa: PLC0415 - Django is set up by now

    pages_measured = [scenario for scenario in scenarios if scenario.kind in {"thread", "list"}]
    if not pages_measured:
        return {}
    say("timing the first request and the caches warming")
    member = f"{settings.SESSION_COOKIE_NAME}={reader_session}"
    pages = [
        (scenario.path, member if scenario.audience == "member" else "")
        for scenario in pages_measured
    ]
    cold = cold_start.measure(
        lambda path, cookie: fetch(port, path, cookie), (first_path, member), pages
    )
    return cold.as_dict(len(pages))


def measure_page(
    arguments: argparse.Namespace,
    server: HearthServer,
    scenario: Scenario,
    prepared: Prepared,
    script: Path,
) -> report.Row:
    """Load one page for the warm-up (discarded), then for the measured duration."""
    say(f"measuring {scenario.name} ({scenario.audience})")
    url = server.origin + scenario.path
    cookie = prepared.visitors[scenario.audience].cookie_header
    if arguments.warmup:
        load.load_page(
            url, cookie=cookie, seconds=arguments.warmup, connections=arguments.connections,
            threads=arguments.threads, script=script,
        )  # fmt: skip
    result = load.load_page(
        url, cookie=cookie, seconds=arguments.duration, connections=arguments.connections,
        threads=arguments.threads, script=script,
    )  # fmt: skip
    from bench.wsgi import BARE_PATH  # noqa: PLC0415 - imports Hearth's WSGI application

    load.settle(server.port, BARE_PATH)
    return report.Row(
        key=scenario.key,
        name=scenario.name,
        audience=scenario.audience,
        kind=scenario.kind,
        requests_per_second=result.requests_per_second,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        body_bytes=prepared.body_bytes[scenario.key],
        queries=prepared.queries[scenario.key],
        errors=result.errors,
        requests=result.requests,
    )


def measure_posting(
    arguments: argparse.Namespace,
    server: HearthServer,
    data: Dataset,
    prepared: Prepared,
    script: Path,
    *,
    writers: int,
) -> tuple[report.Row, report.Posting]:
    """Post replies from ``writers`` members at once, then count what reached the database."""
    say(f"measuring reply posting ({writers} writers)")
    credentials = [
        load.Writer(cookie=writer.cookie_header, csrf_token=writer.form_token)
        for writer in prepared.writers[:writers]
    ]
    if len(credentials) < writers:
        message = f"reply posting with {writers} writers: the data set has {len(credentials)}"
        raise BenchError(message)
    if arguments.warmup:  # its posts carry another run id, so they are not counted below
        load.load_posting(
            server.origin, prepared.reply_path, writers=credentials, body=prepared.post_body,
            run_id="w" + secrets.token_hex(4), seconds=arguments.warmup, script=script,
        )  # fmt: skip
    run_id = "b" + secrets.token_hex(4)
    result = load.load_posting(
        server.origin, prepared.reply_path, writers=credentials, body=prepared.post_body,
        run_id=run_id, seconds=arguments.duration, script=script,
    )  # fmt: skip
    posting = count_posting(data.posting_thread_id, run_id, result, writers=writers)
    row = report.Row(
        key="post" if writers == POSTING_WRITERS else f"post-{writers}",
        name="reply posting",
        audience=f"{writers} writers",
        kind="post",
        requests_per_second=result.requests_per_second,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        body_bytes=len(prepared.post_body.encode()),
        queries=prepared.post_queries,
        errors=posting.errors,
        requests=result.requests,
    )
    return row, posting


def measure_watched_posting(
    arguments: argparse.Namespace,
    server: HearthServer,
    data: Dataset,
    prepared: Prepared,
    environment: dict[str, str],
) -> report.WatchedPosting:
    """Replies in the thread every watcher watches against the unwatched one, then the
    fan-out with ``hearth worker`` running (bench/watchers.py)."""
    from django.urls import reverse  # noqa: PLC0415 - Django is set up by now

    writer = prepared.writers[0]
    targets = {
        name: watchers.Target(
            thread_id=thread_id,
            reply_path=reverse("forum:reply", kwargs={"thread_id": thread_id}),
            thread_path=reverse("forum:thread", kwargs={"thread_id": thread_id}),
        )
        for name, thread_id in (
            ("watched", data.watched_thread_id),
            ("unwatched", data.unwatched_thread_id),
        )
    }
    # Queries of one reply into each: more with watchers would mean work per watcher.
    queries = {}
    for name, target in targets.items():
        form = {"body": prepared.post_body, "request_key": f"bench-query-count-{name}-warm-up"}
        count_queries("post", target.reply_path, writer, server.port, expect=302, form=form)
        form["request_key"] = f"bench-query-count-{name}"
        queries[name] = count_queries(
            "post", target.reply_path, writer, server.port, expect=302, form=form
        )
    return watchers.measure(
        port=server.port,
        origin=server.origin,
        writer=load.Writer(cookie=writer.cookie_header, csrf_token=writer.form_token),
        targets=targets,
        body=prepared.post_body,
        queries=queries,
        watchers=data.watchers,
        seconds=arguments.duration,
        warmup=arguments.warmup,
        environment=environment,
        log_path=server.log_path.parent / "worker.log",
        say=say,
    )


def measure_search(
    arguments: argparse.Namespace,
    *,
    server: HearthServer,
    data: Dataset,
    prepared: Prepared,
    environment: dict[str, str],
    corpus: tuple[search_corpus.Corpus, search.CorpusCache],
) -> report.Search:
    """Issue 15's search targets over the corpus (bench/search.py): queries as signed-in
    members, then replies found by search with ``hearth worker`` running."""
    from django.urls import reverse  # noqa: PLC0415 - Django is set up by now

    writer = prepared.writers[0]
    target = watchers.Target(
        thread_id=data.posting_thread_id,
        reply_path=reverse("forum:reply", kwargs={"thread_id": data.posting_thread_id}),
        thread_path=reverse("forum:thread", kwargs={"thread_id": data.posting_thread_id}),
    )
    return search.measure(
        arguments,
        server=server,
        corpus=corpus[0],
        cache=corpus[1],
        member_cookies=[
            visitor.cookie_header
            for visitor in [prepared.visitors["member"], *prepared.writers[:POSTING_WRITERS]]
        ],
        writer=load.Writer(cookie=writer.cookie_header, csrf_token=writer.form_token),
        target=target,
        environment=environment,
        say=say,
    )


def measure_live(
    arguments: argparse.Namespace,
    *,
    server: HearthServer,
    data: Dataset,
    size: Size,
    prepared: Prepared,
    environment: dict[str, str],
    page_script: Path,
) -> report.Live:
    """Open live streams of the 200-reply thread beside the page server: their memory, the
    thread's first page beside them, and replies reaching them (bench/live.py)."""
    from django.urls import reverse  # noqa: PLC0415 - Django is set up by now

    writer = prepared.writers[0]
    target = watchers.Target(
        thread_id=data.medium_thread_id,
        reply_path=reverse("forum:reply", kwargs={"thread_id": data.medium_thread_id}),
        thread_path=reverse("forum:thread", kwargs={"thread_id": data.medium_thread_id}),
    )
    form = {"body": prepared.post_body, "request_key": "bench-query-count-live-warm-up"}
    count_queries("post", target.reply_path, writer, server.port, expect=302, form=form)
    form["request_key"] = "bench-query-count-live"
    queries = count_queries("post", target.reply_path, writer, server.port, expect=302, form=form)
    say(f"measuring live updates: {arguments.live_streams} streams")
    return live.measure(
        pages=server,
        environment=environment,
        work=server.log_path.parent,
        streams=arguments.live_streams,
        target=target,
        page_name=f"{size.medium_replies}-reply thread, page 1 (member)",
        reader_cookie=prepared.visitors["member"].cookie_header,
        writer=load.Writer(cookie=writer.cookie_header, csrf_token=writer.form_token),
        body=prepared.post_body,
        queries=queries,
        seconds=arguments.duration,
        warmup=arguments.warmup,
        connections=arguments.connections,
        threads=arguments.threads,
        page_script=page_script,
        say=say,
    )


def page_scenarios(data: Dataset, size: Size) -> list[Scenario]:
    """Every page measured, for the signed-in reader and for an anonymous visitor, after
    the bare ceiling (once: no session or middleware reads who asks)."""
    from django.urls import reverse  # noqa: PLC0415 - Django is set up by now

    from bench.dataset import count_posts  # noqa: PLC0415
    from bench.wsgi import BARE_PATH  # noqa: PLC0415 - imports Hearth's WSGI application

    try:
        from hearth.forum.selectors import POSTS_PER_PAGE  # noqa: PLC0415

        per_page = int(POSTS_PER_PAGE)
    except ImportError:
        per_page = DEFAULT_POSTS_PER_PAGE
    middle = math.ceil(count_posts(data.medium_thread_id) / per_page) // 2 + 1
    # A full page, so it compares with page 1: page 400 of the full data set, and the
    # last full page of the tiny one's shorter thread.
    deep = max(1, min(size.big_page, count_posts(data.big_thread_id) // per_page))
    medium = reverse("forum:thread", kwargs={"thread_id": data.medium_thread_id})
    big = reverse("forum:thread", kwargs={"thread_id": data.big_thread_id})
    pages = [
        (
            "floor",
            "Hearth stack floor (thread page from memory)",
            "floor",
            reverse("bench_stack_floor"),
        ),
        ("medium-first", f"{size.medium_replies}-reply thread, page 1", "thread", medium),
        (
            "medium-middle",
            f"{size.medium_replies}-reply thread, page {middle}",
            "thread",
            f"{medium}?page={middle}",
        ),
        ("big-first", f"{size.big_replies}-reply thread, page 1", "thread", big),
        (
            "big-deep",
            f"{size.big_replies}-reply thread, page {deep}",
            "thread",
            f"{big}?page={deep}",
        ),
        (
            "category",
            "category page",
            "list",
            reverse("forum:category", kwargs={"slug": data.category_slug}),
        ),
        ("home", "home page", "list", reverse("home")),
    ]
    if data.deep_category_cursor:  # the large set: a keyset page far from the top
        category = reverse("forum:category", kwargs={"slug": data.category_slug})
        pages.append(
            (
                "category-deep",
                f"category page {data.deep_category_page} (keyset)",
                "list",
                f"{category}?after={urllib.parse.quote(data.deep_category_cursor, safe='')}",
            )
        )
    bare = Scenario(
        key="bare-ceiling",
        name="bare ceiling (Django view, no middleware)",
        audience=ANYONE,
        kind="ceiling",
        path=BARE_PATH,
    )
    # Members only: the reader's notifications (``give_notifications``), and search
    # (visitors are sent to sign in).
    search = reverse("search:search") + "?" + urllib.parse.urlencode({"q": SEARCH_QUERY})
    members_only = [
        Scenario(
            key="notifications-member", name="notifications page", audience="member",
            kind="list", path=reverse("notifications:list"),
        ),
        Scenario(
            key="search-member", name=f"search page ({SEARCH_QUERY})", audience="member",
            kind="search", path=search,
        ),
    ]  # fmt: skip
    return [
        bare,
        *(
            Scenario(key=f"{key}-{audience}", name=name, audience=audience, kind=kind, path=path)
            for audience in ("member", "anonymous")
            for key, name, kind, path in pages
        ),
        *members_only,
    ]


def describe(size: Size) -> str:
    return (
        f"{size.members} members, 1 category with {size.threads} threads, "
        f"a {size.medium_replies}-reply and a {size.big_replies}-reply thread "
        f"(~{size.body_chars}-character posts), a thread of {size.large_posts} posts "
        f"of the largest size (64 KB), and {size.watchers} more members watching one thread"
    )


def first_visit(port: int, path: str, session: str) -> Visitor:
    """Visit a page once, as a browser would, keeping the CSRF cookie and the form's token."""
    from django.conf import settings  # noqa: PLC0415 - Django is set up by now

    cookies = {settings.SESSION_COOKIE_NAME: session} if session else {}
    page = fetch(port, path, "; ".join(f"{name}={value}" for name, value in cookies.items()))
    if page.status != 200:
        message = f"{path} answered {page.status} on the first visit, not 200"
        raise BenchError(message)
    if csrf := page.set_cookies.get(settings.CSRF_COOKIE_NAME):
        cookies[settings.CSRF_COOKIE_NAME] = csrf
    found = CSRF_FORM_FIELD.search(page.body.decode())
    return Visitor(cookies=cookies, form_token=found.group(1) if found else "")


def count_queries(
    method: str,
    path: str,
    visitor: Visitor,
    port: int,
    *,
    expect: int,
    form: dict[str, str] | None = None,
) -> int:
    """Count the queries of one request, after a warm-up, with Django's test client.

    It runs in this process against the same database with the same settings
    as the server, so the count is the server's (middleware included).
    """
    from django.db import connection  # noqa: PLC0415 - Django is set up by now
    from django.test import Client  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client = Client(SERVER_NAME="127.0.0.1", SERVER_PORT=str(port))
    for name, value in visitor.cookies.items():
        client.cookies[name] = value
    if method == "get":
        client.get(path)  # the first visit may write (read markers) and fill caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path) if method == "get" else client.post(path, form or {})
    if response.status_code != expect:
        message = f"{method.upper()} {path} answered {response.status_code}, not {expect}"
        raise BenchError(message)
    return len(captured)


def count_bare_queries(path: str) -> int:
    """Count the bare ceiling's queries: one request through ``bench.wsgi`` in this process
    (Django's test client would go through the middleware, which the bare path skips)."""
    from django.db import connection  # noqa: PLC0415 - Django is set up by now
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from bench.wsgi import application  # noqa: PLC0415

    environ: WSGIEnvironment = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ |= {"PATH_INFO": path, "HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1"}
    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None, /
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return lambda _data: None  # the write() of old WSGI applications: not used

    with CaptureQueriesContext(connection) as captured:
        body = b"".join(application(environ, start_response))
    if not statuses[0].startswith("200") or not body:
        message = f"GET {path} through bench.wsgi answered {statuses[0]}, not 200"
        raise BenchError(message)
    return len(captured)


def count_posting(
    thread_id: int, run_id: str, result: load.WrkResult, *, writers: int
) -> report.Posting:
    """Compare what wrk saw acknowledged with the posts in the database."""
    from hearth.forum.models import Post  # noqa: PLC0415 - Django is set up by now

    stored = list(
        Post.objects.filter(thread_id=thread_id, request_key__startswith=f"{run_id}-").values_list(
            "request_key", flat=True
        )
    )
    stored_keys = set(stored)
    acked = set(result.acked_keys)
    duplicated = len(stored) - len(stored_keys)
    duplicated += sum(count - 1 for count in Counter(result.acked_keys).values())
    return report.Posting(
        writers=writers,
        completed_requests=result.requests,
        acknowledged=len(acked),
        posts_created=len(stored),
        lost=len(acked - stored_keys),
        duplicated=duplicated,
        unacknowledged=len(stored_keys - acked),
        errors=result.errors,
    )


def _stamp(started_at: str) -> str:
    return started_at.replace(":", "").replace("-", "")


def _commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPOSITORY, capture_output=True, text=True, check=True, timeout=10,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(
            ["git", "diff", "--quiet", "HEAD"], cwd=REPOSITORY, check=False, timeout=30
        ).returncode
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} + uncommitted changes" if dirty else head


if __name__ == "__main__":
    started = time.monotonic()
    status = main()
    say(f"bench: finished in {time.monotonic() - started:.0f} s")
    sys.exit(status)
