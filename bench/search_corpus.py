"""The search part's corpus: a million posts in 20 categories, built in bulk.

What the search part measures is the index and the queries over it, so the
corpus is not written through the services (``start_thread`` and
``reply_to_thread`` run at a few hundred posts a second: an hour for a million
posts). It is bulk-inserted instead -- COPY on PostgreSQL, ``executemany`` on
SQLite, tens of thousands of rows per transaction -- and each row is what the
services and the indexer would have stored, checked rather than assumed:

- the text is plain words in paragraphs, so its stored HTML is ``<p>`` per
  paragraph; every ``CHECK_EVERY``-th post is rendered with the real
  ``render_post_body`` and its plain text taken with the real
  ``indexing.plain_text``, and the build stops if either differs;
- positions run 1..n per thread; every thread's ``reply_count``,
  ``last_position`` and last post follow the counting rule (held and deleted
  posts do not count), worked out while generating; a sample of threads is
  then put through ``synchronise_thread`` and must come out unchanged; the
  categories' numbers are set by ``synchronise_category`` itself;
- the index entries are written directly from the same values, and a sample
  is rewritten with ``indexing.index_posts`` and must come out identical
  (``vector`` included on PostgreSQL). On PostgreSQL the GIN index is dropped
  for the insert and created again afterwards, with migration 0002's own
  statement; the trigger still computes every ``vector``.

The words are drawn from a Zipf distribution (exponent 1) over about 30,000
words: English stop words at the top, a few hundred real words of
peer-support writing spread from common to uncommon, and deterministic
pseudo-words for the long tail. A seeded RNG makes every build the same
corpus, so queries (``bench/search.py``) find the same rows on every run.
"""

from __future__ import annotations

import importlib
import random
import string
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils.html import escape

from hearth.accounts.models import User
from hearth.core.text import RENDER_VERSION
from hearth.forum.counters import synchronise_category, synchronise_thread
from hearth.forum.models import AnonymousIdentity, Category, Post, Thread, Visibility
from hearth.forum.models import pseudonym_for as anonymous_pseudonym
from hearth.forum.text import render_post_body
from hearth.search.indexing import index_posts, plain_text
from hearth.search.languages import language_of_categories
from hearth.search.models import SearchEntry

SEED = 15  # issue 15
AUTHOR_PREFIX = "search_author_"
AUTHORS = 300
PSEUDO_WORDS = 30_000
CHECK_EVERY = 500  # posts whose HTML and plain text are checked against the real functions
CHUNK_POSTS = 20_000  # posts (with their threads and entries) per transaction
SAMPLE_ENTRIES = 300  # entries compared with index_posts' after the build
SAMPLE_THREADS = 40  # threads put through synchronise_thread after the build
MEMBERS_ONLY, MODERATORS_ONLY = 18, 19  # category numbers; the others are public
ANONYMOUS_CATEGORIES = frozenset({2, 5, 11, MEMBERS_ONLY})
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=3 * 365)

