"""The ``search`` part of ``make bench``: issue 15's search targets over a million posts.

Issue 15: "Search over the benchmark's data grown to 1,000,000 posts: p95 < 100 ms
for a two-word query on PostgreSQL and SQLite; indexing a new post within 2 s of its
commit." Three things, in one run:

- **The corpus** (``bench/search_corpus.py``): ``--search-posts`` posts (1,000,000;
  300 with ``--tiny``), bulk-built once and kept in a cache (``CorpusCache``, below),
  since building it takes minutes and measuring it seconds.
- **Query latency**: signed-in members GET ``/search/?q=...`` for ``QUERY_COUNT``
  two-word queries (rare, medium and common words; a few newest-first, phrases and
  ``author:`` filters), one at a time and from ``CLIENTS`` clients at once, against
  the page server the other parts measure. The search page without a query (the
  same view, template and session work, no search) is measured between them, as
  the baseline the ratio is taken against.
- **Indexing latency**: with ``hearth worker`` running (its production options), a
  member posts replies carrying a word nobody wrote before through the reply form;
  the harness then asks the search backend (the one the page uses) every 10 ms
  until the reply is found, and afterwards checks that ``/search/`` finds each.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bench import load, report, watchers
from bench.server import BenchError, HearthServer, PostgresCluster, find_postgres_bin, hearth_worker

if TYPE_CHECKING:
    from bench.search_corpus import Corpus

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPOSITORY / "var" / "bench-cache"  # /var/ is git-ignored
FULL_POSTS = 1_000_000
TINY_POSTS = 300
# Below this a corpus builds in seconds: never cached (the smoke test's few hundred posts).
CACHE_MIN_POSTS = 20_000
QUERY_COUNT = 50
CLIENTS = 4
SEQUENTIAL_ROUNDS, CONCURRENT_PASSES = 3, 2  # 1 and 1 with --tiny
INDEXING_SAMPLES = 10  # 3 with --tiny
INDEX_POLL_SECONDS = 0.01
INDEX_TIMEOUT_SECONDS = 60.0
REQUEST_TIMEOUT_SECONDS = 60
HIT = re.compile(rb'<li class="thread-row">')
SLOWEST_SHOWN = 5


# --- The cache ---------------------------------------------------------------------------


@dataclass
class CorpusCache:
    """Where a built corpus is kept between runs, and whether this run restored it.

    The key is the database, the corpus size and a fingerprint of everything that
    decides what the database holds: every migration's file name (a schema change
    rebuilds it), this harness's corpus builder (its source), and on PostgreSQL the
    server's major version (a data directory is only readable by its own). SQLite's
    cache is the database file; PostgreSQL's is a stopped cluster's data directory,
    which the run's cluster starts from a copy of (``bench.server.postgres_cluster``).
    Older entries of the same database and size are deleted when a new one is saved.
    """

    enabled: bool
    database: str
    posts: int
    directory: Path
    key: str
    restored: bool = False
    restore_seconds: float = 0.0

    @classmethod
    def for_run(cls, arguments: argparse.Namespace) -> CorpusCache:
        """Read before the run's environment replaces this process's (``HEARTH_BENCH_CACHE``)."""
        posts = arguments.search_posts or (TINY_POSTS if arguments.tiny else FULL_POSTS)
        directory = Path(os.environ.get("HEARTH_BENCH_CACHE") or DEFAULT_CACHE)
        enabled = "search" in arguments.only
        key = ""
        if enabled and posts >= CACHE_MIN_POSTS:
            key = f"search-{arguments.database}-{posts}-{_fingerprint(arguments.database)}"
        return cls(enabled, arguments.database, posts, directory, key)

    @property
    def path(self) -> Path | None:
        if not self.key:
            return None
        return self.directory / (self.key + (".sqlite3" if self.database == "sqlite" else ""))

    def postgres_seed(self) -> Path | None:
        """The cached cluster to start from, if there is one."""
        if self.enabled and self.database == "postgres" and self.path and self.path.is_dir():
            self.restored = True
            return self.path
        return None

    def restore_sqlite(self, data_directory: Path) -> None:
        """Copy the cached database into place, before ``hearth init`` (which then has
        nothing to migrate)."""
        if self.enabled and self.database == "sqlite" and self.path and self.path.is_file():
            started = time.perf_counter()
            data_directory.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(self.path, data_directory / "hearth.sqlite3")
            self.restored = True
            self.restore_seconds = time.perf_counter() - started

    def build_or_load(
        self, *, cluster: PostgresCluster | None, say: Callable[[str], None]
    ) -> Corpus | None:
        """The corpus: the cached one's facts, or built now (and then cached)."""
        if not self.enabled:
            return None
        from bench import search_corpus  # noqa: PLC0415 - imports Hearth's models

        if self.restored and self.path:
            facts = json.loads(self.path.with_name(self.key + ".json").read_text())
            say(f"search corpus: restored from {self.path}")
            return search_corpus.Corpus(**facts, words=search_corpus.vocabulary().words)
        corpus = search_corpus.build(self.posts, say=say)
        if self.path:
            self._save(corpus, cluster=cluster, say=say)
        return corpus

    def _save(
        self, corpus: Corpus, *, cluster: PostgresCluster | None, say: Callable[[str], None]
    ) -> None:
        from django.db import connection, connections  # noqa: PLC0415 - Django is set up

        assert self.path is not None
        started = time.perf_counter()
        self.directory.mkdir(parents=True, exist_ok=True)
        for stale in self.directory.glob(f"search-{self.database}-{self.posts}-*"):
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
        if self.database == "sqlite":
            with connection.cursor() as cursor:  # everything into the main file: one file to copy
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connections.close_all()
            partial = self.path.with_name(self.path.name + ".partial")
            shutil.copyfile(Path(str(connection.settings_dict["NAME"])), partial)
            partial.rename(self.path)
        else:
            assert cluster is not None
            connections.close_all()
            cluster.snapshot(self.path)
        facts = {key: value for key, value in asdict(corpus).items() if key != "words"}
        self.path.with_name(self.key + ".json").write_text(json.dumps(facts, indent=2) + "\n")
        say(f"search corpus: cached in {self.path} ({time.perf_counter() - started:.0f} s)")


