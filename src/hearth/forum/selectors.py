"""Reads that feed forum pages. Visibility is decided here and nowhere else."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404

from hearth.accounts.models import User
from hearth.core.http import SignInRequired
from hearth.forum.models import (
    Category,
    CategoryReadMark,
    Draft,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Thread,
    Visibility,
)
from hearth.forum.permissions import why_cannot_view_category, why_cannot_view_thread
from hearth.forum.viewer import Viewer

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 30
RECENT_THREADS_ON_HOME = 10
POST_FIELDS = (
    "thread_id", "position", "author_id", "author_name", "body_html", "created_at",
    "revision", "edited_at", "edited_by_name", "is_deleted",
    "hug_count", "heart_count", "thanks_count", "me_too_count",
    "author__username", "author__display_name", "author__avatar", "author__is_active",
)  # fmt: skip


# --- Visibility --------------------------------------------------------------


def visible_categories(viewer: Viewer) -> QuerySet[Category]:
    """The categories this viewer may read, in their display order."""
    if not viewer.is_member:
        return Category.objects.filter(visibility=Visibility.PUBLIC)
    if viewer.moderates_everything:
        return Category.objects.all()
    return Category.objects.filter(
        Q(visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS])
        | Q(pk__in=viewer.moderated_category_ids)
    )


def visible_threads(viewer: Viewer) -> QuerySet[Thread]:
    """The threads this viewer may read: the one funnel for lists, search and feeds."""
    if viewer.is_member and viewer.moderates_everything:
        return Thread.objects.all()
    if not viewer.is_member:
        return Thread.objects.filter(category__visibility=Visibility.PUBLIC)
    return Thread.objects.filter(
        Q(category__visibility__in=[Visibility.PUBLIC, Visibility.MEMBERS])
        | Q(category_id__in=viewer.moderated_category_ids)
    )


def _refuse(viewer: Viewer) -> Exception:
    return Http404() if viewer.is_member else SignInRequired()


def get_category_for_viewer_or_404(viewer: Viewer, slug: str) -> Category:
    category = Category.objects.filter(slug=slug).first()
    if category is None:
        raise _refuse(viewer)
    if why_cannot_view_category(viewer, category):
        raise _refuse(viewer)
    return category


def get_thread_for_viewer_or_404(viewer: Viewer, thread_id: int) -> Thread:
    thread = Thread.objects.select_related("category").filter(pk=thread_id).first()
    if thread is None or why_cannot_view_thread(viewer, thread):
        raise _refuse(viewer)
    return thread


def get_post_for_viewer_or_404(viewer: Viewer, post_id: int) -> Post:
    post = Post.objects.select_related("thread__category").filter(pk=post_id).first()
    if post is None or why_cannot_view_thread(viewer, post.thread):
        raise _refuse(viewer)
    return post


# --- Threads and their pages ---------------------------------------------------


def page_count(thread: Thread, *, newest_first: bool) -> int:
    if newest_first:
        return max(1, math.ceil((thread.last_position - 1) / POSTS_PER_PAGE))
    return max(1, math.ceil(thread.last_position / POSTS_PER_PAGE))


def page_of_position(thread: Thread, position: int, *, newest_first: bool) -> int:
    """The page a post appears on for a viewer's reply order (the original post: page 1)."""
    if position == 1:
        return 1
    if newest_first:
        return (thread.last_position - position) // POSTS_PER_PAGE + 1
    return (position - 1) // POSTS_PER_PAGE + 1


def _positions_filter(thread: Thread, page: int, *, newest_first: bool) -> Q:
    if not newest_first:
        first = (page - 1) * POSTS_PER_PAGE + 1
        return Q(position__range=(first, first + POSTS_PER_PAGE - 1))
    highest = thread.last_position - (page - 1) * POSTS_PER_PAGE
    lowest = max(2, highest - POSTS_PER_PAGE + 1)
    replies = Q(position__range=(lowest, highest))
    return Q(position=1) | replies if page == 1 else replies


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    posts: list[Post]
    page: int
    page_count: int
    newest_first: bool
    own_reactions: dict[int, frozenset[str]]
    read_position: int | None
    draft_body: str
    first_unread_position: int | None = field(default=None)

    @property
    def highest_position(self) -> int:
        return max((post.position for post in self.posts), default=0)


def get_thread_page(viewer: Viewer, thread: Thread, page: int, *, newest_first: bool) -> ThreadPage:
    """Load one page of a thread: posts with authors, the viewer's reactions, read marker, draft.

    One query per kind of data, whatever the page number or thread length.
    Raises Http404 for a page past the end.
    """
    pages = page_count(thread, newest_first=newest_first)
    if page < 1 or page > pages:
        raise Http404
    posts = list(
        Post.objects.filter(
            _positions_filter(thread, page, newest_first=newest_first), thread=thread
        )
        .select_related("author")
        .only(*POST_FIELDS)
        .order_by("-position" if newest_first else "position")
    )
    if newest_first and posts and posts[-1].position == 1:
        posts.insert(0, posts.pop())  # the original post stays first
    own_reactions: dict[int, frozenset[str]] = {}
    read_position: int | None = None
    draft_body = ""
    if viewer.member is not None:
        grouped: dict[int, set[str]] = {}
        for post_id, kind in Reaction.objects.filter(
            member=viewer.member, post__in=[post.pk for post in posts]
        ).values_list("post_id", "kind"):
            grouped.setdefault(post_id, set()).add(kind)
        own_reactions = {post_id: frozenset(kinds) for post_id, kinds in grouped.items()}
        read_position = (
            ReadState.objects.filter(member=viewer.member, thread=thread)
            .values_list("last_read_position", flat=True)
            .first()
        )
        draft_body = (
            Draft.objects.filter(member=viewer.member, thread=thread)
            .values_list("body", flat=True)
            .first()
            or ""
        )
    first_unread = None
    if read_position is not None and read_position < thread.last_position:
        first_unread = read_position + 1
    return ThreadPage(
        thread=thread, posts=posts, page=page, page_count=pages, newest_first=newest_first,
        own_reactions=own_reactions, read_position=read_position, draft_body=draft_body,
        first_unread_position=first_unread,
    )  # fmt: skip