CATEGORY_NAMES = (
    "Anxiety", "Low mood", "Grief and loss", "Sleep", "Therapy", "Family", "Work and study",
    "Relationships", "Body and health", "Loneliness", "Anger", "Endings", "Self-care",
    "Recovery", "Parenting", "Carers", "Trauma", "Small wins", "Members' lounge",
    "Moderators' room",
)  # fmt: skip
# The most frequent words of any English text: what PostgreSQL's English configuration
# drops and FTS5 indexes (the longest posting lists on SQLite). Never in a query.
_STOP_WORDS = (
    "i the and to a of it my was in that is for me but have with so not this be on you "
    "had at as just about what do are we she he they"
)
STOP_WORDS = tuple(_STOP_WORDS.split())
# Real words, most frequent first: the first few dozen are common (in several percent
# of posts), the last uncommon (well under 0.1%).
_REAL_WORDS = """
    week hard feel therapy sleep therapist session mother time anxious anxiety friend
    work night better talk grief tired day help family father sister talking thinking
    ending endings year feeling morning people home body walk helped trying panic brother
    partner child husband wife write writing notice noticed quiet change breath breathing
    worry worried evening weekend doctor appointment medication sad sadness angry anger
    lonely loneliness alone calm gentle patience kind kindness safe unsafe afraid fear
    scared cry crying tears heavy light loss lost miss missing memory memories hospital
    group support listen listened heard trust rupture repair break holiday letter
    notebook journal garden rain window kitchen tea bread train office school study
    exams job boss colleague meeting email phone call message silence voice room chair
    clock door slow steady honest brave hopeful hope careful remember remembered carried
    waited learned found kept again still often sometimes slowly finally almost nearly
    usually today tomorrow yesterday birthday anniversary funeral grave photograph dog
    cat pet neighbour city village bus car drive shopping cooking eating appetite weight
    exercise running swimming yoga stretch headache stomach heart chest shaking shame
    guilt guilty relief relieved grateful thankful proud progress setback relapse craving
    drinking sober habit routine schedule diary plan goal boundary boundaries mindfulness
    meditation grounding counselling counsellor psychiatrist referral waitlist assessment
    diagnosis insomnia nightmare dream dreams bedtime waking exhausted numb overwhelmed
    overthinking rumination intrusive compulsion ritual avoidance exposure hierarchy
    triggers flashback dissociation attachment abandonment rejection conflict argument
    apology forgiveness resentment jealousy envy comparison perfectionism procrastination
    deadline burnout sickness leave redundancy interview promotion landlord rent
    mortgage debt budget benefits paperwork carer dementia diagnosis hospice palliative
    miscarriage pregnancy postnatal toddler teenager adoption divorce separation custody
    wedding christmas ramadan diwali hanukkah summer winter autumn spring seaside
    allotment knitting painting poetry music choir piano guitar volunteering charity
"""
REAL_WORDS = tuple(_REAL_WORDS.split())


@dataclass(frozen=True)
class Vocabulary:
    words: tuple[str, ...]  # by rank, most frequent first
    cumulative: tuple[float, ...]  # Zipf's cumulative weights, for random.choices


@dataclass(frozen=True)
class Corpus:
    """What the queries need to know about the corpus (stored with the cache)."""

    posts: int
    threads: int
    categories: int
    build_seconds: float
    author_username: str  # an author with many posts, for the author: filter
    words: tuple[str, ...]  # the vocabulary by rank


def vocabulary() -> Vocabulary:
    """Stop words, then the real words spread over the first few thousand ranks, with
    pseudo-words (pronounceable, deterministic) everywhere else."""
    rng = random.Random(SEED)
    real = list(dict.fromkeys(REAL_WORDS))
    taken = set(real) | set(STOP_WORDS)
    pseudo: list[str] = []
    consonants, vowels = "bcdfghklmnprstvz", "aeiou"
    while len(pseudo) < PSEUDO_WORDS:
        word = "".join(
            rng.choice(consonants) + rng.choice(vowels) for _ in range(rng.randint(2, 4))
        )
        if word not in taken:
            taken.add(word)
            pseudo.append(word)
    ranks: list[str | None] = [*STOP_WORDS, *([None] * (len(real) + PSEUDO_WORDS))]
    # Real word k at rank ~k**1.5 after the stop words: from rank ~35 to ~7,000.
    for k, word in enumerate(real, start=3):
        rank = len(STOP_WORDS) + int(k**1.5)
        while ranks[rank] is not None:
            rank += 1
        ranks[rank] = word
    pending = iter(pseudo)
    words = tuple(word if word is not None else next(pending) for word in ranks)
    cumulative = tuple(accumulate(1.0 / rank for rank in range(1, len(words) + 1)))
    return Vocabulary(words=words, cumulative=cumulative)


def paragraphs(rng: random.Random, vocab: Vocabulary, count: int) -> list[str]:
    """``count`` words in sentences of 4-14 words, in paragraphs of 1-4 sentences."""
    drawn = rng.choices(vocab.words, cum_weights=vocab.cumulative, k=count)
    result: list[str] = []
    sentences: list[str] = []
    goal = rng.randint(1, 4)
    at = 0
    while at < count:
        length = min(rng.randint(4, 14), count - at)
        sentence = drawn[at : at + length]
        sentences.append(" ".join([sentence[0].capitalize(), *sentence[1:]]) + ".")
        at += length
        if len(sentences) == goal or at >= count:
            result.append(" ".join(sentences))
            sentences, goal = [], rng.randint(1, 4)
    return result


def html_of(parts: Sequence[str]) -> str:
    """What ``render_post_body`` makes of plain paragraphs (checked while building)."""
    return "".join(f"<p>{escape(part)}</p>\n" for part in parts)


@dataclass
class _Chunk:
    threads: list[dict[str, Any]]
    posts: list[dict[str, Any]]
    entries: list[dict[str, Any]]
    identities: list[dict[str, Any]]