def _fingerprint(database: str) -> str:
    digest = hashlib.sha256()
    for migration in sorted((REPOSITORY / "src" / "hearth").glob("*/migrations/*.py")):
        digest.update(f"{migration.parent.parent.name}/{migration.name}\n".encode())
    digest.update((REPOSITORY / "bench" / "search_corpus.py").read_bytes())
    if database == "postgres":
        digest.update(str(find_postgres_bin()).encode())  # /usr/lib/postgresql/<major>/bin
    return digest.hexdigest()[:12]


# --- The queries -------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    kind: str  # "common", "medium", "rare" (and mixes), "newest", "phrase", "author"
    text: str
    newest: bool = False

    @property
    def path(self) -> str:
        parameters = {"q": self.text} | ({"sort": "newest"} if self.newest else {})
        return "/search/?" + urllib.parse.urlencode(parameters)

    @property
    def label(self) -> str:
        return self.text + (" (newest first)" if self.newest else "")


def queries(corpus: Corpus) -> list[Query]:
    """``QUERY_COUNT`` two-word queries, by the words' ranks in the corpus's Zipf
    distribution: common (in several percent of posts), medium (a few tenths of a
    percent), rare (a few hundred posts or fewer), and mixes of them."""
    from bench.search_corpus import REAL_WORDS, STOP_WORDS  # noqa: PLC0415

    rng = random.Random(1515)
    real = set(REAL_WORDS)
    ranked = [(rank, word) for rank, word in enumerate(corpus.words) if word not in STOP_WORDS]
    common = [word for rank, word in ranked if rank < 150 and word in real]
    medium = [word for rank, word in ranked if 600 <= rank < 5000 and word in real]
    rare = [word for rank, word in ranked if rank >= 15_000]

    def pair(first: list[str], second: list[str]) -> str:
        one = rng.choice(first)
        return f"{one} {rng.choice([word for word in second if word != one])}"

    chosen = [Query("common+common", pair(common, common)) for _ in range(10)]
    chosen += [Query("common+medium", pair(common, medium)) for _ in range(8)]
    chosen += [Query("medium+medium", pair(medium, medium)) for _ in range(8)]
    chosen += [Query("rare+common", pair(rare, common)) for _ in range(6)]
    chosen += [Query("rare+medium", pair(rare, medium)) for _ in range(4)]
    chosen += [Query("rare+rare", pair(rare, rare)) for _ in range(4)]
    chosen += [Query("newest", pair(common, common), newest=True) for _ in range(3)]
    chosen += [Query("newest", pair(common, medium), newest=True)]
    chosen += [Query("phrase", f'"{pair(common, common)}"') for _ in range(2)]
    chosen += [
        Query("author", f"{pair(common, common)} author:{corpus.author_username}") for _ in range(2)
    ]
    chosen += [Query("author", f"{pair(common, medium)} author:{corpus.author_username}")]
    chosen += [Query("common+rare", pair(common, rare))]
    assert len(chosen) == QUERY_COUNT
    return chosen


