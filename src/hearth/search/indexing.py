"""Keeping the search index in step with the posts (run by tasks, never in a request).

``index_posts`` makes each post's entry what the post is now: written again from
the post's current text, or removed once the post is deleted. Everything that
changes a post publishes an event whose task calls it (``subscriptions.py``).
Paths that change posts without an event -- an account's deletion rewriting a
departed member's name, the admin -- bump the post's ``version``;
``refresh_stale_entries`` walks the posts a slice per housekeeping tick and
re-indexes any whose entry was made from another version, so the index catches
up within minutes whatever happened. ``hearth reindex`` rebuilds it all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db import connection, transaction

from hearth.core.text import html_to_text
from hearth.forum.models import Post
from hearth.search.languages import language_of_categories
from hearth.search.models import SearchEntry

BATCH_SIZE = 500
SWEEP_SLICE = 20_000  # posts compared per housekeeping tick
SWEEP_CURSOR_KEY = "search:sweep-after"
_MARKERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # excerpt marks among them


def plain_text(html: str) -> str:
    return _MARKERS.sub(" ", html_to_text(html))


def index_posts(post_ids: Iterable[int]) -> int:
    """Write the posts' entries as the posts are now; returns how many were written."""
    wanted = list(dict.fromkeys(post_ids))
    written = 0
    for start in range(0, len(wanted), BATCH_SIZE):
        written += _index_batch(wanted[start : start + BATCH_SIZE])
    return written


def _index_batch(post_ids: list[int]) -> int:
    posts = list(
        Post.objects.filter(pk__in=post_ids, is_deleted=False)
        .select_related("thread")
        .only(
            "pk",
            "position",
            "author_id",
            "is_anonymous",
            "created_at",
            "body_html",
            "version",
            "thread__id",
            "thread__title",
            "thread__category_id",
        )
    )
    languages = language_of_categories({post.thread.category_id for post in posts})
    entries = [
        SearchEntry(
            post_id=post.pk,
            thread_id=post.thread_id,
            category_id=post.thread.category_id,
            public_author_id=None if post.is_anonymous else post.author_id,
            created_at=post.created_at,
            title=_MARKERS.sub(" ", post.thread.title) if post.position == 1 else "",
            body=plain_text(post.body_html),
            language=languages[post.thread.category_id],
            post_version=post.version,
        )
        for post in posts
    ]
    kept = {entry.post_id for entry in entries}
    with transaction.atomic():
        SearchEntry.objects.filter(pk__in=[pk for pk in post_ids if pk not in kept]).delete()
        SearchEntry.objects.bulk_create(
            entries,
            update_conflicts=True,
            unique_fields=["post"],
            update_fields=[
                "thread_id",
                "category_id",
                "public_author",
                "created_at",
                "title",
                "body",
                "language",
                "post_version",
            ],
        )
    return len(entries)


def index_thread(thread_id: int) -> int:
    """Every post of a thread (after it moved: its category, and perhaps language, changed)."""
    return index_posts(Post.objects.filter(thread_id=thread_id).values_list("pk", flat=True))


def index_category(category_id: int) -> int:
    """Every post of a category (after its search language changed)."""
    return index_posts(
        Post.objects.filter(thread__category_id=category_id).values_list("pk", flat=True)
    )


def stale_post_ids(after: int, up_to: int) -> list[int]:
    """Posts in (after, up_to] whose entry is missing, left over, or from another version."""
    post_table, entry_table = Post._meta.db_table, SearchEntry._meta.db_table
    sql = (
        f"SELECT p.id FROM {post_table} p LEFT JOIN {entry_table} e ON e.post_id = p.id "  # noqa: S608
        "WHERE p.id > %s AND p.id <= %s AND ("
        "(e.post_id IS NULL AND NOT p.is_deleted) OR "
        "(e.post_id IS NOT NULL AND (p.is_deleted OR e.post_version <> p.version)))"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, up_to])
        return [row[0] for row in cursor.fetchall()]


def refresh_stale_entries() -> int:
    """Housekeeping: compare the next slice of posts with their entries, re-index what
    differs, and move on (from the start again after the last post)."""
    after = int(cache.get(SWEEP_CURSOR_KEY) or 0)
    up_to = after + SWEEP_SLICE
    stale = stale_post_ids(after, up_to)
    last = Post.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    cache.set(SWEEP_CURSOR_KEY, 0 if up_to >= last else up_to, timeout=None)
    return index_posts(stale)


def reindex_everything(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild every entry from the posts, in id order; ``progress(done, total)`` after
    each batch. Entries of posts that no longer exist go with their posts (CASCADE)."""
    total = Post.objects.count()
    done = written = 0
    after = 0
    while True:
        ids = list(
            Post.objects.filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            break
        written += _index_batch(ids)
        done += len(ids)
        after = ids[-1]
        if progress is not None:
            progress(done, total)
    return written
