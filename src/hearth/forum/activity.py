"""Reads for a member's own pages: the threads they started, their posts, the posts they saved.

These pages are private to the member (``/me/...``) and show only what is theirs:
their threads and posts -- anonymous ones included, marked so, since only they
see these pages -- and their bookmarks. Every list starts from the visibility
policy's list filter (``thread_filter``, ``post_filter``), so a thread moved to
a category the member can no longer read, a deleted post, or a saved post that
a moderator hid since leave the lists, and come back if the member may read
them again.

Each page is one query whatever its length (keyset pages, no OFFSET), and one
more for the content-note labels' names when a row carries labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Substr

from hearth.core.text import html_to_text
from hearth.forum.models import Bookmark, Post, Thread
from hearth.forum.viewer import Viewer
from hearth.forum.visibility import post_filter, thread_filter
from hearth.safety.selectors import labels_with_choices

MY_THREADS_PER_PAGE = 30
MY_POSTS_PER_PAGE = 20
SAVED_POSTS_PER_PAGE = 20
EXCERPT_LENGTH = 200
# How much of a post's stored HTML an excerpt reads: plenty for EXCERPT_LENGTH
# characters of text under ordinary markup, without loading a whole long post.
EXCERPT_SOURCE_LENGTH = 3000


@dataclass(frozen=True)
class PageCursor:
    """Where a newest-first list continues: the last row's moment and id (keyset pages)."""

    moment: datetime
    row_id: int

    def encode(self) -> str:
        return f"{self.moment.isoformat()}_{self.row_id}"

    @classmethod
    def decode(cls, value: str) -> PageCursor:
        """Parse a cursor from a URL; raises ValueError for anything malformed."""
        moment, row_id = value.rsplit("_", 1)
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None or not row_id.isdigit():
            raise ValueError(value)
        return cls(moment=parsed, row_id=int(row_id))


@dataclass(frozen=True)
class ActivityPage[Row]:
    rows: list[Row]
    next_cursor: PageCursor | None
    is_first_page: bool


@dataclass(frozen=True, slots=True)
class MyThread:
    """A thread the member started, as their list shows it."""

    id: int
    title: str
    category_name: str
    category_slug: str
    reply_count: int
    last_post_at: datetime
    last_poster_name: str
    is_held: bool
    is_locked: bool
    is_anonymous: bool  # started under the thread's pseudonym


@dataclass(frozen=True, slots=True)
class PostSummary:
    """A post in one of the member's lists: where it is, a plain-text excerpt, its state."""

    id: int
    thread_id: int
    thread_title: str
    created_at: datetime
    author_name: str  # the name the post shows (a pseudonym for an anonymous post)
    is_own: bool
    is_anonymous: bool
    is_held: bool
    is_hidden: bool
    excerpt: str
    content_note: str  # "" without one; the excerpt is then folded behind it


@dataclass(frozen=True, slots=True)
class SavedPost:
    """A bookmark with the saved post, as the member's saved list shows it."""

    bookmark_id: int
    note: str
    saved_at: datetime
    post: PostSummary


def excerpt_of(html: str, *, cut: bool) -> str:
    """A short plain-text excerpt of a post's stored HTML, on one line. ``cut`` says the
    HTML was read only in part: a tag cut in the middle is left out."""
    if cut:
        html = html[: html.rfind(">") + 1]
    text = " ".join(html_to_text(html).split())
    if len(text) <= EXCERPT_LENGTH:
        return text
    return f"{text[: EXCERPT_LENGTH - 1].rstrip()}\N{HORIZONTAL ELLIPSIS}"


def _keyset(after: PageCursor | None, moment: str) -> Q:
    """Rows after the cursor in newest-first order (the id breaks ties)."""
    if after is None:
        return Q()
    return Q(**{f"{moment}__lt": after.moment}) | Q(
        **{moment: after.moment, "id__lt": after.row_id}
    )


def _page[Row](
    rows: list[Row], per_page: int, after: PageCursor | None, cursor_of: Callable[[Row], PageCursor]
) -> ActivityPage[Row]:
    """One page of rows read one past ``per_page``: that extra row says another page follows."""
    next_cursor = None
    if len(rows) > per_page:
        rows = rows[:per_page]
        next_cursor = cursor_of(rows[-1])
    return ActivityPage(rows=rows, next_cursor=next_cursor, is_first_page=after is None)


def _note_labels(viewer: Viewer, rows: list[dict[str, Any]], prefix: str) -> dict[int, str]:
    """The labels' names, when a row needs them (one query)."""
    if not any(row[f"{prefix}note_label_ids"] for row in rows):
        return {}
    return labels_with_choices(viewer.member).names


def _content_note(row: dict[str, Any], prefix: str, names: dict[int, str]) -> str:
    labels = [names[label] for label in row[f"{prefix}note_label_ids"] if label in names]
    text = row[f"{prefix}content_note_text"]
    return "; ".join(part for part in (", ".join(labels), text) if part)