def build(posts: int, *, say: Callable[[str], None]) -> Corpus:
    """Write the corpus into the (freshly migrated) database; return what queries need."""
    started = time.perf_counter()
    vocab = vocabulary()
    rng = random.Random(SEED)
    authors = _create_authors()
    categories = _create_categories()
    languages = language_of_categories({category.pk for category in categories})
    author_weights = tuple(accumulate(1.0 / (rank**0.8) for rank in range(1, len(authors) + 1)))
    category_weights = tuple(accumulate(1.0 / (rank**0.7) for rank in range(1, 21)))
    # About 20 posts per thread on average: 50,000 threads for a million posts.
    thread_count = max(1, posts // 20)
    say(f"  building the search corpus: {posts:,} posts in about {thread_count:,} threads")
    written = threads_written = 0
    next_thread_id = _next_id(Thread)
    next_post_id = _next_id(Post)
    with _bulk_session():
        for chunk in _chunks(
            rng, vocab, posts=posts, thread_count=thread_count, authors=authors,
            author_weights=author_weights, categories=categories,
            category_weights=category_weights, languages=languages,
            first_thread_id=next_thread_id, first_post_id=next_post_id,
        ):  # fmt: skip
            with transaction.atomic():
                _insert(Thread, chunk.threads)
                _insert(Post, chunk.posts)
                _insert(AnonymousIdentity, chunk.identities)
                _insert(SearchEntry, chunk.entries)
            written += len(chunk.posts)
            threads_written += len(chunk.threads)
            elapsed = time.perf_counter() - started
            say(
                f"    {written:,} / {posts:,} posts, {threads_written:,} threads "
                f"({elapsed:.0f} s, {written / elapsed:,.0f} posts/s)"
            )
    _finish(categories, say=say)
    _check_sample(rng, say=say)
    seconds = time.perf_counter() - started
    say(f"  search corpus built in {seconds:.0f} s")
    return Corpus(
        posts=written,
        threads=threads_written,
        categories=len(categories),
        build_seconds=seconds,
        author_username=authors[0].username,
        words=vocab.words,
    )


def _create_authors() -> list[User]:
    password = make_password(None)  # unusable: nobody signs in as them
    created = User.objects.bulk_create(
        [
            User(
                username=f"{AUTHOR_PREFIX}{number:03d}",
                email=f"{AUTHOR_PREFIX}{number:03d}@bench.invalid",
                password=password,
                display_name=f"Search author {number}",
            )
            for number in range(AUTHORS)
        ],
        batch_size=500,
    )
    # bulk_create sets primary keys on both databases; read back to be sure of the order.
    by_name = {
        user.username: user
        for user in User.objects.filter(username__in=[u.username for u in created])
    }
    return [by_name[user.username] for user in created]


def _create_categories() -> list[Category]:
    categories = []
    for number, name in enumerate(CATEGORY_NAMES):
        visibility = (
            Visibility.MODERATORS
            if number == MODERATORS_ONLY
            else Visibility.MEMBERS
            if number == MEMBERS_ONLY
            else Visibility.PUBLIC
        )
        categories.append(
            Category.objects.create(
                name=name,
                slug=f"search-{number:02d}",
                description=f"The search corpus: {name.lower()}.",
                position=100 + number,
                visibility=visibility,
                allow_anonymous=number in ANONYMOUS_CATEGORIES,
            )
        )
    return categories


def _chunks(
    rng: random.Random,
    vocab: Vocabulary,
    *,
    posts: int,
    thread_count: int,
    authors: list[User],
    author_weights: tuple[float, ...],
    categories: list[Category],
    category_weights: tuple[float, ...],
    languages: dict[int, str],
    first_thread_id: int,
    first_post_id: int,
) -> Iterator[_Chunk]:
    chunk = _Chunk([], [], [], [])
    post_id, thread_id = first_post_id, first_thread_id
    made = 0
    step = SPAN / thread_count
    checked = 0
    while made < posts:
        number = thread_id - first_thread_id
        category = rng.choices(categories, cum_weights=category_weights)[0]
        anonymous_here = category.allow_anonymous
        # Thread lengths: mostly short, a few long (mean ~20), never past the corpus size.
        length = min(posts - made, 1 + min(int(rng.expovariate(1 / 19)), 400))
        opened = START + step * number + timedelta(seconds=rng.randint(0, 3600))
        title_words = rng.choices(vocab.words[len(STOP_WORDS) :], k=rng.randint(3, 7))
        title = " ".join(title_words).capitalize()
        identities: dict[int, int] = {}  # member id -> pseudonym number, in this thread
        thread_posts: list[dict[str, Any]] = []
        at = opened
        for position in range(1, length + 1):
            author = rng.choices(authors, cum_weights=author_weights)[0]
            anonymous = anonymous_here and rng.random() < 0.3
            if anonymous and author.pk not in identities:
                identities[author.pk] = len(identities)
                chunk.identities.append(
                    {
                        "thread_id": thread_id,
                        "member_id": author.pk,
                        "number": identities[author.pk],
                    }
                )
            name = anonymous_pseudonym(identities[author.pk]) if anonymous else author.display_name
            state = rng.random() if position > 1 else 1.0  # original posts stay published
            held, hidden, deleted = state < 0.01, 0.01 <= state < 0.02, 0.02 <= state < 0.03
            parts = paragraphs(rng, vocab, rng.randint(20, 150))
            body = "\n\n".join(parts)
            html = html_of(parts)
            text = body  # plain_text(html): paragraphs separated by a blank line
            checked += 1
            if checked % CHECK_EVERY == 1:
                _check_text(body, html, text)
            if position > 1:
                at += timedelta(seconds=int(rng.expovariate(1 / 21_600)) + 1)
            row = {
                "id": post_id, "thread_id": thread_id, "position": position,
                "author_id": author.pk, "author_name": name, "body": body, "body_html": html,
                "render_version": RENDER_VERSION, "created_at": at,
                "is_deleted": deleted, "deleted_at": at + timedelta(hours=1) if deleted else None,
                "is_anonymous": anonymous, "is_hidden": hidden,
                "hidden_reason": "Hidden by the benchmark." if hidden else "",
                "is_held": held, "request_key": f"search-corpus-{post_id}",
            }  # fmt: skip
            thread_posts.append(row)
            if not deleted:
                chunk.entries.append(
                    {
                        "post_id": post_id, "thread_id": thread_id, "category_id": category.pk,
                        "public_author_id": None if anonymous else author.pk, "created_at": at,
                        "title": title if position == 1 else "", "body": text,
                        "language": languages[category.pk], "post_version": 1,
                    }
                )  # fmt: skip
            post_id += 1
        counted = [row for row in thread_posts if not row["is_held"] and not row["is_deleted"]]
        latest = counted[-1] if counted else thread_posts[0]
        chunk.threads.append(
            {
                "id": thread_id, "category_id": category.pk, "title": title,
                "author_id": thread_posts[0]["author_id"],
                "author_name": thread_posts[0]["author_name"], "created_at": opened,
                "last_position": length,
                "reply_count": sum(1 for row in counted if row["position"] > 1),
                "last_post_at": latest["created_at"], "last_post_id": latest["id"],
                "last_poster_name": latest["author_name"],
            }
        )  # fmt: skip
        chunk.posts.extend(thread_posts)
        made += length
        thread_id += 1
        if len(chunk.posts) >= CHUNK_POSTS:
            yield chunk
            chunk = _Chunk([], [], [], [])
    if chunk.posts:
        yield chunk


def _check_text(body: str, html: str, text: str) -> None:
    rendered = render_post_body(body)
    if rendered.html != html or rendered.version != RENDER_VERSION:
        message = (
            f"the corpus's HTML is not what render_post_body makes:\n{html!r}\n{rendered.html!r}"
        )
        raise AssertionError(message)
    if plain_text(html) != text:
        message = f"the corpus's plain text is not what the indexer makes:\n{text!r}"
        raise AssertionError(message)


def _next_id(model: type[models.Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return int(last or 0) + 1


@contextmanager
def _bulk_session() -> Iterator[None]:
    """Settings for the bulk insert only: on PostgreSQL no wait for the WAL's flush per
    commit (a crash loses the build, which is rebuilt anyway) and the GIN index dropped
    for the insert and built once afterwards (far faster than 1,000,000 insertions into
    it); both restored at the end."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("DROP INDEX IF EXISTS search_entry_vector_gin")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        cursor.execute(_migration_statement("CREATE INDEX search_entry_vector_gin"))
        cursor.execute("RESET maintenance_work_mem")
        cursor.execute("SET synchronous_commit = on")


def _migration_statement(prefix: str) -> str:
    """One statement of migration search/0002, as it created it (so the index is the same)."""
    migration = importlib.import_module("hearth.search.migrations.0002_full_text")
    [statement] = [each for each in migration.POSTGRES if each.startswith(prefix)]
    return str(statement)


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows given by column name; every other column gets its field's default."""
    if not rows:
        return
    given = rows[0].keys()
    # An id not given is the database's to number (AnonymousIdentity's).
    fields = [
        field
        for field in model._meta.concrete_fields
        if field.attname in given or not isinstance(field, models.AutoField)
    ]
    columns = [str(field.column) for field in fields]
    constants: dict[str, Any] = {}
    for field in fields:
        if field.attname not in given:
            default = field.get_default()
            constants[field.attname] = (
                "[]"
                if isinstance(field, models.JSONField)
                else field.get_db_prep_save(default, connection)
            )
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [
                        row[field.attname] if field.attname in row else constants[field.attname]
                        for field in fields
                    ]
                )
        return
    adapt = connection.ops.adapt_datetimefield_value
    dated = {field.attname for field in fields if isinstance(field, models.DateTimeField)}
    values = [
        [
            (adapt(row[field.attname]) if field.attname in dated else row[field.attname])
            if field.attname in row
            else constants[field.attname]
            for field in fields
        ]
        for row in rows
    ]
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", values)  # noqa: S608 - our own table and column names


def _finish(categories: list[Category], *, say: Callable[[str], None]) -> None:
    """Sequences past the explicit ids, the categories' numbers, the planner's statistics."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [Thread, Post, AnonymousIdentity, SearchEntry]
        ):
            cursor.execute(statement)
    with transaction.atomic():
        for category in categories:
            synchronise_category(category.pk)
    with connection.cursor() as cursor:
        # What autovacuum (PostgreSQL) or ``PRAGMA optimize`` would have done by the time a
        # forum has a million posts: the planner's statistics, and on PostgreSQL the
        # visibility map that index-only scans read.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    say(f"  counters, sequences and statistics in {time.perf_counter() - started:.0f} s")


class _Unchanged(Exception):  # noqa: N818 - a rollback signal, not an error
    pass


def _check_sample(rng: random.Random, *, say: Callable[[str], None]) -> None:
    """Rewrite a sample of entries with ``index_posts`` and a sample of threads' counters
    with ``synchronise_thread``; both must come out as the bulk path wrote them. Rolled
    back either way."""
    post_ids = list(
        Post.objects.filter(request_key__startswith="search-corpus-").values_list("pk", flat=True)
    )
    sample = sorted(rng.sample(post_ids, min(SAMPLE_ENTRIES, len(post_ids))))
    thread_ids = sorted(
        set(Post.objects.filter(pk__in=sample[:SAMPLE_THREADS]).values_list("thread_id", flat=True))
    )
    before_entries = _entries(sample)
    before_threads = _threads(thread_ids)
    try:
        with transaction.atomic():
            index_posts(sample)
            for thread_id in thread_ids:
                synchronise_thread(thread_id)
            after_entries = _entries(sample)
            after_threads = _threads(thread_ids)
            raise _Unchanged
    except _Unchanged:
        pass
    if before_entries != after_entries:
        differing = [key for key in before_entries if before_entries[key] != after_entries.get(key)]
        message = f"index_posts wrote other entries than the bulk path for posts {differing[:10]}"
        raise AssertionError(message)
    if before_threads != after_threads:
        message = "synchronise_thread changed the bulk path's thread counters"
        raise AssertionError(message)
    say(
        f"  checked: {len(sample)} entries equal index_posts', {len(thread_ids)} threads' "
        "counters equal synchronise_thread's"
    )


def _entries(post_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    columns = [str(field.column) for field in SearchEntry._meta.concrete_fields]
    if connection.vendor == "postgresql":
        columns.append("vector::text")
    placeholders = ", ".join(["%s"] * len(post_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {SearchEntry._meta.db_table} "  # noqa: S608
            f"WHERE post_id IN ({placeholders})",
            post_ids,
        )
        return {row[0]: tuple(row) for row in cursor.fetchall()}


def _threads(thread_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    rows = Thread.objects.filter(pk__in=thread_ids).values_list(
        "pk", "reply_count", "last_position", "last_post_at", "last_post_id", "last_poster_name"
    )
    return {row[0]: tuple(row) for row in rows}


def random_letters(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))