def get_post_at_position(thread: Thread, position: int) -> Post | None:
    return Post.objects.filter(thread=thread, position=position).only("pk", "position").first()


def list_post_revisions(post: Post) -> list[PostRevision]:
    return list(post.revisions.order_by("number"))


def list_reactors(post: Post) -> dict[str, list[str]]:
    """Who reacted to a post, by kind: display names, oldest reaction first."""
    reactors: dict[str, list[str]] = {}
    for kind, name in (
        Reaction.objects.filter(post=post, member__is_active=True)
        .order_by("created_at")
        .values_list("kind", "member__display_name")
    ):
        reactors.setdefault(kind, []).append(name)
    return reactors


# --- Category and home lists -----------------------------------------------------


@dataclass(frozen=True)
class ThreadRow:
    thread: Thread
    is_unread: bool


@dataclass(frozen=True)
class Cursor:
    """Where a category page continues: keyset pagination, no OFFSET."""

    is_pinned: bool
    last_post_at: datetime
    thread_id: int

    def encode(self) -> str:
        return f"{int(self.is_pinned)}_{self.last_post_at.isoformat()}_{self.thread_id}"

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """Parse a cursor from a URL; raises ValueError for anything malformed."""
        pinned, moment, thread_id = value.split("_")
        if pinned not in {"0", "1"}:
            raise ValueError(value)
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError(value)
        return cls(is_pinned=pinned == "1", last_post_at=parsed, thread_id=int(thread_id))


@dataclass(frozen=True)
class CategoryPage:
    category: Category
    rows: list[ThreadRow]
    next_cursor: Cursor | None
    is_first_page: bool


def _unread_rows(viewer: Viewer, threads: list[Thread]) -> list[ThreadRow]:
    """Mark each thread read or unread for the viewer (two queries, whatever the count)."""
    if viewer.member is None:
        return [ThreadRow(thread, is_unread=False) for thread in threads]
    read_positions = dict(
        ReadState.objects.filter(
            member=viewer.member, thread__in=[thread.pk for thread in threads]
        ).values_list("thread_id", "last_read_position")
    )
    marks = dict(
        CategoryReadMark.objects.filter(
            member=viewer.member, category__in={thread.category_id for thread in threads}
        ).values_list("category_id", "marked_at")
    )
    rows = []
    for thread in threads:
        mark = marks.get(thread.category_id)
        if mark is not None and thread.last_post_at <= mark:
            is_unread = False
        else:
            is_unread = read_positions.get(thread.pk, 0) < thread.last_position
        rows.append(ThreadRow(thread, is_unread=is_unread))
    return rows


def get_category_page(viewer: Viewer, category: Category, after: Cursor | None) -> CategoryPage:
    threads = Thread.objects.filter(category=category).order_by(
        "-is_pinned", "-last_post_at", "-id"
    )
    if after is not None:
        threads = threads.filter(
            Q(is_pinned__lt=after.is_pinned)
            | Q(is_pinned=after.is_pinned, last_post_at__lt=after.last_post_at)
            | Q(is_pinned=after.is_pinned, last_post_at=after.last_post_at, pk__lt=after.thread_id)
        )
    page = list(threads[: THREADS_PER_PAGE + 1])
    next_cursor = None
    if len(page) > THREADS_PER_PAGE:
        page = page[:THREADS_PER_PAGE]
        last = page[-1]
        next_cursor = Cursor(last.is_pinned, last.last_post_at, last.pk)
    return CategoryPage(
        category=category,
        rows=_unread_rows(viewer, page),
        next_cursor=next_cursor,
        is_first_page=after is None,
    )


@dataclass(frozen=True)
class HomePage:
    categories: list[Category]
    recent: list[ThreadRow]


def get_home_page(viewer: Viewer) -> HomePage:
    categories = list(visible_categories(viewer))
    recent = list(
        visible_threads(viewer)
        .select_related("category")
        .only(
            "title", "author_name", "reply_count", "last_post_at", "last_poster_name",
            "last_position", "is_pinned", "is_locked", "category__name", "category__slug",
            "category_id",
        )
        .order_by("-last_post_at")[:RECENT_THREADS_ON_HOME]
    )  # fmt: skip
    return HomePage(categories=categories, recent=_unread_rows(viewer, recent))


# --- Small reads for composers and actions -----------------------------------------


def get_new_thread_draft(member: User, category: Category) -> Draft | None:
    return Draft.objects.filter(member=member, category=category, thread=None).first()


def get_reply_draft(member: User, thread: Thread) -> str:
    return (
        Draft.objects.filter(member=member, thread=thread).values_list("body", flat=True).first()
        or ""
    )


def get_first_unread_position(member: User, thread: Thread) -> int:
    read = (
        ReadState.objects.filter(member=member, thread=thread)
        .values_list("last_read_position", flat=True)
        .first()
    )
    return min((read or 0) + 1, thread.last_position)


def get_own_reactions(member: User, post: Post) -> frozenset[str]:
    return frozenset(
        Reaction.objects.filter(member=member, post=post).values_list("kind", flat=True)
    )


def author_display_name(post: Post) -> str:
    """The author's current display name, or the name they posted under if they left."""
    author = post.author
    if author is not None and author.is_active:
        return author.display_name
    return post.author_name
