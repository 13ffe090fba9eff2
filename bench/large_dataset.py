"""The large data set (issue 19): a million posts, built quickly, checked, cached.

``make bench SCALE=large`` measures Hearth on a community that has grown: 1,000,000 posts
in 100,000 threads across 20 categories, 50,000 members, reactions, read states,
content notes, mutes, anonymous threads and toolkit entries for 10,000 members. Writing
all of it through the services would take hours (a few hundred posts a second), so it
is built in two parts:

- **The bulk path**, for the volume: members, threads, posts (with their first
  revision, content-note labels, anonymous identities and search entries), reactions,
  read states, mutes and most toolkit entries are inserted in batches -- COPY on
  PostgreSQL, ``executemany`` on SQLite, ``CHUNK_POSTS`` posts per transaction --
  with every derived value worked out while generating: positions 1..n per thread,
  each post's reaction counters from its reaction rows, each thread's reply count,
  last position and last post by the counting rule (``forum/counters.py``). Post texts
  come from a pool of templates, each rendered once with the real
  ``render_post_body`` (and checked to mention nobody and match no crisis rule, so
  the service would have stored exactly that HTML and opened nothing); the search
  entries' text is the real ``indexing.plain_text`` of that HTML. The categories'
  numbers are then set by ``synchronise_category`` itself. Toolkit entries are model
  instances saved with ``bulk_create``: the model's encrypted fields encrypt them
  with the toolkit key, as any save does.
- **The services**, where behaviour matters and as a witness that the bulk rows are
  what they expect: after the bulk path, ``start_thread`` starts the threads the
  scenarios write to (the posting thread, the 200-reply thread, the watched pair, an
  anonymous thread, a thread with a content note) and more in every category;
  ``reply_to_thread`` writes the 200 replies and replies to random bulk threads (on
  top of the bulk counters, with ``F()``); ``toggle_reaction`` adds and takes back
  reactions (some on bulk reactions); ``delete_post`` and ``hide_post`` change
  posts (``delete_post`` recounts with ``synchronise_thread``); ``follow_thread``
  makes the 1,000 watchers; ``mark_thread_read``, ``mute_member`` and
  ``record_check_in`` add a sample of their rows.

**The check** (``check_counters``) then compares every counter with what the
counting rule gives: positions contiguous from 1 with ``last_position`` the last;
every thread's reply count and last post with the rule's own ``COUNTED_POST``
(one query mirroring ``synchronise_thread``), and a sample of threads and every
category put through ``synchronise_thread`` and ``synchronise_category``
themselves inside a transaction that is rolled back: nothing may change; every
post's reaction counters equal its reaction rows. It raises ``CountersDiffer`` with
the first differences.

**The cache** (``LargeCache``): a built data set is kept in ``var/bench-cache/``
(``HEARTH_BENCH_CACHE`` names another directory), keyed by the database, the scale
and a fingerprint of every migration file (names and contents), this module's
source and ``BUILDER_VERSION`` (and on PostgreSQL the server's major version):
SQLite's entry is the database file, PostgreSQL's a stopped cluster's data
directory (``bench.server.postgres_cluster(seed=...)`` starts from a copy), each
with the toolkit key file beside it (the entries are unreadable without it) and a
``.json`` of the data set's facts (``LargeDataset``).

Run on its own: ``python -m bench.large_dataset --database sqlite --scale large``
builds (or restores) it in a throwaway directory or cluster and prints the facts.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.server import (
    BenchError,
    PostgresCluster,
    find_postgres_bin,
    hearth_init,
    postgres_cluster,
)

if TYPE_CHECKING:
    from django.db import models

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = REPOSITORY / "var" / "bench-cache"  # /var/ is git-ignored
# Bump when the data set changes in a way this file's source does not show (it is in
# the fingerprint too, so any edit here builds a new one).
BUILDER_VERSION = 1
SEED = 19  # issue 19: the same data set on every build
USERNAME_PREFIX = "large_member_"
MODERATOR_USERNAME = "large_moderator"
CHUNK_POSTS = 20_000  # posts (with everything that hangs on them) per transaction
ANONYMOUS_CATEGORIES = frozenset({2, 5, 11, 15})  # category numbers taking anonymous posts
PUBLIC_CATEGORIES = 12  # categories 0..11 are public, the others for signed-in members
THREADS_PER_PAGE = 30  # forum.selectors.THREADS_PER_PAGE, repeated to import nothing early
POSTS_PER_PAGE = 20  # forum.selectors.POSTS_PER_PAGE
SERVICE_BATCH = 250  # service calls per outer transaction (savepoints inside), as bench.dataset
SAMPLE_THREADS = 25  # random threads put through synchronise_thread by the check
DIFFERENCES_SHOWN = 10
# Bulk posts span three years ending a day before the build; the services' are "now".
SPAN = timedelta(days=3 * 365)
HOPING_FOR = ("just_listening", "shared_experiences", "advice_welcome", "hugs")  # HopingFor
CATEGORY_NAMES = (
    "Anxiety", "Low mood", "Grief and loss", "Sleep", "Therapy", "Family", "Work and study",
    "Relationships", "Body and health", "Loneliness", "Anger", "Endings", "Self-care",
    "Recovery", "Parenting", "Carers", "Trauma", "Small wins", "Members' lounge", "Introductions",
)  # fmt: skip


@dataclass(frozen=True)
class LargeScale:
    """How big the data set is. ``posts`` and ``threads`` are exact totals."""

    name: str
    members: int
    threads: int
    posts: int
    big_replies: int  # the long thread's replies (page ``big_page`` must exist at "large")
    big_page: int  # its deep page (clamped to its last full page)
    medium_replies: int  # the 200-reply thread's replies, through reply_to_thread
    watchers: int  # members watching one thread (follow_thread)
    toolkit_members: int  # members with journal entries
    mixed_members: int  # members the mixed workload signs in as
    writers: int  # members the posting runs write as
    deep_page: int  # the category page (keyset) the deep-page scenario reads
    text_templates: int  # distinct post texts, each rendered once
    service_threads: int  # threads started through start_thread (the special ones included)
    service_replies: int  # replies to random bulk threads through reply_to_thread
    service_reactions: int  # toggle_reaction calls
    service_deletions: int  # delete_post calls
    service_hides: int  # hide_post calls
    service_read_marks: int  # mark_thread_read calls
    service_mutes: int  # mute_member calls
    service_toolkit_entries: int  # record_check_in calls


LARGE = LargeScale(
    name="large", members=50_000, threads=100_000, posts=1_000_000, big_replies=10_000,
    big_page=400, medium_replies=200, watchers=1_000, toolkit_members=10_000, mixed_members=200,
    writers=16, deep_page=100, text_templates=2_000, service_threads=200, service_replies=1_000,
    service_reactions=1_000, service_deletions=20, service_hides=20, service_read_marks=200,
    service_mutes=100, service_toolkit_entries=200,
)  # fmt: skip
# The large set's small twin, built the same way (bench/run.py ``--scale both`` measures
# the two side by side): the same 10,000-reply and 200-reply threads, watchers, writers
# and mixed-workload members, in a community 1/50th the size.
SMALL = LargeScale(
    name="small", members=2_000, threads=2_000, posts=20_000, big_replies=10_000,
    big_page=400, medium_replies=200, watchers=1_000, toolkit_members=200, mixed_members=200,
    writers=16, deep_page=4, text_templates=400, service_threads=200, service_replies=1_000,
    service_reactions=1_000, service_deletions=20, service_hides=20, service_read_marks=200,
    service_mutes=100, service_toolkit_entries=200,
)  # fmt: skip
# Seconds to build, for the tests and trying things out; page 400 becomes the big
# thread's last full page.
TINY = LargeScale(
    name="tiny", members=250, threads=200, posts=2_000, big_replies=450, big_page=400,
    medium_replies=30, watchers=20, toolkit_members=30, mixed_members=200, writers=16,
    deep_page=2, text_templates=40, service_threads=24, service_replies=30,
    service_reactions=30, service_deletions=3, service_hides=3, service_read_marks=10,
    service_mutes=10, service_toolkit_entries=10,
)  # fmt: skip
SCALES = {scale.name: scale for scale in (LARGE, SMALL, TINY)}


@dataclass(frozen=True)
class LargeDataset:
    """What the scenarios need to know about the data set (kept in the cache's ``.json``).

    Every thread named here is in a public category, so anonymous visitors read it too.
    """

    scale: str
    database: str
    # What is in it (counted after the build).
    posts: int
    threads: int
    categories: int
    members: int
    reactions: int
    read_states: int
    mutes: int
    anonymous_threads: int
    content_noted_posts: int
    toolkit_entries: int
    # Threads the scenarios read or write.
    big_thread_id: int  # the long thread (10,000 replies at "large")
    big_thread_replies: int
    big_page: int  # its deep page: 400 at "large" (20 posts a page), its last full page else
    medium_thread_id: int  # 200 replies through reply_to_thread
    posting_thread_id: int  # one post: the posting runs reply here
    watched_thread_id: int  # one post, watched by ``watchers`` members
    unwatched_thread_id: int  # one post, watched by nobody: the watched one's twin
    watchers: int
    anonymous_thread_id: int  # started anonymously, with replies under pseudonyms
    content_note_thread_id: int  # its original post carries content-note labels
    # The category pages: the one with the most threads and a cursor for its deep page.
    deep_category_slug: str
    deep_category_threads: int
    deep_page: int
    deep_page_cursor: str  # the ``after=`` value of that page (forum.selectors.Cursor)
    category_slugs: list[str]
    # Threads the mixed workload picks from: every id in the range exists and any member
    # may read it (the bulk threads; the services' came after them).
    first_thread_id: int
    last_thread_id: int
    # Members (usernames): all with unusable passwords; sign them in with sessions.
    reader: str  # reads the pages; one of the mixed members, with read states and mutes
    writers: list[str]
    mixed_members: list[str]  # 200 distinct members for the mixed workload
    toolkit_member: str  # a member with journal entries
    moderator: str
    # How it was made.
    build_seconds: float
    check_seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    restored: bool = False  # this run restored it from the cache
    restore_seconds: float = 0.0


class CountersDiffer(AssertionError):  # noqa: N818 - reads as "the counters differ"
    """The data set's counters or positions are not what the services would have produced."""


def member_username(number: int) -> str:
    return f"{USERNAME_PREFIX}{number:05d}"


def say_on_stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --- Progress -------------------------------------------------------------------------


class Progress:
    """Counts, rate and ETA of one part of the build, said at most every few seconds."""

    def __init__(self, what: str, total: int, say: Callable[[str], None]) -> None:
        self.what, self.total, self.say = what, total, say
        self.done = 0
        self.started = self.last_said = time.perf_counter()

    def add(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if now - self.last_said >= 5 or self.done >= self.total:
            self.last_said = now
            elapsed = now - self.started
            rate = self.done / elapsed if elapsed else 0.0
            left = (self.total - self.done) / rate if rate else 0.0
            self.say(
                f"    {self.done:,} / {self.total:,} {self.what} "
                f"({elapsed:.0f} s, {rate:,.0f}/s, about {left:.0f} s left)"
            )

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


# --- The cache ------------------------------------------------------------------------


@dataclass
class LargeCache:
    """Where a built data set is kept between runs, and whether this run restored it.

    Restoring comes before Django connects: on PostgreSQL start the cluster from
    ``postgres_seed()``; on both, call ``restore_files(data directory)`` before
    ``hearth init`` (the key file must be there first: ``init`` never makes a new key
    beside encrypted rows). Then ``build_or_load`` reads the facts, or builds (and saves).
    Older entries of the same database and scale are deleted when a new one is saved.
    """

    database: str
    scale: LargeScale
    directory: Path | None  # None: never cached
    restored: bool = False
    restore_seconds: float = 0.0

    @classmethod
    def for_run(cls, scale: LargeScale, *, database: str, directory: Path | None) -> LargeCache:
        return cls(database=database, scale=scale, directory=directory)

    @property
    def stem(self) -> str:
        return f"large-{self.database}-{self.scale.name}"

    @property
    def key(self) -> str:
        return f"{self.stem}-{fingerprint(self.database)}"

    @property
    def snapshot_path(self) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / (self.key + (".sqlite3" if self.database == "sqlite" else ""))

    @property
    def facts_path(self) -> Path | None:
        return self.directory / f"{self.key}.json" if self.directory else None

    @property
    def key_file_path(self) -> Path | None:
        return self.directory / f"{self.key}.toolkit_keys" if self.directory else None

    @property
    def schema_path(self) -> Path | None:
        return self.directory / f"{self.key}.migrations.json" if self.directory else None

    def schema_still_applies(self) -> bool:
        """Whether the snapshot's migrations are all still there, unchanged. Migrations
        added since are applied by ``hearth init`` after the restore, as an upgrade would
        apply them, so a new migration costs no rebuild; a changed or removed one does."""
        if self.schema_path is None or not self.schema_path.exists():
            return False
        built_with: dict[str, str] = json.loads(self.schema_path.read_text())
        now = migration_hashes()
        return all(now.get(path) == digest for path, digest in built_with.items())

    def _entry(self) -> tuple[Path, Path, Path]:
        """The snapshot, its facts and its key file (the cache must have a directory)."""
        if self.snapshot_path is None or self.facts_path is None or self.key_file_path is None:
            message = "this data set is not cached (no cache directory)"
            raise BenchError(message)
        return self.snapshot_path, self.facts_path, self.key_file_path

    def is_stored(self) -> bool:
        paths = (self.snapshot_path, self.facts_path, self.key_file_path)
        whole = all(path is not None and path.exists() for path in paths)
        return whole and self.schema_still_applies()

    def postgres_seed(self) -> Path | None:
        """The cached cluster's data directory to start from, if there is one."""
        if self.database == "postgres" and self.is_stored():
            self.restored = True
            return self.snapshot_path
        return None

    def restore_files(self, data_directory: Path) -> None:
        """Put the cached toolkit key file (and on SQLite the database) in the data
        directory, before ``hearth init``."""
        if not self.is_stored():
            return
        snapshot, _facts_path, key_file = self._entry()
        started = time.perf_counter()
        data_directory.mkdir(parents=True, exist_ok=True)
        if self.database == "sqlite":
            for leftover in ("hearth.sqlite3-wal", "hearth.sqlite3-shm"):
                (data_directory / leftover).unlink(missing_ok=True)
            shutil.copyfile(snapshot, data_directory / "hearth.sqlite3")
            self.restored = True
        keys = data_directory / "toolkit_keys"
        shutil.copyfile(key_file, keys)
        keys.chmod(0o600)
        self.restore_seconds += time.perf_counter() - started

    def build_or_load(
        self, *, cluster: PostgresCluster | None, say: Callable[[str], None]
    ) -> LargeDataset:
        """The data set: the restored one's facts, or built now, checked and cached."""
        if self.restored and self.facts_path is not None:
            facts = json.loads(self.facts_path.read_text())
            facts |= {"restored": True, "restore_seconds": self.restore_seconds}
            say(f"large data set: restored from {self.snapshot_path}")
            return LargeDataset(**facts)
        dataset = build(self.scale, database=self.database, say=say)
        if self.directory is not None:
            self.save(dataset, cluster=cluster, say=say)
        return dataset

    def save(
        self, dataset: LargeDataset, *, cluster: PostgresCluster | None, say: Callable[[str], None]
    ) -> None:
        from django.conf import settings  # noqa: PLC0415 - Django is set up by now
        from django.db import connection, connections  # noqa: PLC0415

        snapshot, facts_path, key_file = self._entry()
        started = time.perf_counter()
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        for stale in snapshot.parent.glob(f"{self.stem}-*"):
            if stale.is_dir():
                shutil.rmtree(stale)
            else:
                stale.unlink()
        partial = snapshot.with_name(snapshot.name + ".partial")
        if self.database == "sqlite":
            with connection.cursor() as cursor:  # everything into the main file: one file to copy
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connections.close_all()
            shutil.copyfile(Path(str(connection.settings_dict["NAME"])), partial)
            partial.rename(snapshot)
        else:
            if cluster is None:
                message = "a PostgreSQL data set is cached by copying its cluster: pass it"
                raise BenchError(message)
            connections.close_all()
            cluster.snapshot(snapshot)
        shutil.copyfile(Path(settings.DATA_DIR) / "toolkit_keys", key_file)
        key_file.chmod(0o600)
        if self.schema_path is not None:
            self.schema_path.write_text(json.dumps(migration_hashes(), indent=2) + "\n")
        # The facts last: an entry is whole only when they exist too (is_stored).
        facts_path.write_text(json.dumps(asdict(dataset), indent=2) + "\n")
        seconds = time.perf_counter() - started
        say(f"large data set: cached in {snapshot} ({seconds:.0f} s)")


def fingerprint(database: str) -> str:
    """What decides the snapshot's contents besides the schema: this builder (its source
    and ``BUILDER_VERSION``) and, on PostgreSQL, the server's major version (a data
    directory is only readable by its own). The schema is ``migration_hashes``'s."""
    digest = hashlib.sha256()
    digest.update(Path(__file__).read_bytes())
    digest.update(f"builder {BUILDER_VERSION}\n".encode())
    if database == "postgres":
        digest.update(str(find_postgres_bin()).encode())  # /usr/lib/postgresql/<major>/bin
    return digest.hexdigest()[:12]


def migration_hashes() -> dict[str, str]:
    """Every migration file of Hearth's, by path: its contents' digest."""
    return {
        str(migration.relative_to(REPOSITORY)): hashlib.sha256(migration.read_bytes()).hexdigest()
        for migration in sorted((REPOSITORY / "src" / "hearth").glob("**/migrations/*.py"))
    }


def build_large(
    scale: LargeScale,
    *,
    cache_dir: Path | None,
    database: str,
    say: Callable[[str], None],
    cluster: PostgresCluster | None = None,
) -> LargeDataset:
    """The large data set in the connected, migrated database: built (then checked and,
    with ``cache_dir``, cached), or the facts of the one restored from the cache.

    On SQLite a cached snapshot is restored here, in place of the connected database
    (closing its connections). On PostgreSQL the cluster must have been started from
    ``LargeCache.postgres_seed()`` to use the cache (copying a data directory needs the
    server stopped); ``cluster`` is needed to cache a new build.
    """
    cache = LargeCache.for_run(scale, database=database, directory=cache_dir)
    if database == "postgres":
        cache.postgres_seed()
        if cache.restored:
            cache.restored = _holds_large_dataset()
            if not cache.restored:
                say("large data set: the cluster did not start from the cache; building")
    elif cache.is_stored():
        _restore_sqlite_in_place(cache)
    return cache.build_or_load(cluster=cluster, say=say)


def _holds_large_dataset() -> bool:
    from hearth.accounts.models import User  # noqa: PLC0415 - models need Django set up

    return User.objects.filter(username=member_username(0)).exists()


def _restore_sqlite_in_place(cache: LargeCache) -> None:
    from django.conf import settings  # noqa: PLC0415 - Django is set up by now
    from django.db import connection, connections  # noqa: PLC0415

    from hearth.core import encryption  # noqa: PLC0415

    started = time.perf_counter()
    database_file = Path(str(connection.settings_dict["NAME"]))
    connections.close_all()
    for leftover in ("-wal", "-shm"):
        database_file.with_name(database_file.name + leftover).unlink(missing_ok=True)
    snapshot, _facts_path, key_file = cache._entry()
    shutil.copyfile(snapshot, database_file)
    shutil.copyfile(key_file, Path(settings.DATA_DIR) / "toolkit_keys")
    encryption.reset_cache()
    cache.restored = True
    cache.restore_seconds = time.perf_counter() - started


# --- Building -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Template:
    """A post text, rendered once: what the service would store for it."""

    body: str
    html: str
    render_version: int
    search_text: str  # indexing.plain_text(html), the search entry's body


@dataclass
class _Chunk:
    """Rows for one transaction, as tuples in the order of the ``*_COLUMNS`` below."""

    threads: list[tuple[Any, ...]] = field(default_factory=list)
    posts: list[tuple[Any, ...]] = field(default_factory=list)
    revisions: list[tuple[Any, ...]] = field(default_factory=list)
    entries: list[tuple[Any, ...]] = field(default_factory=list)
    identities: list[tuple[Any, ...]] = field(default_factory=list)
    reactions: list[tuple[Any, ...]] = field(default_factory=list)
    read_states: list[tuple[Any, ...]] = field(default_factory=list)
    post_labels: list[tuple[Any, ...]] = field(default_factory=list)
    thread_labels: list[tuple[Any, ...]] = field(default_factory=list)


THREAD_COLUMNS = (
    "id", "category_id", "title", "author_id", "author_name", "created_at", "hoping_for",
    "last_position", "reply_count", "last_post_at", "last_post_id", "last_poster_name",
)  # fmt: skip
POST_COLUMNS = (
    "id", "thread_id", "position", "author_id", "author_name", "body", "body_html",
    "render_version", "created_at", "is_deleted", "deleted_at", "is_anonymous",
    "content_note_text", "note_label_ids", "version", "request_key", "hug_count", "heart_count",
    "thanks_count", "me_too_count",
)  # fmt: skip
REVISION_COLUMNS = ("post_id", "number", "body", "author_name", "created_at")
ENTRY_COLUMNS = (
    "post_id", "thread_id", "category_id", "public_author_id", "created_at", "title", "body",
    "language", "post_version",
)  # fmt: skip
IDENTITY_COLUMNS = ("thread_id", "member_id", "number")
REACTION_COLUMNS = ("post_id", "member_id", "kind", "created_at")
READ_STATE_COLUMNS = ("member_id", "thread_id", "last_read_position")


@dataclass
class _Plan:
    """What the bulk path needs to know while generating."""

    rng: random.Random
    scale: LargeScale
    end: datetime  # the newest bulk post's time at the latest
    member_ids: list[int]
    author_weights: list[float]  # cumulative, for rng.choices: a few members write a lot
    categories: list[Any]  # Category rows, by number
    category_weights: list[float]
    languages: dict[int, str]
    label_ids: list[int]
    templates: list[_Template]
    reaction_kinds: list[str]
    counters: dict[str, str]  # reaction kind -> the post's counter column
    # The bulk threads' ids (the long thread first), set when they are written.
    first_thread_id: int = 0
    last_thread_id: int = 0


def build(scale: LargeScale, *, database: str, say: Callable[[str], None]) -> LargeDataset:
    """Write the data set into the (migrated, empty) database, check it, return its facts."""
    from django.db import connection  # noqa: PLC0415 - Django is set up by now

    if connection.vendor != {"sqlite": "sqlite", "postgres": "postgresql"}[database]:
        message = f"asked to build for {database}, but Django is connected to {connection.vendor}"
        raise BenchError(message)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    say(
        f"building the large data set ({scale.name}): {scale.posts:,} posts in "
        f"{scale.threads:,} threads, {len(CATEGORY_NAMES)} categories, {scale.members:,} members"
    )

    def timed(name: str, part: Callable[[], Any]) -> Any:
        began = time.perf_counter()
        result = part()
        timings[name] = round(time.perf_counter() - began, 1)
        say(f"  {name}: {timings[name]:.1f} s")
        return result

    plan = timed("members, categories and texts", lambda: _prepare(scale, say=say))
    big_thread_id = timed("threads and posts (bulk)", lambda: _write_threads(plan, say=say))
    timed("mutes (bulk)", lambda: _write_mutes(plan))
    timed("toolkit entries (bulk)", lambda: _write_toolkit_entries(plan, say=say))
    timed("category counters, sequences, statistics", lambda: _finish_bulk(plan))
    specials = timed("through the services", lambda: _through_services(plan, say=say))
    began = time.perf_counter()
    check_counters(say=say, sample_thread_ids=[big_thread_id, *specials.values()])
    check_seconds = time.perf_counter() - began
    timings["check"] = round(check_seconds, 1)
    facts = _facts(plan, database=database, big_thread_id=big_thread_id, specials=specials)
    seconds = time.perf_counter() - started
    say(f"large data set ({scale.name}) built and checked in {seconds:.0f} s")
    return LargeDataset(
        **facts, build_seconds=round(seconds, 1), check_seconds=round(check_seconds, 1),
        timings=timings,
    )  # fmt: skip


def _prepare(scale: LargeScale, *, say: Callable[[str], None]) -> _Plan:
    from django.contrib.auth.hashers import make_password  # noqa: PLC0415
    from django.db import transaction  # noqa: PLC0415

    from hearth.accounts.models import Role, User  # noqa: PLC0415
    from hearth.forum.models import REACTION_COUNT_FIELDS, Category, Visibility  # noqa: PLC0415
    from hearth.safety.models import ContentNoteLabel  # noqa: PLC0415
    from hearth.search.languages import language_of_categories  # noqa: PLC0415

    rng = random.Random(SEED)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    password = make_password(None)  # unusable: the harness signs members in with sessions
    joined = end - SPAN - timedelta(days=30)
    progress = Progress("members", scale.members, say)
    member_ids: list[int] = []
    with transaction.atomic():
        for start in range(0, scale.members, 5_000):
            numbers = range(start, min(start + 5_000, scale.members))
            created = User.objects.bulk_create(
                [
                    User(
                        username=member_username(number),
                        email=f"{member_username(number)}@bench.invalid",
                        password=password,
                        display_name=_display_name(number),
                        date_joined=joined,
                    )
                    for number in numbers
                ],
                batch_size=1_000,
            )
            member_ids.extend(member.pk for member in created)
            _add_verified_addresses(created)
            progress.add(len(created))
        moderator = User.objects.create_user(
            username=MODERATOR_USERNAME,
            email=f"{MODERATOR_USERNAME}@bench.invalid",
            password=None,
            display_name="Moderator",
            role=Role.MODERATOR,
            date_joined=joined,
        )
        _add_verified_addresses([moderator])
        categories = [
            Category.objects.create(
                name=name,
                slug=f"large-{number:02d}",
                description=f"The large data set: {name.lower()}.",
                position=number,
                visibility=Visibility.PUBLIC if number < PUBLIC_CATEGORIES else Visibility.MEMBERS,
                allow_anonymous=number in ANONYMOUS_CATEGORIES,
            )
            for number, name in enumerate(CATEGORY_NAMES)
        ]
    return _Plan(
        rng=rng,
        scale=scale,
        end=end,
        member_ids=member_ids,
        # Zipf-like: the busiest members write far more than most (exponent 0.8).
        author_weights=list(accumulate(1.0 / (rank**0.8) for rank in range(1, scale.members + 1))),
        categories=categories,
        category_weights=list(accumulate(1.0 / (rank**0.9) for rank in range(1, 21))),
        languages=language_of_categories({category.pk for category in categories}),
        label_ids=list(
            ContentNoteLabel.objects.filter(is_active=True).values_list("pk", flat=True)
        ),
        templates=_templates(rng, scale.text_templates),
        reaction_kinds=[str(kind) for kind in REACTION_COUNT_FIELDS],
        counters={str(kind): counter for kind, counter in REACTION_COUNT_FIELDS.items()},
    )


def _display_name(number: int) -> str:
    return f"Member {number}"


def _add_verified_addresses(members: Sequence[Any]) -> None:
    from allauth.account.models import EmailAddress  # noqa: PLC0415

    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=member, email=member.email, verified=True, primary=True)
            for member in members
        ],
        batch_size=1_000,
    )