@dataclass
class Client:
    """One signed-in member's keep-alive connection."""

    port: int
    cookie: str
    connection: http.client.HTTPConnection = field(init=False)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_SECONDS
        )

    def get(self, path: str) -> tuple[int, bytes, float]:
        """Status (0: no answer), body and latency in ms."""
        started = time.perf_counter()
        try:
            self.connection.request("GET", path, headers={"Cookie": self.cookie})
            response = self.connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            return 0, b"", (time.perf_counter() - started) * 1000
        return response.status, body, (time.perf_counter() - started) * 1000

    def close(self) -> None:
        self.connection.close()


def measure(
    arguments: argparse.Namespace,
    *,
    server: HearthServer,
    corpus: Corpus,
    cache: CorpusCache,
    member_cookies: list[str],
    writer: load.Writer,
    target: watchers.Target,
    environment: dict[str, str],
    say: Callable[[str], None],
) -> report.Search:
    chosen = queries(corpus)
    matches = {query.text: _matching_entries(query.text) for query in chosen}
    clients = [Client(server.port, cookie) for cookie in member_cookies[:CLIENTS]]
    errors = 0
    hits: dict[str, int] = {}
    try:
        say(f"search: checking {len(chosen)} queries once (warm-up)")
        for query in chosen:
            status, body, _ms = clients[0].get(query.path)
            if status != 200:
                message = f"{query.path} answered {status}, not 200"
                raise BenchError(message)
            hits[query.label] = len(HIT.findall(body))
        rounds = 1 if arguments.tiny else SEQUENTIAL_ROUNDS
        say(f"search: {rounds} rounds of the queries one at a time, the empty search page between")
        sequential: dict[str, list[float]] = {query.label: [] for query in chosen}
        baseline: list[float] = []
        order = random.Random(7)
        for _round in range(rounds):
            for query in order.sample(chosen, len(chosen)):
                status, _body, ms = clients[0].get(query.path)
                errors += status != 200
                sequential[query.label].append(ms)
                status, _body, ms = clients[0].get("/search/")
                errors += status != 200
                baseline.append(ms)
        passes = 1 if arguments.tiny else CONCURRENT_PASSES
        say(f"search: {len(clients)} clients at once, {passes} passes each")
        concurrent, concurrent_errors, concurrent_seconds = _concurrent(clients, chosen, passes)
        errors += concurrent_errors
    finally:
        for client in clients:
            client.close()
    indexing = _indexing(
        arguments, server=server, writer=writer, target=target, cookie=member_cookies[0],
        environment=environment, say=say,
    )  # fmt: skip
    every = [ms for values in sequential.values() for ms in values]
    figures = [
        report.SearchQuery(
            query=query.label,
            kind=query.kind,
            matches=matches[query.text],
            hits=hits[query.label],
            median_ms=statistics.median(sequential[query.label]),
            max_ms=max(sequential[query.label]),
        )
        for query in chosen
    ]
    return report.Search(
        posts=corpus.posts,
        threads=corpus.threads,
        categories=corpus.categories,
        build_seconds=corpus.build_seconds,
        restored_from_cache=cache.restored,
        restore_seconds=cache.restore_seconds,
        cache_path=str(cache.path or ""),
        queries=figures,
        sequential=report.Latency.of(every),
        concurrent=report.Latency.of(concurrent),
        concurrent_clients=len(clients),
        concurrent_requests_per_second=len(concurrent) / concurrent_seconds,
        baseline=report.Latency.of(baseline),
        errors=errors,
        indexing_seconds=indexing,
    )