def _post_summary(
    row: dict[str, Any], prefix: str, member_id: int, names: dict[int, str]
) -> PostSummary:
    shows_identity = not row[f"{prefix}is_anonymous"] and bool(row["author_is_active"])
    html = row["html_start"] or ""
    return PostSummary(
        id=row[f"{prefix}id"],
        thread_id=row[f"{prefix}thread_id"],
        thread_title=row[f"{prefix}thread__title"],
        created_at=row[f"{prefix}created_at"],
        author_name=(row["author_display_name"] or "")
        if shows_identity
        else row[f"{prefix}author_name"],
        is_own=row[f"{prefix}author_id"] == member_id,
        is_anonymous=row[f"{prefix}is_anonymous"],
        is_held=row[f"{prefix}is_held"],
        is_hidden=row[f"{prefix}is_hidden"],
        excerpt=excerpt_of(html, cut=len(html) >= EXCERPT_SOURCE_LENGTH),
        content_note=_content_note(row, prefix, names),
    )


def _post_fields(prefix: str) -> list[str]:
    """The post's facts a summary reads (``prefix`` leads from the queried model to the
    post)."""
    names = (
        "id", "thread_id", "thread__title", "created_at", "author_id", "author_name",
        "is_anonymous", "is_held", "is_hidden", "content_note_text", "note_label_ids",
    )  # fmt: skip
    return [f"{prefix}{name}" for name in names]


def _post_expressions(prefix: str) -> dict[str, Any]:
    """The rest a summary reads: the start of the stored HTML, and the author's account
    (None once it is gone: the post then shows the name it was posted under)."""
    return {
        "html_start": Substr(f"{prefix}body_html", 1, EXCERPT_SOURCE_LENGTH),
        "author_is_active": F(f"{prefix}author__is_active"),
        "author_display_name": F(f"{prefix}author__display_name"),
    }


def list_my_threads(viewer: Viewer, after: PageCursor | None) -> ActivityPage[MyThread]:
    """The threads the member started that they may still see, newest activity first."""
    if viewer.member_id is None:
        return ActivityPage(rows=[], next_cursor=None, is_first_page=True)
    started_anonymously = Post.objects.filter(thread=OuterRef("pk"), position=1, is_anonymous=True)
    rows = (
        Thread.objects.filter(thread_filter(viewer), _keyset(after, "last_post_at"))
        .filter(author_id=viewer.member_id)
        .annotate(started_anonymously=Exists(started_anonymously))
        .order_by("-last_post_at", "-id")
        .values_list(
            "id", "title", "category__name", "category__slug", "reply_count", "last_post_at",
            "last_poster_name", "is_held", "is_locked", "started_anonymously",
        )[: MY_THREADS_PER_PAGE + 1]
    )  # fmt: skip
    threads = [MyThread(*row) for row in rows]
    return _page(
        threads, MY_THREADS_PER_PAGE, after, lambda row: PageCursor(row.last_post_at, row.id)
    )


def list_my_posts(viewer: Viewer, after: PageCursor | None) -> ActivityPage[PostSummary]:
    """The member's posts that they may still read (not deleted, in threads and
    categories they may see), newest first, each with a plain-text excerpt."""
    member_id = viewer.member_id
    if member_id is None:
        return ActivityPage(rows=[], next_cursor=None, is_first_page=True)
    rows = list(
        Post.objects.filter(post_filter(viewer), _keyset(after, "created_at"))
        .filter(author_id=member_id)
        .order_by("-created_at", "-id")
        .values(*_post_fields(""), **_post_expressions(""))[: MY_POSTS_PER_PAGE + 1]
    )
    names = _note_labels(viewer, rows, "")
    posts = [_post_summary(row, "", member_id, names) for row in rows]
    return _page(posts, MY_POSTS_PER_PAGE, after, lambda row: PageCursor(row.created_at, row.id))


def list_saved_posts(viewer: Viewer, after: PageCursor | None) -> ActivityPage[SavedPost]:
    """The member's saved posts that they may read now, most recently saved first, each
    with its note. A post hidden since, deleted, or in a category the member has lost
    access to is left out (its bookmark is kept, and shows again if access returns)."""
    member_id = viewer.member_id
    if member_id is None:
        return ActivityPage(rows=[], next_cursor=None, is_first_page=True)
    readable = Post.objects.filter(post_filter(viewer), pk=OuterRef("post_id"))
    rows = list(
        Bookmark.objects.filter(_keyset(after, "created_at"), member_id=member_id)
        .filter(Exists(readable))
        .order_by("-created_at", "-id")
        .values("id", "note", "created_at", *_post_fields("post__"), **_post_expressions("post__"))[
            : SAVED_POSTS_PER_PAGE + 1
        ]
    )
    names = _note_labels(viewer, rows, "post__")
    saved = [
        SavedPost(
            bookmark_id=row["id"],
            note=row["note"],
            saved_at=row["created_at"],
            post=_post_summary(row, "post__", member_id, names),
        )
        for row in rows
    ]
    return _page(
        saved, SAVED_POSTS_PER_PAGE, after, lambda row: PageCursor(row.saved_at, row.bookmark_id)
    )
