"""The version tokens a visitor's forum page is shared under (``hearth.core.page_cache``),
and what renews them.

* a **thread page** depends on its thread: every event about a post in it (published,
  edited, hidden, restored, rejected, deleted, a reaction, a content note), and the
  thread being moved, locked or pinned, renews ``pages:thread:<id>``;
* the **home and category pages** list threads with their last post and counts: any
  of those events anywhere renews ``pages:forum-activity`` (simpler than a token per
  category, and the thread pages, read far more, keep theirs);
* every page depends on the site's token (``page_cache.SITE_VERSION``): a category or
  content-note label saved or deleted, a member's public name or avatar changed
  (``accounts.models``), or a member's posts removed on leaving (``forum.departure``)
  renews it, and with it every stored page.

The tokens are renewed inside the transaction that makes the change and again after it
commits (``hearth.core.versioned_cache``), so no visitor is served a post after it was
hidden.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from hearth.core import page_cache
from hearth.core.events import subscribe_in_transaction
from hearth.forum.events import PostEvent, ThreadLocked, ThreadMoved, ThreadPinned
from hearth.forum.models import Category
from hearth.safety.models import ContentNoteLabel

ACTIVITY_VERSION = "pages:forum-activity"


def thread_page_tokens(*, thread_id: int, **_: Any) -> list[str]:
    return [_thread_token(thread_id)]


def listing_tokens(**_: Any) -> list[str]:
    return [ACTIVITY_VERSION]


def _thread_token(thread_id: int) -> str:
    return f"pages:thread:{thread_id}"


def _thread_changed(event: PostEvent | ThreadMoved | ThreadLocked | ThreadPinned) -> None:
    page_cache.renew_tokens([_thread_token(event.thread_id), ACTIVITY_VERSION])


def _site_changed(sender: Any, **kwargs: Any) -> None:
    page_cache.site_changed()


def renew_on_changes() -> None:
    """Subscribe to what changes a visitor's pages (from ``ForumConfig.ready``)."""
    for event_type in (PostEvent, ThreadMoved, ThreadLocked, ThreadPinned):
        subscribe_in_transaction(event_type, _thread_changed)
    for model in (Category, ContentNoteLabel):
        post_save.connect(_site_changed, sender=model, dispatch_uid=f"pages-{model.__name__}")
        post_delete.connect(
            _site_changed, sender=model, dispatch_uid=f"pages-{model.__name__}-gone"
        )