def _concurrent(
    clients: list[Client], chosen: list[Query], passes: int
) -> tuple[list[float], int, float]:
    """Every client runs the queries ``passes`` times, each in its own order, all at once."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start = threading.Barrier(len(clients))

    def run(number: int, client: Client) -> None:
        nonlocal errors
        rng = random.Random(100 + number)
        start.wait()
        for _pass in range(passes):
            for query in rng.sample(chosen, len(chosen)):
                status, _body, ms = client.get(query.path)
                with lock:
                    latencies.append(ms)
                    errors += status != 200

    threads = [
        threading.Thread(target=run, args=(number, client), daemon=True)
        for number, client in enumerate(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def _matching_entries(text: str) -> int:
    """How many index entries match the query's words (whoever may read them; the
    author filter left out): how much work the database has before ranking."""
    from django.db import connection  # noqa: PLC0415 - Django is set up by now

    from hearth.core.text.search_terms import parse_search_terms  # noqa: PLC0415

    terms = parse_search_terms(text)
    if connection.vendor == "postgresql":
        from hearth.search.backends.postgres import (  # noqa: PLC0415
            match_condition,
            query_subquery,
        )
        from hearth.search.languages import languages_in_use  # noqa: PLC0415

        languages = languages_in_use()
        queries, values = query_subquery(languages, terms)
        sql = (
            f"SELECT count(*) FROM {queries}, search_searchentry e "  # noqa: S608
            f"WHERE {match_condition(languages)}"
        )
    else:
        from hearth.search.backends.sqlite import FTS_TABLE, match_expression  # noqa: PLC0415

        sql = f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608
        values = [match_expression(terms)]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return int(cursor.fetchone()[0])


# --- Indexing ----------------------------------------------------------------------------


def _indexing(
    arguments: argparse.Namespace,
    *,
    server: HearthServer,
    writer: load.Writer,
    target: watchers.Target,
    cookie: str,
    environment: dict[str, str],
    say: Callable[[str], None],
) -> list[float]:
    """Seconds from each reply's answer (its transaction committed) until search finds it."""
    from bench.search_corpus import random_letters  # noqa: PLC0415

    discarded = watchers.discard_queued_tasks()
    say(
        f"search: indexing; {discarded} queued tasks discarded (the data set's), "
        "hearth worker started with its production options"
    )
    samples = 3 if arguments.tiny else INDEXING_SAMPLES
    rng = random.Random()  # a new word every run: an earlier run's reply never matches
    poster = watchers.Poster(port=server.port, origin=server.origin, writer=writer, body="")
    found: list[tuple[str, float]] = []
    log_path = server.log_path.parent / "search-worker.log"
    try:
        with hearth_worker(environment=environment, log_path=log_path) as worker:
            for number in range(samples + 1):  # the first is the warm-up
                word = "qz" + random_letters(rng, 10)
                # At a random moment of the worker's second, as a member's reply arrives.
                time.sleep(rng.uniform(0.0, 1.0))
                poster.body = f"Thank you for writing this. {word.capitalize()} helped me too."
                status, _ms = poster.post(target, f"search-index-{word}")
                answered = time.perf_counter()
                if status != 302:
                    message = f"a reply for the indexing measurement answered {status}, not 302"
                    raise BenchError(message)
                while not _found_by_search(word):
                    if time.perf_counter() - answered > INDEX_TIMEOUT_SECONDS:
                        worker.check_running()
                        message = f"a reply was not found by search in {INDEX_TIMEOUT_SECONDS} s"
                        raise BenchError(message)
                    time.sleep(INDEX_POLL_SECONDS)
                if number:
                    found.append((word, time.perf_counter() - answered))
    finally:
        poster.close()
    page = Client(server.port, cookie)
    try:
        for word, _seconds in found:  # and the search page finds each, for the member
            status, body, _ms = page.get("/search/?" + urllib.parse.urlencode({"q": word}))
            if status != 200 or len(HIT.findall(body)) != 1:
                message = f"/search/?q={word} did not find the reply (status {status})"
                raise BenchError(message)
    finally:
        page.close()
    return [seconds for _word, seconds in found]


def _found_by_search(word: str) -> bool:
    """The backend the search page uses finds a post with ``word`` (any category). By
    relevance: through the full-text index, so a poll before the entry exists costs
    milliseconds whatever the corpus's size."""
    from hearth.core.text.search_terms import parse_search_terms  # noqa: PLC0415
    from hearth.forum.models import Category  # noqa: PLC0415
    from hearth.search.backends import Scope, current_backend  # noqa: PLC0415

    scope = Scope(category_ids=tuple(Category.objects.values_list("pk", flat=True)))
    return bool(
        current_backend().candidates(
            parse_search_terms(word), scope, by_relevance=True, after=None, limit=1
        )
    )