def _templates(rng: random.Random, count: int) -> list[_Template]:
    """``count`` post texts of 150-1,200 characters with some Markdown, each rendered once
    by the real renderer and checked to mention nobody and match no crisis rule: a service
    would store exactly this HTML for it and open nothing."""
    from hearth.forum.text import render_post_body  # noqa: PLC0415
    from hearth.safety.services import find_crisis_signals  # noqa: PLC0415
    from hearth.search.indexing import plain_text  # noqa: PLC0415

    templates = []
    for _ in range(count):
        body = _text(rng, rng.randint(150, 1_200))
        rendered = render_post_body(body)
        if rendered.mentioned_member_ids or find_crisis_signals(body, language="en"):
            message = f"a template would not be stored as the bulk path stores it:\n{body}"
            raise BenchError(message)
        templates.append(
            _Template(
                body=body,
                html=rendered.html,
                render_version=rendered.version,
                search_text=plain_text(rendered.html),
            )
        )
    return templates


def _text(rng: random.Random, chars: int) -> str:
    """Invented prose of about ``chars`` characters: paragraphs, now and then a word in
    emphasis, a short list or a quoted line (the renderer's common paths)."""
    from bench.dataset import WORDS  # noqa: PLC0415 - it imports Hearth's models

    parts: list[str] = []
    length = 0
    while length < chars:
        shape = rng.random()
        if shape < 0.1:
            items = [" ".join(rng.choices(WORDS, k=rng.randint(2, 6))) for _ in range(3)]
            part = "\n".join(f"- {item}" for item in items)
        elif shape < 0.18:
            part = "> " + " ".join(rng.choices(WORDS, k=rng.randint(6, 14))).capitalize() + "."
        else:
            sentences = []
            for _ in range(rng.randint(2, 4)):
                words = rng.choices(WORDS, k=rng.randint(6, 14))
                if rng.random() < 0.15:
                    at = rng.randrange(len(words))
                    words[at] = f"*{words[at]}*"
                sentences.append(" ".join(words).capitalize() + ".")
            part = " ".join(sentences)
        parts.append(part)
        length += len(part) + 2
    return "\n\n".join(parts)


