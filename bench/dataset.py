"""Build the benchmark data set through Hearth's own services.

Every thread and every reply is written by ``start_thread`` and
``reply_to_thread``, so stored HTML, positions and the denormalised counters
are exactly what members' posts produce, whatever those services do today.
Members are created as the demo creates them, but without a password (the
harness signs them in with Django's session machinery, and hashing 50
passwords would only slow the build down). Categories have no service: the
one category is a plain row, as an administrator adds it in the admin.

Replies are written in batches: one outer transaction per ``BATCH_SIZE``
replies, inside which each service call's own ``atomic`` block is a
savepoint. Every reply still runs the whole service (permission check,
idempotency lookup, Markdown rendering, row lock, insert, counters); the
batch only saves one commit -- one fsync on SQLite with synchronous=FULL
and on PostgreSQL -- per reply. On the 2-core development machine the
10,000-reply thread took 32 s (SQLite, idle machine) to 85-118 s (SQLite and
PostgreSQL, machine busy with other work): inside the ~3-minute budget, so
there is no bulk path bypassing the service. If the services ever make it
much slower, bulk-create the rows with the services' own renderer, positions
and counters rather than with copies of their logic.

The 1,000 members watching one thread (``bench.watchers``) are bulk-created,
with their addresses and their ``ThreadFollowing`` rows: what is measured is
posting into the thread and the fan-out to them, not signing them up, and
creating them one by one would add seconds to every run for nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import cycle

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client
from django.utils import timezone

from hearth.accounts.models import User
from hearth.core.text import MAX_SOURCE_BYTES
from hearth.forum.counters import synchronise_thread
from hearth.forum.models import (
    Category,
    FollowLevel,
    Post,
    Thread,
    ThreadFollowing,
    Visibility,
)
from hearth.forum.services import reply_to_thread, start_thread
from hearth.forum.text import render_post_body

BATCH_SIZE = 250
CATEGORY_SLUG = "benchmark"
READER = "bench_reader"
WRITERS_PER_RUN = 16  # bench/run.py posts with 4 of them, then with all 16
WATCHER_PREFIX = "bench_watcher_"

VOCABULARY = """
session therapist week quiet evening morning garden letter notebook window walk tea feeling
trust rupture repair break holiday ending beginning patience practice story memory friend
sister brother mother father child work office train kitchen bread rain light night sleep
dream habit breath body voice silence room chair clock door small slow gentle steady honest
brave tired hopeful anxious calm careful kind warm noticed wrote remembered carried waited
listened talked learned missed found kept again still often sometimes slowly finally almost
nearly usually today tomorrow
"""
WORDS = tuple(VOCABULARY.split())


@dataclass(frozen=True)
class Size:
    """How big the data set is; ``threads`` counts every thread in the category."""

    members: int
    threads: int
    medium_replies: int
    big_replies: int
    big_page: int  # the deep page of the big thread to measure (clamped to its last page)
    large_posts: int  # replies of the largest size a post may have, for the memory reading
    watchers: int  # members watching one thread (and no other), for the fan-out
    body_chars: int = 600


# The threads every data set has: the posting run's, the 200- and 10,000-reply ones,
# the largest posts', and the watched and unwatched pair.
SPECIAL_THREADS = 6
FULL = Size(
    members=50, threads=1000, medium_replies=200, big_replies=10_000, big_page=400,
    large_posts=400, watchers=1000,
)  # fmt: skip
# Small enough for CI's smoke test; "page 400" becomes the big thread's last full page.
TINY = Size(
    members=17, threads=20, medium_replies=30, big_replies=450, big_page=400, large_posts=20,
    watchers=50,
)  # fmt: skip


@dataclass
class Timings:
    members: float = 0.0
    threads: float = 0.0
    medium_thread: float = 0.0
    big_thread: float = 0.0
    large_thread: float = 0.0
    watchers: float = 0.0

    @property
    def total(self) -> float:
        return (
            self.members + self.threads + self.medium_thread + self.big_thread + self.large_thread
            + self.watchers
        )  # fmt: skip


@dataclass(frozen=True)
class Dataset:
    category_slug: str
    medium_thread_id: int
    big_thread_id: int
    posting_thread_id: int
    large_thread_id: int
    large_posts: int
    reader: str
    writers: list[str]
    big_replies: int
    # Two threads of the same size: one every watcher watches, one nobody does.
    watched_thread_id: int
    unwatched_thread_id: int
    watchers: int
    timings: Timings = field(default_factory=Timings)
    # The large data set (bench/large_dataset.py) also has a category deep enough for a
    # keyset page far from the top: its page number and ``after=`` cursor.
    deep_category_page: int = 0
    deep_category_cursor: str = ""
    description: str = ""  # what the report says of it, when not ``run.describe``'s


def plain_text(rng: random.Random, chars: int) -> str:
    """Invented plain prose of about ``chars`` characters, in short paragraphs."""
    paragraphs: list[str] = []
    length = 0
    while length < chars:
        sentences = []
        for _ in range(rng.randint(2, 4)):
            words = rng.choices(WORDS, k=rng.randint(6, 14))
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:chars].rstrip() + "."


def build(size: Size, *, say: Callable[[str], None]) -> Dataset:
    """Create members, the category, its threads and the long threads; time each part."""
    rng = random.Random(5)  # the same data set every run
    timings = Timings()

    started = time.perf_counter()
    members = _create_members(size.members)
    timings.members = time.perf_counter() - started

    category = Category.objects.create(
        name="Benchmark",
        slug=CATEGORY_SLUG,
        description="Threads written by the benchmark harness.",
        visibility=Visibility.PUBLIC,  # so the anonymous rows measure the same pages
    )
    authors = cycle(members)

    started = time.perf_counter()
    ordinary = size.threads - SPECIAL_THREADS
    with transaction.atomic():
        for number in range(1, ordinary + 1):
            _start(
                category,
                next(authors),
                f"Benchmark thread {number}",
                rng=rng,
                size=size,
                number=number,
            )
    posting = _start(
        category, members[0], "Replies posted under load", rng=rng, size=size, number=0
    )
    medium = _start(category, next(authors), "A long conversation", rng=rng, size=size, number=1)
    big = _start(category, next(authors), "The very long thread", rng=rng, size=size, number=2)
    large = _start(category, next(authors), "The longest posts", rng=rng, size=size, number=3)
    timings.threads = time.perf_counter() - started
    say(f"  {size.threads} threads in {timings.threads:.1f} s")

    started = time.perf_counter()
    _reply_many(medium, authors, size.medium_replies, rng=rng, chars=size.body_chars)
    timings.medium_thread = time.perf_counter() - started
    say(f"  {size.medium_replies} replies in {timings.medium_thread:.1f} s")

    started = time.perf_counter()
    _reply_many(big, authors, size.big_replies, rng=rng, chars=size.body_chars, say=say)
    timings.big_thread = time.perf_counter() - started
    rate = size.big_replies / timings.big_thread
    say(f"  {size.big_replies} replies in {timings.big_thread:.1f} s ({rate:.0f} replies/s)")

    started = time.perf_counter()
    _add_largest_posts(large, authors, size.large_posts, rng=rng)
    timings.large_thread = time.perf_counter() - started
    say(f"  {size.large_posts} replies of the largest size in {timings.large_thread:.1f} s")

    # Two threads of one post each (texts of the same length): equal in size.
    started = time.perf_counter()
    pair = random.Random(12)
    watched = _start(category, members[0], "Watched by many", rng=pair, size=size, number=4)
    unwatched = _start(category, members[0], "Watched by nobody", rng=pair, size=size, number=5)
    _add_watchers(watched, size.watchers)
    timings.watchers = time.perf_counter() - started
    say(f"  {size.watchers} members watching a thread in {timings.watchers:.1f} s")

    return Dataset(
        category_slug=category.slug,
        medium_thread_id=medium.pk,
        big_thread_id=big.pk,
        posting_thread_id=posting.pk,
        large_thread_id=large.pk,
        large_posts=size.large_posts,
        reader=members[0].username,
        writers=[member.username for member in members[1 : 1 + WRITERS_PER_RUN]],
        big_replies=size.big_replies,
        watched_thread_id=watched.pk,
        unwatched_thread_id=unwatched.pk,
        watchers=size.watchers,
        timings=timings,
    )


def _create_members(count: int) -> list[User]:
    if count < 1 + WRITERS_PER_RUN:
        message = f"the benchmark needs at least {1 + WRITERS_PER_RUN} members"
        raise ValueError(message)
    members = []
    with transaction.atomic():
        for number in range(count):
            username = READER if number == 0 else f"bench_member_{number:02d}"
            member = User.objects.create_user(
                username=username,
                email=f"{username}@bench.invalid",
                password=None,  # unusable: sessions are created directly
                display_name=f"Bench member {number}",
            )
            EmailAddress.objects.create(
                user=member, email=member.email, verified=True, primary=True
            )
            members.append(member)
    return members


def _add_watchers(thread: Thread, count: int) -> None:
    """``count`` members, each watching ``thread`` and nothing else, bulk-created.

    Members as ``_create_members`` makes them (an unusable password, a verified
    primary address, the defaults for everything else, so a reply in a watched
    thread notifies them here and by email), and a ``ThreadFollowing`` row each at
    the "watching" level, as the thread's follow button stores it.
    """
    if count == 0:
        return
    now = timezone.now()
    members = [
        User(
            username=f"{WATCHER_PREFIX}{number:04d}",
            email=f"{WATCHER_PREFIX}{number:04d}@bench.invalid",
            password=make_password(None),
            display_name=f"Bench watcher {number}",
        )
        for number in range(count)
    ]
    with transaction.atomic():
        created = User.objects.bulk_create(members, batch_size=500)
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user=member, email=member.email, verified=True, primary=True)
                for member in created
            ],
            batch_size=500,
        )
        ThreadFollowing.objects.bulk_create(
            [
                ThreadFollowing(
                    member=member, thread=thread, level=FollowLevel.WATCHING, updated_at=now
                )
                for member in created
            ],
            batch_size=500,
        )


def _start(
    category: Category, author: User, title: str, *, rng: random.Random, size: Size, number: int
) -> Thread:
    return start_thread(
        author=author,
        category=category,
        title=title,
        body=plain_text(rng, size.body_chars),
        request_key=f"bench-thread-{title}-{number}"[:64],
    )


def _batches(total: int) -> Iterator[range]:
    for start in range(0, total, BATCH_SIZE):
        yield range(start, min(start + BATCH_SIZE, total))


def _reply_many(
    thread: Thread,
    authors: Iterator[User],
    count: int,
    *,
    rng: random.Random,
    chars: int,
    say: Callable[[str], None] | None = None,
) -> None:
    for batch in _batches(count):
        with transaction.atomic():
            for number in batch:
                reply_to_thread(
                    author=next(authors),
                    thread=thread,
                    body=plain_text(rng, chars),
                    request_key=f"bench-{thread.pk}-{number}",
                )
        if say is not None and batch.stop % 2000 == 0:
            say(f"    {batch.stop} / {count}")


def _add_largest_posts(
    thread: Thread, authors: Iterator[User], count: int, *, rng: random.Random
) -> None:
    """Replies as large as a post may be, for the memory reading (``bench.run``).

    The bulk path, on purpose: what is measured is reading them, so the rows are
    inserted directly (rendering 400 posts of 64 KB through the service would
    add a minute to every run). Each is stored as the service would store it,
    text and rendered HTML, and the thread's counters are then worked out by the
    same ``synchronise_thread`` the services use.
    """
    if count == 0:  # a run that does not read them (``--only``)
        return
    now = timezone.now()
    # A few different texts, rendered once each (64 KB takes a tenth of a second):
    # every post is still its own row, fragment and cache entry.
    texts = [plain_text(rng, MAX_SOURCE_BYTES - 1024) for _ in range(4)]
    renderings = [render_post_body(text) for text in texts]
    posts = []
    for offset in range(count):
        body, rendered = texts[offset % 4], renderings[offset % 4]
        author = next(authors)
        posts.append(
            Post(
                thread=thread, position=offset + 2, author=author,
                author_name=author.display_name, body=body, body_html=rendered.html,
                render_version=rendered.version, created_at=now,
                request_key=f"bench-large-{thread.pk}-{offset}",
            )
        )  # fmt: skip
    with transaction.atomic():
        Post.objects.bulk_create(posts, batch_size=50)
        Thread.objects.filter(pk=thread.pk).update(last_position=count + 1)
        synchronise_thread(thread.pk)


def sign_in(username: str) -> str:
    """Create a session for the member with Django's own login; return its cookie value."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def count_posts(thread_id: int) -> int:
    return Post.objects.filter(thread_id=thread_id).count()
