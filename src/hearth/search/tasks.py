"""Background tasks that keep the search index (enqueued with the forum's events)."""

from __future__ import annotations

from hearth.core.tasks import background_task
from hearth.search import indexing


@background_task()
def index_post(*, post_id: int, **_event: object) -> None:
    indexing.index_posts([post_id])


@background_task()
def index_thread(*, thread_id: int, **_event: object) -> None:
    indexing.index_thread(thread_id)


@background_task()
def index_category(*, category_id: int) -> None:
    indexing.index_category(category_id)
