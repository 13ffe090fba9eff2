"""The forum's denormalised counters and "last post" columns, and the one rule behind them.

A post **counts** when it is published: not held for a moderator and not
deleted (a post a moderator hid still counts: it keeps its place, marked).
A thread counts in its category when its original post is not held.

The hot paths (a new reply, a new thread) add to the counters with ``F()`` in
their own transaction, which is the same rule applied to one new row. Every
rarer change -- approving a held post, deleting, moving a thread -- calls
``synchronise_thread``, which works the counters out again from the posts, so
they can never drift (a property test in ``tests/test_counters.py`` runs random
sequences of changes and compares every counter with a count from scratch).
"""

from __future__ import annotations

from django.db.models import Q

from hearth.forum.models import Category, Post, Thread

COUNTED_POST = Q(is_held=False, is_deleted=False)
COUNTED_THREAD = Q(is_held=False)


def post_counts(post: Post) -> bool:
    """Whether the post counts in its thread's and category's numbers (see the module)."""
    return not post.is_held and not post.is_deleted


def synchronise_thread(thread_id: int) -> None:
    """Work out a thread's reply count and last post again, then its category's numbers.

    Call inside the transaction that changed the posts, after the change.
    """
    thread = Thread.objects.only("category_id", "created_at", "author_name").get(pk=thread_id)
    posts = Post.objects.filter(COUNTED_POST, thread_id=thread_id)
    latest = (
        posts.order_by("-position").only("pk", "created_at", "author_name").first()
        or Post.objects.filter(thread_id=thread_id, position=1)
        .only("pk", "created_at", "author_name")
        .first()
    )
    Thread.objects.filter(pk=thread_id).update(
        reply_count=posts.filter(position__gt=1).count(),
        last_post_at=latest.created_at if latest else thread.created_at,
        last_post_id=latest.pk if latest else None,
        last_poster_name=latest.author_name if latest else thread.author_name,
    )
    synchronise_category(thread.category_id)


def synchronise_category(category_id: int) -> None:
    """Work out a category's thread and post counts and its latest thread again."""
    threads = Thread.objects.filter(COUNTED_THREAD, category_id=category_id)
    latest = (
        threads.order_by("-last_post_at", "-pk")
        .only("pk", "title", "last_post_at", "last_poster_name")
        .first()
    )
    Category.objects.filter(pk=category_id).update(
        thread_count=threads.count(),
        post_count=Post.objects.filter(
            COUNTED_POST, thread__category_id=category_id, thread__is_held=False
        ).count(),
        last_post_at=latest.last_post_at if latest else None,
        last_thread_id=latest.pk if latest else None,
        last_thread_title=latest.title if latest else "",
        last_poster_name=latest.last_poster_name if latest else "",
    )
