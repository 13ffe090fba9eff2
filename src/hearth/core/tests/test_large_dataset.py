"""The large benchmark data set (bench/large_dataset.py) builds, and its check can fail.

A tiny build on the test database (SQLite or PostgreSQL, whichever the pass uses):
its counters and positions must be what the services produce, and the check must
catch each kind of drift, so it cannot rot into a check that passes anything.
"""

from collections.abc import Callable

import pytest
from bench.large_dataset import TINY, CountersDiffer, LargeDataset, build_large, check_counters
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F

from hearth.forum.models import Category, Post, Thread
from hearth.forum.selectors import Cursor


def _quietly(text: str) -> None:
    """The builder's progress lines: not wanted in the test's output."""


def _build() -> LargeDataset:
    database = "postgres" if connection.vendor == "postgresql" else "sqlite"
    return build_large(TINY, cache_dir=None, database=database, say=_quietly)


class _Undo(Exception):  # noqa: N818 - a rollback signal, not an error
    pass


def _check_after(corrupt: Callable[[], object]) -> str:
    """Corrupt the data set, run the check, undo; return the check's complaint."""
    try:
        with transaction.atomic():
            corrupt()
            with pytest.raises(CountersDiffer) as raised:
                check_counters(say=_quietly)
            raise _Undo
    except _Undo:
        pass
    return str(raised.value)


@pytest.mark.django_db
def test_a_tiny_large_data_set_has_the_counters_the_services_make_and_the_check_bites() -> None:
    dataset = _build()  # runs check_counters itself: it would raise CountersDiffer

    assert dataset.posts == TINY.posts
    assert dataset.threads == TINY.threads
    assert dataset.categories == 20
    big = Thread.objects.get(pk=dataset.big_thread_id)
    assert big.reply_count == dataset.big_thread_replies > 400
    assert Thread.objects.get(pk=dataset.medium_thread_id).reply_count == TINY.medium_replies
    assert Category.objects.filter(slug=dataset.deep_category_slug).exists()
    Cursor.decode(dataset.deep_page_cursor)  # what the category page reads back
    assert len(dataset.mixed_members) == len(set(dataset.mixed_members)) == 200
    assert dataset.anonymous_threads > 0
    assert dataset.content_noted_posts > 0
    assert dataset.reactions > 0
    # By name: nothing outside the toolkit imports it (between_sessions/tests/test_must_not.py).
    journal_entries = apps.get_model("between_sessions", "JournalEntry").objects
    entry = journal_entries.first()  # encrypted with the toolkit key, and readable
    assert entry is not None
    assert entry.feelings

    some_reply = Post.objects.filter(
        thread_id=dataset.big_thread_id, position=2, is_deleted=False
    ).first() or Post.objects.get(thread_id=dataset.big_thread_id, position=3)
    complaints = {
        "reply count": _check_after(
            lambda: Thread.objects.filter(pk=dataset.big_thread_id).update(
                reply_count=F("reply_count") + 1
            )
        ),
        "last post": _check_after(
            lambda: Thread.objects.filter(pk=dataset.medium_thread_id).update(last_post_id=None)
        ),
        "position": _check_after(
            lambda: Post.objects.filter(
                thread_id=dataset.big_thread_id, position=big.last_position
            ).update(position=big.last_position + 5)
        ),
        "category": _check_after(
            lambda: Category.objects.filter(slug=dataset.deep_category_slug).update(
                post_count=F("post_count") - 1
            )
        ),
        "reactions": _check_after(
            lambda: Post.objects.filter(pk=some_reply.pk).update_reaction_counts(
                hug_count=F("hug_count") + 1
            )
        ),
    }

    assert f"thread {dataset.big_thread_id}: reply_count" in complaints["reply count"]
    assert f"thread {dataset.medium_thread_id}: last_post_id None" in complaints["last post"]
    assert f"thread {dataset.big_thread_id}: last_position" in complaints["position"]
    assert "synchronise_category says" in complaints["category"]
    assert f"post {some_reply.pk}: hug_count" in complaints["reactions"]
    check_counters(say=_quietly)  # and undone, it passes again