def _next_id(model: type[models.Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


def _thread_lengths(rng: random.Random, count: int, posts: int) -> list[int]:
    """``count`` thread lengths adding up to exactly ``posts``: mostly short, a few long
    (exponential, at most 2,000 posts)."""
    mean_replies = max(0.0, posts / count - 1)
    lengths = [
        1 + min(int(rng.expovariate(1 / mean_replies)) if mean_replies else 0, 1_999)
        for _ in range(count)
    ]
    difference = posts - sum(lengths)
    while difference:
        at = rng.randrange(count)
        # Up to 10 posts at a time, never leaving a thread without its first post.
        step = min(difference, 10) if difference > 0 else -min(-difference, lengths[at] - 1, 10)
        lengths[at] += step
        difference -= step
    return lengths


def _service_post_count(scale: LargeScale) -> int:
    """Posts the services add: one per thread they start, the 200 replies, the replies."""
    return scale.service_threads + scale.medium_replies + scale.service_replies


def _write_threads(plan: _Plan, *, say: Callable[[str], None]) -> int:
    """The bulk threads and everything on their posts; returns the long thread's id."""
    from django.db import transaction  # noqa: PLC0415

    from hearth.forum.models import (  # noqa: PLC0415
        AnonymousIdentity,
        Post,
        PostRevision,
        Reaction,
        ReadState,
        Thread,
    )
    from hearth.search.models import SearchEntry  # noqa: PLC0415

    scale, rng = plan.scale, plan.rng
    bulk_threads = scale.threads - scale.service_threads
    bulk_posts = scale.posts - _service_post_count(scale)
    big_posts = 1 + scale.big_replies
    lengths = [big_posts, *_thread_lengths(rng, bulk_threads - 1, bulk_posts - big_posts)]
    first_thread_id, first_post_id = _next_id(Thread), _next_id(Post)
    post_labels = Post.content_notes.through
    thread_labels = Thread.content_notes.through
    post_label_columns = _m2m_columns(Post, "content_notes")
    thread_label_columns = _m2m_columns(Thread, "content_notes")
    progress = Progress("posts", bulk_posts, say)
    step = SPAN / bulk_threads
    next_post_id = first_post_id
    chunk = _Chunk()
    pending_posts = 0

    def flush() -> None:
        nonlocal chunk, pending_posts
        with transaction.atomic():
            insert_rows(Thread, THREAD_COLUMNS, chunk.threads)
            insert_rows(Post, POST_COLUMNS, chunk.posts)
            insert_rows(PostRevision, REVISION_COLUMNS, chunk.revisions)
            insert_rows(SearchEntry, ENTRY_COLUMNS, chunk.entries)
            insert_rows(AnonymousIdentity, IDENTITY_COLUMNS, chunk.identities)
            insert_rows(Reaction, REACTION_COLUMNS, chunk.reactions)
            insert_rows(ReadState, READ_STATE_COLUMNS, chunk.read_states)
            insert_rows(post_labels, post_label_columns, chunk.post_labels)
            insert_rows(thread_labels, thread_label_columns, chunk.thread_labels)
        progress.add(len(chunk.posts))
        chunk, pending_posts = _Chunk(), 0

    plan.first_thread_id = first_thread_id
    plan.last_thread_id = first_thread_id + len(lengths) - 1
    planned: list[tuple[int, int, datetime, list[_PlannedPost]]] = []
    with _bulk_session(large=bulk_posts >= CHUNK_POSTS):
        for number, length in enumerate(lengths):
            thread_id = first_thread_id + number
            # The long thread and the first few are in category 0 (public): scenarios read them.
            category_number = (
                0 if number == 0 else rng.choices(range(20), cum_weights=plan.category_weights)[0]
            )
            opened = plan.end - SPAN + step * number + timedelta(seconds=rng.randint(0, 3_600))
            posts = _plan_posts(plan, category_number, length, opened, is_big=number == 0)
            planned.append((thread_id, category_number, opened, posts))
            pending_posts += length
            if pending_posts >= CHUNK_POSTS or number == len(lengths) - 1:
                next_post_id = _fill_chunk(plan, chunk, planned, next_post_id)
                planned = []
                flush()
    return first_thread_id


@dataclass
class _PlannedPost:
    """A bulk post before it has an id: ids follow creation time within a chunk, as a
    forum's posts do (the threads of a chunk interleave)."""

    thread_id: int
    position: int
    created_at: datetime
    author_number: int
    anonymous: bool
    deleted: bool
    template: int
    label_ids: list[int]


def _plan_posts(
    plan: _Plan, category_number: int, length: int, opened: datetime, *, is_big: bool
) -> list[_PlannedPost]:
    rng = plan.rng
    anonymous_here = category_number in ANONYMOUS_CATEGORIES
    opened_anonymously = anonymous_here and rng.random() < 0.3
    authors = rng.choices(range(len(plan.member_ids)), cum_weights=plan.author_weights, k=length)
    # Replies follow each other by hours, all before ``end`` (the long thread's evenly).
    room = (plan.end - opened).total_seconds()
    mean_gap = room / length if is_big else min(21_600.0, room / (2 * length))
    posts = []
    at = opened
    for position in range(1, length + 1):
        if position > 1:
            gap = mean_gap if is_big else rng.expovariate(1 / mean_gap)
            at = min(at + timedelta(seconds=max(1, int(gap))), plan.end)
        labels = (
            sorted(rng.sample(plan.label_ids, rng.randint(1, 2)))
            if plan.label_ids and rng.random() < 0.03
            else []
        )
        posts.append(
            _PlannedPost(
                thread_id=0,  # set by the caller's tuple
                position=position,
                created_at=at,
                author_number=authors[position - 1],
                anonymous=opened_anonymously
                if position == 1
                else anonymous_here and rng.random() < 0.2,
                deleted=position > 1 and rng.random() < 0.003,
                template=rng.randrange(len(plan.templates)),
                label_ids=labels,
            )
        )
    return posts


def _fill_chunk(
    plan: _Plan,
    chunk: _Chunk,
    planned: list[tuple[int, int, datetime, list[_PlannedPost]]],
    next_post_id: int,
) -> int:
    """Turn planned threads into rows; returns the next free post id."""
    from bench.dataset import WORDS  # noqa: PLC0415 - it imports Hearth's models

    rng = plan.rng
    every_post = []
    for thread_id, _category, _opened, posts in planned:
        for post in posts:
            post.thread_id = thread_id
            every_post.append(post)
    every_post.sort(key=lambda post: (post.created_at, post.thread_id, post.position))
    ids: dict[tuple[int, int], int] = {}
    for post in every_post:
        ids[post.thread_id, post.position] = next_post_id
        next_post_id += 1
    for thread_id, category_number, opened, posts in planned:
        category = plan.categories[category_number]
        title = " ".join(rng.choices(WORDS, k=rng.randint(3, 7))).capitalize()
        pseudonyms: dict[int, int] = {}  # author number -> pseudonym number in this thread
        names: list[str] = []
        counted: list[tuple[int, str, datetime]] = []  # (post id, name, time), by position
        for post in posts:
            post_id = ids[thread_id, post.position]
            name = _post_name(post, pseudonyms, chunk, thread_id, plan)
            names.append(name)
            _add_post_rows(
                plan, chunk, post, post_id=post_id, name=name, category=category, title=title
            )
            if not post.deleted:  # no bulk post is held: the rule leaves out deleted ones
                counted.append((post_id, name, post.created_at))
        latest_id, latest_name, latest_at = counted[-1]  # the first post is never deleted
        # One thread in five says what its author hopes for (HopingFor's order, as stored).
        hoping_for = (
            [wish for wish in HOPING_FOR if rng.random() < 0.4] if rng.random() < 0.2 else []
        )
        chunk.threads.append(
            (
                thread_id, category.pk, title, plan.member_ids[posts[0].author_number], names[0],
                opened, json.dumps(hoping_for), len(posts),
                sum(1 for post_id, _, _ in counted if post_id != ids[thread_id, 1]),
                latest_at, latest_id, latest_name,
            )
        )  # fmt: skip
        if posts[0].label_ids:  # the original post's labels are the thread's (set_post_labels)
            chunk.thread_labels.extend((thread_id, label) for label in posts[0].label_ids)
        _add_read_states(plan, chunk, thread_id, len(posts))
    return next_post_id


def _post_name(
    post: _PlannedPost, pseudonyms: dict[int, int], chunk: _Chunk, thread_id: int, plan: _Plan
) -> str:
    """The name shown with the post; a thread's pseudonyms are numbered in order of first
    use, as ``services._public_name`` numbers them."""
    from hearth.forum.models import pseudonym_for  # noqa: PLC0415

    if not post.anonymous:
        return _display_name(post.author_number)
    if post.author_number not in pseudonyms:
        pseudonyms[post.author_number] = len(pseudonyms)
        chunk.identities.append(
            (thread_id, plan.member_ids[post.author_number], pseudonyms[post.author_number])
        )
    return pseudonym_for(pseudonyms[post.author_number])


def _add_post_rows(
    plan: _Plan,
    chunk: _Chunk,
    post: _PlannedPost,
    *,
    post_id: int,
    name: str,
    category: Any,
    title: str,
) -> None:
    """The post's row and what hangs on it, as the services leave them: ``set_post_labels``
    bumps the version once; ``delete_post`` bumps it again, empties the text and the
    reaction counts and removes the revisions, the reactions and the search entry."""
    rng = plan.rng
    template = plan.templates[post.template]
    author_id = plan.member_ids[post.author_number]
    version = 1 + bool(post.label_ids) + post.deleted
    counts = dict.fromkeys(plan.counters.values(), 0)
    if not post.deleted and rng.random() < 0.25:
        given: set[tuple[int, str]] = set()
        for _ in range(rng.randint(1, 4)):
            member_number = rng.randrange(len(plan.member_ids))
            kind = rng.choice(plan.reaction_kinds)
            if member_number == post.author_number or (member_number, kind) in given:
                continue  # nobody reacts to their own post, or twice alike
            given.add((member_number, kind))
            counts[plan.counters[kind]] += 1
            reacted_at = post.created_at + timedelta(minutes=rng.randint(1, 600))
            chunk.reactions.append((post_id, plan.member_ids[member_number], kind, reacted_at))
    chunk.posts.append(
        (
            post_id, post.thread_id, post.position, author_id, name,
            "" if post.deleted else template.body, "" if post.deleted else template.html,
            template.render_version, post.created_at, post.deleted,
            post.created_at + timedelta(hours=1) if post.deleted else None, post.anonymous, "",
            json.dumps(post.label_ids), version, f"large-{post_id}", counts["hug_count"],
            counts["heart_count"], counts["thanks_count"], counts["me_too_count"],
        )
    )  # fmt: skip
    chunk.post_labels.extend((post_id, label) for label in post.label_ids)
    if post.deleted:
        return
    chunk.revisions.append((post_id, 1, template.body, name, post.created_at))
    chunk.entries.append(
        (
            post_id, post.thread_id, category.pk, None if post.anonymous else author_id,
            post.created_at, title if post.position == 1 else "", template.search_text,
            plan.languages[category.pk], version,
        )
    )  # fmt: skip


def _add_read_states(plan: _Plan, chunk: _Chunk, thread_id: int, last_position: int) -> None:
    """A few readers per thread: now and then one of the mixed workload's members (each
    has read a few hundred threads at "large"), and up to eight others."""
    rng = plan.rng
    readers = set()
    if rng.random() < 0.6:
        readers.add(rng.randrange(min(plan.scale.mixed_members, len(plan.member_ids))))
    readers.update(rng.randrange(len(plan.member_ids)) for _ in range(rng.randint(0, 8)))
    for reader in sorted(readers):
        position = last_position if rng.random() < 0.6 else rng.randint(1, last_position)
        chunk.read_states.append((plan.member_ids[reader], thread_id, position))


def _m2m_columns(model: type[models.Model], name: str) -> tuple[str, str]:
    relation = model._meta.get_field(name)
    return (relation.m2m_column_name(), relation.m2m_reverse_name())  # type: ignore[union-attr]  # a ManyToManyField


@contextmanager
def _bulk_session(*, large: bool) -> Iterator[None]:
    """For the bulk insert only, on PostgreSQL: no wait for the WAL's flush per commit (a
    crash loses the build, which is rebuilt anyway) and, for a large build, the search
    index's GIN index dropped and created once afterwards with migration search/0002's own
    statement (far faster than a million insertions into it; the trigger still computes
    every ``vector``)."""
    from django.db import connection  # noqa: PLC0415

    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        if large:
            cursor.execute("DROP INDEX IF EXISTS search_entry_vector_gin")
    yield
    with connection.cursor() as cursor:
        if large:
            migration = importlib.import_module("hearth.search.migrations.0002_full_text")
            [statement] = [
                each
                for each in migration.POSTGRES
                if each.startswith("CREATE INDEX search_entry_vector_gin")
            ]
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute(str(statement))
            cursor.execute("RESET maintenance_work_mem")
        cursor.execute("SET synchronous_commit = on")


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows given as tuples in ``columns``' order; every other column gets its
    field's default (an automatic id not given is the database's to number)."""
    from django.db import connection  # noqa: PLC0415
    from django.db import models as fields  # noqa: PLC0415

    if not rows:
        return
    given = {name: at for at, name in enumerate(columns)}
    concrete = [
        each
        for each in model._meta.concrete_fields
        if each.attname in given or not isinstance(each, fields.AutoField)
    ]
    defaults = {
        each.attname: "[]"
        if isinstance(each, fields.JSONField)
        else each.get_db_prep_save(each.get_default(), connection)
        for each in concrete
        if each.attname not in given
    }
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(str(each.column)) for each in concrete)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        row[given[each.attname]]
                        if each.attname in given
                        else defaults[each.attname]
                        for each in concrete
                    ]
                )
        return
    adapt = connection.ops.adapt_datetimefield_value
    dated = {each.attname for each in concrete if isinstance(each, fields.DateTimeField)}
    values = [
        [
            (
                (
                    adapt(row[given[each.attname]])
                    if each.attname in dated
                    else row[given[each.attname]]
                )
                if each.attname in given
                else defaults[each.attname]
            )
            for each in concrete
        ]
        for row in rows
    ]
    placeholders = ", ".join(["%s"] * len(concrete))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", values)  # noqa: S608 - our own table and column names


def _write_mutes(plan: _Plan) -> None:
    """Each mixed-workload member mutes three members (one in ten a block), and one member
    in five of the rest mutes one: what their pages fold."""
    from hearth.accounts.models import MemberMute  # noqa: PLC0415

    rng, ids = plan.rng, plan.member_ids
    pairs: dict[tuple[int, int], bool] = {}
    mixed = min(plan.scale.mixed_members, len(ids))
    for member in range(len(ids)):
        wanted = 3 if member < mixed else int(rng.random() < 0.2)
        for _ in range(wanted):
            muted = rng.randrange(len(ids))
            if muted != member:
                pairs[ids[member], ids[muted]] = rng.random() < 0.1
    MemberMute.objects.bulk_create(
        [
            MemberMute(member_id=member, muted_id=muted, is_block=block)
            for (member, muted), block in pairs.items()
        ],
        batch_size=2_000,
    )


def _write_toolkit_entries(plan: _Plan, *, say: Callable[[str], None]) -> None:
    """One to five journal entries for each toolkit member, saved as model instances:
    the encrypted fields encrypt each value with the toolkit key, as every save does."""
    from django.db import transaction  # noqa: PLC0415

    from bench.dataset import WORDS  # noqa: PLC0415 - it imports Hearth's models
    from hearth.between_sessions.models import JournalEntry  # noqa: PLC0415
    from hearth.between_sessions.vocabulary import (  # noqa: PLC0415
        BODY_SENSATION_LABELS,
        FEELING_LABELS,
    )

    rng = plan.rng
    feelings = sorted(FEELING_LABELS)
    sensations = sorted(BODY_SENSATION_LABELS)
    members = min(plan.scale.toolkit_members, len(plan.member_ids))
    progress = Progress("members' toolkits", members, say)
    for start in range(0, members, 1_000):
        entries = []
        for member in range(start, min(start + 1_000, members)):
            for _ in range(rng.randint(1, 5)):
                is_entry = rng.random() < 0.3
                entries.append(
                    JournalEntry(
                        owner_id=plan.member_ids[member],
                        created_at=plan.end - timedelta(minutes=rng.randint(0, 525_600)),
                        kind=JournalEntry.Kind.ENTRY if is_entry else JournalEntry.Kind.CHECK_IN,
                        feelings=[
                            {"feeling": feeling, "intensity": rng.randint(0, 10)}
                            for feeling in rng.sample(feelings, rng.randint(1, 3))
                        ],
                        body_sensations=rng.sample(sensations, rng.randint(0, 2)),
                        note=" ".join(rng.choices(WORDS, k=rng.randint(3, 12))).capitalize(),
                        text=_text(rng, rng.randint(200, 800)) if is_entry else "",
                        bring_to_session=rng.random() < 0.1,
                    )
                )
        with transaction.atomic():
            JournalEntry.objects.bulk_create(entries, batch_size=1_000)
        progress.add(min(start + 1_000, members) - start)


def _finish_bulk(plan: _Plan) -> None:
    """Sequences past the explicit ids; each category's numbers from the bulk threads by
    ``synchronise_category`` itself; the planner's statistics, as autovacuum (PostgreSQL)
    or ``PRAGMA optimize`` would have gathered them by the time a forum is this big."""
    from django.core.management.color import no_style  # noqa: PLC0415
    from django.db import connection, transaction  # noqa: PLC0415

    from hearth.forum.counters import synchronise_category  # noqa: PLC0415
    from hearth.forum.models import Post, Thread  # noqa: PLC0415

    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [Thread, Post]):
            cursor.execute(statement)
    with transaction.atomic():
        for category in plan.categories:
            synchronise_category(category.pk)
    _analyse()


def _analyse() -> None:
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            cursor.execute("VACUUM ANALYZE")  # also the visibility map index-only scans read
        else:
            cursor.execute("ANALYZE")


# --- Through the services -------------------------------------------------------------


def _through_services(plan: _Plan, *, say: Callable[[str], None]) -> dict[str, int]:
    """The services' part (module docstring); returns the special threads' ids by name."""
    from django.db import transaction  # noqa: PLC0415

    from hearth.forum.models import Thread  # noqa: PLC0415
    from hearth.forum.services import ContentNote, start_thread, writing_as_approved  # noqa: PLC0415
    from hearth.safety.models import ContentNoteLabel  # noqa: PLC0415

    scale = plan.scale
    helper = _ServiceHelper(plan, say=say)
    member, text, calls = helper.member, helper.text, helper.calls
    categories = plan.categories
    authors = iter(range(scale.writers + 1, len(plan.member_ids)))

    def start(title: str, category: Any, **options: Any) -> Thread:
        return start_thread(
            author=member(next(authors)), category=category, title=title, body=text(),
            request_key=f"large-thread-{title}"[:64], **options,
        )  # fmt: skip

    def start_another(number: int) -> Thread:
        category_number = number % len(categories)
        anonymous = category_number in ANONYMOUS_CATEGORIES and number % 3 == 0
        return start(f"Thread {number} started through the service", categories[category_number],
                     anonymous=anonymous)  # fmt: skip

    labels = tuple(ContentNoteLabel.objects.filter(is_active=True).order_by("pk")[:1])
    special: dict[str, int] = {}
    # Whatever HEARTH_HOLD_FIRST_POSTS says, the same data set: nothing is held.
    with writing_as_approved():
        with transaction.atomic():
            special["posting"] = start("Replies posted under load", categories[0]).pk
            medium = start("A long conversation", categories[0])
            special["medium"] = medium.pk
            watched = start("Watched by many", categories[0])
            special["watched"] = watched.pk
            special["unwatched"] = start("Watched by nobody", categories[0]).pk
            anonymous = start(
                "Asked without my name", categories[min(ANONYMOUS_CATEGORIES)], anonymous=True
            )
            special["anonymous"] = anonymous.pk
            special["content_note"] = start(
                "A heavy week", categories[0], content_note=ContentNote(labels=labels)
            ).pk
        calls("threads (start_thread)", scale.service_threads - len(special), start_another)
        _sample_the_services(
            helper, medium=medium, watched=watched, anonymous_thread_id=anonymous.pk
        )
    return special


class _ServiceHelper:
    """What the service calls share: the members (loaded once), texts, random bulk threads,
    and batching."""

    def __init__(self, plan: _Plan, *, say: Callable[[str], None]) -> None:
        self.plan, self.say = plan, say
        self.rng = random.Random(SEED + 1)
        self.members: dict[int, Any] = {}

    def member(self, number: int) -> Any:
        from hearth.accounts.models import User  # noqa: PLC0415

        if number not in self.members:
            self.members[number] = User.objects.get(pk=self.plan.member_ids[number])
        return self.members[number]

    def any_member(self) -> Any:
        return self.member(self.rng.randrange(len(self.plan.member_ids)))

    def mixed_member(self, number: int) -> Any:
        return self.member(number % min(self.plan.scale.mixed_members, len(self.plan.member_ids)))

    def text(self) -> str:
        return self.rng.choice(self.plan.templates).body

    def bulk_thread(self) -> Any:
        from hearth.forum.models import Thread  # noqa: PLC0415

        return Thread.objects.select_related("category").get(
            pk=self.rng.randint(self.plan.first_thread_id, self.plan.last_thread_id)
        )

    def calls(self, what: str, count: int, call: Callable[[int], object]) -> None:
        """``count`` calls, ``SERVICE_BATCH`` to an outer transaction (bench.dataset's why:
        one commit per batch, every call still its whole service)."""
        from django.db import transaction  # noqa: PLC0415

        progress = Progress(what, count, self.say)
        for start in range(0, count, SERVICE_BATCH):
            with transaction.atomic():
                for number in range(start, min(start + SERVICE_BATCH, count)):
                    call(number)
            progress.add(min(start + SERVICE_BATCH, count) - start)


def _sample_the_services(
    helper: _ServiceHelper, *, medium: Any, watched: Any, anonymous_thread_id: int
) -> None:
    """Replies, reactions, deletions, hidden posts, watchers, read markers, mutes and
    check-ins through their services, on top of the bulk rows."""
    from hearth.accounts.models import User  # noqa: PLC0415
    from hearth.accounts.services import mute_member  # noqa: PLC0415
    from hearth.between_sessions.services import EntryContent, record_check_in  # noqa: PLC0415
    from hearth.between_sessions.vocabulary import FEELING_LABELS, FeelingRating  # noqa: PLC0415
    from hearth.forum.models import FollowLevel, ReactionKind, Thread  # noqa: PLC0415
    from hearth.forum.services import (  # noqa: PLC0415
        delete_post,
        follow_thread,
        mark_thread_read,
        reply_to_thread,
        toggle_reaction,
    )
    from hearth.moderation.services import hide_post  # noqa: PLC0415

    plan, scale, rng = helper.plan, helper.plan.scale, helper.rng
    member, any_member, mixed_member = helper.member, helper.any_member, helper.mixed_member
    text, bulk_thread, calls = helper.text, helper.bulk_thread, helper.calls
    repliers = [member(number) for number in range(1, min(60, len(plan.member_ids)))]

    def reply_in_medium(number: int) -> None:
        reply_to_thread(
            author=repliers[number % len(repliers)], thread=medium, body=text(),
            request_key=f"large-medium-{number}",
        )  # fmt: skip

    def reply(number: int) -> None:
        # One in ten to the anonymous thread, where half of them are anonymous too.
        thread = (
            Thread.objects.select_related("category").get(pk=anonymous_thread_id)
            if number % 10 == 0
            else bulk_thread()
        )
        reply_to_thread(
            author=any_member(), thread=thread, body=text(),
            request_key=f"large-reply-{number}",
            anonymous=thread.category.allow_anonymous and rng.random() < 0.5,
        )  # fmt: skip

    def react(number: int) -> None:
        post = _random_post(rng, plan)
        reacting = mixed_member(number)
        if post.author_id != reacting.pk:  # nobody reacts to their own post
            toggle_reaction(member=reacting, post=post, kind=rng.choice(list(ReactionKind)))

    def delete(number: int) -> None:
        post = _random_post(rng, plan, reply=True)
        assert post.author is not None  # every bulk post has its author
        delete_post(member=post.author, post=post)

    moderator = User.objects.get(username=MODERATOR_USERNAME)

    def hide(number: int) -> None:
        hide_post(
            moderator=moderator, post=_random_post(rng, plan),
            reason="Hidden while the large data set was built.",
        )  # fmt: skip

    def watch(number: int) -> None:
        # From the last member down: the watchers read nothing else of the workload.
        follow_thread(
            member=member(len(plan.member_ids) - 1 - number), thread=watched,
            level=FollowLevel.WATCHING,
        )  # fmt: skip

    def read(number: int) -> None:
        thread = bulk_thread()
        mark_thread_read(
            member=mixed_member(number), thread=thread,
            up_to_position=thread.last_position, known_position=None,
        )  # fmt: skip

    def mute(number: int) -> None:
        muting, muted = rng.sample(range(len(plan.member_ids)), 2)
        mute_member(member=member(muting), target=member(muted), block=number % 10 == 0)

    feelings = sorted(FEELING_LABELS)

    def check_in(number: int) -> None:
        record_check_in(
            owner=member(number % min(scale.toolkit_members, len(plan.member_ids))),
            content=EntryContent(
                feelings=(FeelingRating(rng.choice(feelings), rng.randint(0, 10)),),
                note="Written through the service.",
            ),
        )

    calls("replies to the 200-reply thread (reply_to_thread)", scale.medium_replies,
          reply_in_medium)  # fmt: skip
    calls("replies to other threads (reply_to_thread)", scale.service_replies, reply)
    calls("reactions (toggle_reaction)", scale.service_reactions, react)
    calls("deletions (delete_post)", scale.service_deletions, delete)
    calls("hidden posts (hide_post)", scale.service_hides, hide)
    calls("watchers (follow_thread)", scale.watchers, watch)
    calls("read markers (mark_thread_read)", scale.service_read_marks, read)
    calls("mutes (mute_member)", scale.service_mutes, mute)
    calls("check-ins (record_check_in)", scale.service_toolkit_entries, check_in)


def _random_post(rng: random.Random, plan: _Plan, *, reply: bool = False) -> Any:
    """A random published post (not deleted, hidden or held) of a random bulk thread; with
    ``reply``, not an original post."""
    from hearth.forum.models import Post  # noqa: PLC0415

    while True:
        candidates = Post.objects.select_related("thread__category", "author").filter(
            thread_id=rng.randint(plan.first_thread_id, plan.last_thread_id),
            is_deleted=False,
            is_hidden=False,
            is_held=False,
            position__gt=1 if reply else 0,
        )
        if found := list(candidates.order_by("position")[:50]):
            return rng.choice(found)


# --- The check ------------------------------------------------------------------------


def check_counters(*, say: Callable[[str], None], sample_thread_ids: Sequence[int] = ()) -> None:
    """Compare every counter and position with what the counting rule gives; raise
    ``CountersDiffer`` with the first differences.

    - positions: each thread's posts are numbered 1..n without a gap, and its
      ``last_position`` is n;
    - each thread's reply count and last post (id, time, name), worked out from the
      posts with ``counters.COUNTED_POST`` in one query that asks what
      ``synchronise_thread`` asks;
    - ``synchronise_thread`` itself on ``sample_thread_ids`` and ``SAMPLE_THREADS``
      random threads, and ``synchronise_category`` on every category, inside a
      transaction rolled back afterwards: they must change nothing;
    - every post's reaction counters equal its reaction rows.
    """
    started = time.perf_counter()
    differences: list[str] = []
    differences += _position_differences()
    differences += _thread_differences()
    differences += _recount_differences(list(sample_thread_ids))
    differences += _reaction_differences()
    if differences:
        shown = "\n  ".join(differences[:DIFFERENCES_SHOWN])
        message = (
            f"the data set's counters are not what the services would have produced "
            f"({len(differences)} differences; the first):\n  {shown}"
        )
        raise CountersDiffer(message)
    seconds = time.perf_counter() - started
    say(f"  checked: counters and positions are what the services make ({seconds:.0f} s)")


def _position_differences() -> list[str]:
    from django.db.models import Count, Max, Min  # noqa: PLC0415

    from hearth.forum.models import Post, Thread  # noqa: PLC0415

    found = {
        row["thread_id"]: (row["posts"], row["lowest"], row["highest"])
        for row in Post.objects.order_by()
        .values("thread_id")
        .annotate(posts=Count("pk"), lowest=Min("position"), highest=Max("position"))
    }
    differences = []
    for thread_id, last_position in Thread.objects.values_list("pk", "last_position").iterator(
        chunk_size=10_000
    ):
        posts, lowest, highest = found.get(thread_id, (0, None, None))
        # The positions are unique per thread (a constraint): n of them from 1 to n is 1..n.
        if (posts, lowest, highest) != (last_position, 1, last_position):
            differences.append(
                f"thread {thread_id}: last_position {last_position}, but {posts} posts at "
                f"positions {lowest}..{highest}"
            )
    return differences


def _thread_differences() -> list[str]:
    from django.db.models import Count, F, OuterRef, Subquery  # noqa: PLC0415
    from django.db.models.functions import Coalesce  # noqa: PLC0415

    from hearth.forum.counters import COUNTED_POST  # noqa: PLC0415
    from hearth.forum.models import Post, Thread  # noqa: PLC0415

    counted = Post.objects.filter(COUNTED_POST, thread_id=OuterRef("pk"))
    latest = counted.order_by("-position")
    first = Post.objects.filter(thread_id=OuterRef("pk"), position=1)
    replies = (
        counted.filter(position__gt=1)
        .order_by()
        .values("thread_id")
        .annotate(count=Count("pk"))
        .values("count")
    )

    def latest_or_first(column: str, *otherwise: Any) -> Coalesce:
        """synchronise_thread's "the latest counted post, or else the first post"."""
        return Coalesce(
            Subquery(latest.values(column)[:1]), Subquery(first.values(column)[:1]), *otherwise
        )

    rows = Thread.objects.annotate(
        expected_replies=Coalesce(Subquery(replies), 0),
        expected_post_id=latest_or_first("pk"),
        expected_post_at=latest_or_first("created_at", F("created_at")),
        expected_poster=latest_or_first("author_name", F("author_name")),
    ).values_list(
        "pk", "reply_count", "last_post_id", "last_post_at", "last_poster_name",
        "expected_replies", "expected_post_id", "expected_post_at", "expected_poster",
    )  # fmt: skip
    differences = []
    for thread_id, *stored_and_expected in rows.iterator(chunk_size=5_000):
        stored, expected = stored_and_expected[:4], stored_and_expected[4:]
        if stored != expected:
            names = ("reply_count", "last_post_id", "last_post_at", "last_poster_name")
            wrong = [
                f"{name} {have!r}, the rule says {want!r}"
                for name, have, want in zip(names, stored, expected, strict=True)
                if have != want
            ]
            differences.append(f"thread {thread_id}: " + "; ".join(wrong))
    return differences


class _RollBack(Exception):  # noqa: N818 - a rollback signal, not an error
    pass


def _recount_differences(sample_thread_ids: list[int]) -> list[str]:
    from django.db import transaction  # noqa: PLC0415

    from hearth.forum.counters import synchronise_category, synchronise_thread  # noqa: PLC0415
    from hearth.forum.models import Category, Thread  # noqa: PLC0415

    thread_ids = list(Thread.objects.values_list("pk", flat=True))
    rng = random.Random(SEED + 2)
    sample = sorted(
        {*sample_thread_ids, *rng.sample(thread_ids, min(SAMPLE_THREADS, len(thread_ids)))}
    )
    thread_fields = ("pk", "reply_count", "last_position", "last_post_at", "last_post_id",
                     "last_poster_name")  # fmt: skip
    category_fields = ("pk", "thread_count", "post_count", "last_post_at", "last_thread_id",
                       "last_thread_title", "last_poster_name")  # fmt: skip

    def read() -> tuple[list[Any], list[Any]]:
        threads = list(
            Thread.objects.filter(pk__in=sample).order_by("pk").values_list(*thread_fields)
        )
        categories = list(Category.objects.order_by("pk").values_list(*category_fields))
        return threads, categories

    before = read()
    try:
        with transaction.atomic():
            for thread_id in sample:
                synchronise_thread(thread_id)
            for category_id in Category.objects.values_list("pk", flat=True):
                synchronise_category(category_id)
            after = read()
            raise _RollBack
    except _RollBack:
        pass
    differences = []
    for what, names, stored_rows, worked_out_rows in (
        ("thread", thread_fields, before[0], after[0]),
        ("category", category_fields, before[1], after[1]),
    ):
        for stored, worked_out in zip(stored_rows, worked_out_rows, strict=True):
            if stored != worked_out:
                changed = [
                    f"{name} {have!r}, synchronise_{what} says {want!r}"
                    for name, have, want in zip(names[1:], stored[1:], worked_out[1:], strict=True)
                    if have != want
                ]
                differences.append(f"{what} {stored[0]}: " + "; ".join(changed))
    return differences


def _reaction_differences() -> list[str]:
    from django.db.models import Count, Q  # noqa: PLC0415

    from hearth.forum.models import REACTION_COUNT_FIELDS, Post, Reaction  # noqa: PLC0415

    counters = {str(kind): counter for kind, counter in REACTION_COUNT_FIELDS.items()}
    rows: dict[tuple[int, str], int] = {
        (row["post_id"], counters[row["kind"]]): row["count"]
        for row in Reaction.objects.order_by().values("post_id", "kind").annotate(count=Count("pk"))
    }
    any_count = Q()
    for counter in counters.values():
        any_count |= Q(**{f"{counter}__gt": 0})
    stored: dict[tuple[int, str], int] = {}
    for post_id, *counts in (
        Post.objects.filter(any_count)
        .values_list("pk", *counters.values())
        .iterator(chunk_size=10_000)
    ):
        for counter, count in zip(counters.values(), counts, strict=True):
            if count:
                stored[post_id, counter] = count
    return [
        f"post {post_id}: {counter} {stored.get((post_id, counter), 0)}, but "
        f"{rows.get((post_id, counter), 0)} reaction rows"
        for post_id, counter in sorted(set(rows) | set(stored))
        if stored.get((post_id, counter), 0) != rows.get((post_id, counter), 0)
    ]


# --- The facts ------------------------------------------------------------------------


def _facts(
    plan: _Plan, *, database: str, big_thread_id: int, specials: dict[str, int]
) -> dict[str, Any]:
    from django.db.models import Count  # noqa: PLC0415

    from hearth.accounts.models import MemberMute, User  # noqa: PLC0415
    from hearth.between_sessions.models import JournalEntry  # noqa: PLC0415
    from hearth.forum.models import (  # noqa: PLC0415
        AnonymousIdentity,
        Category,
        Post,
        Reaction,
        ReadState,
        Thread,
    )
    from hearth.forum.selectors import Cursor  # noqa: PLC0415

    scale = plan.scale
    big = Thread.objects.get(pk=big_thread_id)
    last_full_page = (big.last_position - 1) // POSTS_PER_PAGE
    deep = (
        Category.objects.annotate(listed=Count("threads"))
        .order_by("-listed", "pk")
        .values_list("pk", "slug", "listed")
        .first()
    )
    assert deep is not None
    deep_id, deep_slug, deep_threads = deep
    deep_page = max(2, min(scale.deep_page, (deep_threads - 1) // THREADS_PER_PAGE + 1))
    # The last thread of the page before: the category view's ``after=`` for the deep page,
    # in the listing's order (pinned first, newest activity, then id).
    before = (
        Thread.objects.filter(category_id=deep_id, is_held=False)
        .order_by("-is_pinned", "-last_post_at", "-pk")
        .values_list("is_pinned", "last_post_at", "pk")[(deep_page - 1) * THREADS_PER_PAGE - 1]
    )
    mixed = [member_username(number) for number in range(min(scale.mixed_members, scale.members))]
    return {
        "scale": scale.name,
        "database": database,
        "posts": Post.objects.count(),
        "threads": Thread.objects.count(),
        "categories": Category.objects.count(),
        "members": User.objects.count(),
        "reactions": Reaction.objects.count(),
        "read_states": ReadState.objects.count(),
        "mutes": MemberMute.objects.count(),
        "anonymous_threads": AnonymousIdentity.objects.values("thread_id").distinct().count(),
        "content_noted_posts": Post.objects.exclude(note_label_ids=[]).count(),
        "toolkit_entries": JournalEntry.objects.count(),
        "big_thread_id": big_thread_id,
        "big_thread_replies": big.reply_count,
        "big_page": min(scale.big_page, last_full_page),
        "medium_thread_id": specials["medium"],
        "posting_thread_id": specials["posting"],
        "watched_thread_id": specials["watched"],
        "unwatched_thread_id": specials["unwatched"],
        "watchers": scale.watchers,
        "anonymous_thread_id": specials["anonymous"],
        "content_note_thread_id": specials["content_note"],
        "deep_category_slug": deep_slug,
        "deep_category_threads": deep_threads,
        "deep_page": deep_page,
        "deep_page_cursor": Cursor(*before).encode(),
        "category_slugs": [category.slug for category in plan.categories],
        "first_thread_id": plan.first_thread_id,
        "last_thread_id": plan.last_thread_id,
        "reader": mixed[0],
        "writers": [member_username(number) for number in range(1, 1 + scale.writers)],
        "mixed_members": mixed,
        "toolkit_member": member_username(0),
        "moderator": MODERATOR_USERNAME,
    }


# --- On its own: python -m bench.large_dataset ----------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.large_dataset",
        description=(
            "Build the large benchmark data set (or restore it from the cache) in a throwaway "
            "database, check it, and print its facts as JSON (docs/benchmarks.md)."
        ),
    )
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--scale", choices=sorted(SCALES), default="large")
    parser.add_argument(
        "--cache-dir", type=Path,
        default=Path(os.environ.get("HEARTH_BENCH_CACHE") or DEFAULT_CACHE),
        help="where built data sets are kept (default var/bench-cache, or $HEARTH_BENCH_CACHE)",
    )  # fmt: skip
    parser.add_argument("--no-cache", action="store_true", help="build, and keep nothing")
    parser.add_argument(
        "--check", action="store_true", help="run the counter check on a restored data set too"
    )
    arguments = parser.parse_args(argv)
    try:
        dataset = _run(arguments)
    except BenchError as error:
        print(f"large data set: {error}", file=sys.stderr)
        return 1
    print(json.dumps(asdict(dataset), indent=2))
    return 0


def _run(arguments: argparse.Namespace) -> LargeDataset:
    scale = SCALES[arguments.scale]
    cache = LargeCache.for_run(
        scale,
        database=arguments.database,
        directory=None if arguments.no_cache else arguments.cache_dir,
    )
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hearth-large-")))
        kept = ("PATH", "HOME", "LANG", "TMPDIR")
        environment = {name: os.environ[name] for name in kept if name in os.environ} | {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(REPOSITORY),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "SITE_URL": "http://127.0.0.1:8000",
            "ALLOWED_HOSTS": "127.0.0.1",
            "HEARTH_DATA_DIR": str(work / "data"),
            "HEARTH_LOG_LEVEL": "WARNING",
        }  # fmt: skip
        cluster = None
        restoring = time.perf_counter()
        if arguments.database == "postgres":
            seed = cache.postgres_seed()
            say_on_stderr("starting a throwaway PostgreSQL" + (f" from {seed}" if seed else ""))
            cluster = stack.enter_context(postgres_cluster(seed=seed))
            environment["DATABASE_URL"] = cluster.url
        cache.restore_files(work / "data")
        say_on_stderr("hearth init")
        hearth_init(environment)
        if cache.restored:
            cache.restore_seconds = time.perf_counter() - restoring
        os.environ.update(environment)
        import django  # noqa: PLC0415 - only once the environment above is in place

        django.setup()
        try:
            dataset = cache.build_or_load(cluster=cluster, say=say_on_stderr)
            if cache.restored and arguments.check:
                check_counters(say=say_on_stderr)
        finally:
            from django.db import connections  # noqa: PLC0415

            connections.close_all()
        say_on_stderr(
            f"large data set ({scale.name}, {arguments.database}): "
            + (
                f"restored in {dataset.restore_seconds:.1f} s (with hearth init)"
                if dataset.restored
                else f"built in {dataset.build_seconds:.0f} s"
            )
        )
        return dataset
    raise AssertionError  # unreachable: the ExitStack does not swallow exceptions


if __name__ == "__main__":
    sys.exit(main())
