"""Lists (categories, category pages, recent activity), as SQL: which categories and
threads a viewer may see in a list, and each thread's row with its read state, in one query.

The rules are those of the rest of the forum (``hearth.forum.permissions``):
a thread is listed when its category is readable by the viewer, it is not
held for a moderator (unless the viewer wrote it or moderates its category),
the viewer has not muted it, and none of its content notes is one the
viewer chose to hide. They are written here as SQL conditions because list
pages run them on every request, and building them with the ORM (subqueries,
exclusions, three more queries for read state and preferences) cost more
than twice what running them costs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from django.db import connections

from hearth.core.raw_rows import ModelColumns, Params, fetch_one, fetch_rows, read_alias
from hearth.forum.models import (
    Category,
    CategoryFollowing,
    CategoryReadMark,
    FollowLevel,
    ReadState,
    Thread,
    ThreadFollowing,
    Visibility,
)
from hearth.forum.viewer import Viewer
from hearth.safety.models import ContentNotePreference, NoteChoice

_THREAD_COLUMNS = ModelColumns(
    Thread,
    (
        "id", "category", "title", "author_name", "is_pinned", "is_locked", "last_position",
        "reply_count", "last_post_at", "last_poster_name",
    ),
    alias="t",
)  # fmt: skip
_THREAD_NOTES = Thread.content_notes.through._meta.db_table
_PREFERENCES = ContentNotePreference._meta.db_table
# The viewer's read position and "mark category read" moment, joined to each row.
_READ_STATE_JOINS = (
    f'LEFT JOIN "{ReadState._meta.db_table}" r ON r.thread_id = t.id '
    "AND r.member_id = %(reader)s "
    f'LEFT JOIN "{CategoryReadMark._meta.db_table}" m '
    "ON m.category_id = t.category_id AND m.member_id = %(reader)s "
)


_MARKED_AT = ModelColumns(CategoryReadMark, ("marked_at",), alias="m")
# Every column of a category, as ``c`` (also the thread page's query uses it).
CATEGORY_COLUMNS = ModelColumns.every(Category, alias="c")


@dataclass(slots=True, frozen=True)
class ThreadSummary:
    """A thread as a list shows it (attribute names are the model's)."""

    id: int
    category_id: int
    title: str
    author_name: str
    is_pinned: bool
    is_locked: bool
    last_position: int
    reply_count: int
    last_post_at: datetime
    last_poster_name: str
    category_slug: str
    category_name: str
    is_unread: bool

    @property
    def pk(self) -> int:
        return self.id


# ThreadSummary is built positionally from a row: its first fields must follow
# the columns' order (the model's own order, which ModelColumns keeps).
if [f.name for f in fields(ThreadSummary)][: len(_THREAD_COLUMNS)] != _THREAD_COLUMNS.attnames:
    raise RuntimeError("ThreadSummary's fields are out of step with its query's columns")


def _in(name: str, values: Iterable[Any]) -> tuple[str, dict[str, Any]]:
    """``IN (...)`` for a list of values, as parameters ``name_0``, ``name_1``, ...; an
    empty list matches nothing."""
    values = list(values)
    if not values:
        return "IN (NULL)", {}
    names = [f"{name}_{index}" for index in range(len(values))]
    return (
        f"IN ({', '.join(f'%({each})s' for each in names)})",
        dict(zip(names, values, strict=True)),
    )


def readable_categories_where(viewer: Viewer, alias: str = "c") -> tuple[str, dict[str, Any]]:
    """SQL conditions on ``alias`` (a category) for the categories this viewer may read
    (``hearth.forum.visibility.category_filter``, written as SQL)."""
    if viewer.is_paused:
        return "1 = 0", {}
    public = {"public": Visibility.PUBLIC}
    if not viewer.is_member:
        return f"{alias}.visibility = %(public)s", public
    if viewer.moderates_everything:
        return "1 = 1", {}
    moderated, moderated_ids = _in("moderated", sorted(viewer.moderated_category_ids))
    return (
        f"({alias}.visibility IN (%(public)s, %(members)s) OR {alias}.id {moderated})",
        {**public, "members": Visibility.MEMBERS, **moderated_ids},
    )


def home_categories(viewer: Viewer) -> tuple[list[Category], frozenset[int]]:
    """The categories this viewer may read, in their display order, and which of their
    latest threads the viewer would see in a list (one query)."""
    readable, readable_params = readable_categories_where(viewer)
    # The latest thread's own category is ``tc``: a moved thread's may differ.
    listed, listed_params = listed_where(viewer, category_alias="tc")
    rows, using = fetch_rows(
        Category,
        f"SELECT {CATEGORY_COLUMNS.sql}, EXISTS ("  # noqa: S608 - from our models
        f'SELECT 1 FROM "{Thread._meta.db_table}" t '
        f'JOIN "{Category._meta.db_table}" tc ON tc.id = t.category_id '
        f"WHERE t.id = c.last_thread_id AND {listed}) "
        f'FROM "{Category._meta.db_table}" c '
        f"WHERE {readable} ORDER BY c.position, c.name",
        {**listed_params, **readable_params},
    )
    categories = [CATEGORY_COLUMNS.instance(row, using=using) for row in rows]
    listed_last = frozenset(
        category.last_thread_id
        for category, row in zip(categories, rows, strict=True)
        if row[-1] and category.last_thread_id is not None
    )
    return categories, listed_last


def category_by_slug(slug: str, *, follower_id: int | None = None) -> Category | None:
    """The category with this slug, whoever may read it (one query); with ``follower_id``
    also that member's own follow level for it, as ``viewer_follow_level``."""
    if follower_id is None:
        row, using = fetch_one(
            Category,
            f'SELECT {CATEGORY_COLUMNS.sql} FROM "{Category._meta.db_table}" c '  # noqa: S608
            "WHERE c.slug = %(slug)s",
            {"slug": slug},
        )
        return CATEGORY_COLUMNS.instance(row, using=using) if row else None
    row, using = fetch_one(
        Category,
        f"SELECT {CATEGORY_COLUMNS.sql}, "  # noqa: S608 - our own tables
        f'(SELECT level FROM "{CategoryFollowing._meta.db_table}" f '
        "WHERE f.member_id = %(member)s AND f.category_id = c.id) "
        f'FROM "{Category._meta.db_table}" c WHERE c.slug = %(slug)s',
        {"slug": slug, "member": follower_id},
    )
    if row is None:
        return None
    category: Category = CATEGORY_COLUMNS.instance(row, using=using)
    category.__dict__["viewer_follow_level"] = row[len(CATEGORY_COLUMNS)] or ""
    return category


def listed_where(viewer: Viewer, category_alias: str = "c") -> tuple[str, dict[str, Any]]:
    """SQL conditions on ``t`` (a thread) and ``category_alias`` (its category) for the
    threads this viewer may see in a list, with their parameters."""
    readable, params = readable_categories_where(viewer, alias=category_alias)
    conditions = [readable]
    if not viewer.is_member:
        conditions.append("t.is_held = %(not_held)s")
        params["not_held"] = False
    elif not viewer.moderates_everything:
        moderated, moderated_ids = _in("moderated", sorted(viewer.moderated_category_ids))
        conditions.append(
            f"(t.is_held = %(not_held)s OR t.author_id = %(viewer)s OR t.category_id {moderated})"
        )
        params |= {"not_held": False, "viewer": viewer.member_id, **moderated_ids}
    if viewer.member_id is not None:
        conditions.append(
            f'NOT EXISTS (SELECT 1 FROM "{ThreadFollowing._meta.db_table}" tm '  # noqa: S608 - ours
            "WHERE tm.thread_id = t.id AND tm.member_id = %(viewer)s AND tm.level = %(muted)s)"
        )
        conditions.append(
            f'NOT EXISTS (SELECT 1 FROM "{_THREAD_NOTES}" n '  # noqa: S608 - our own tables
            f'JOIN "{_PREFERENCES}" p ON p.label_id = n.contentnotelabel_id '
            "WHERE n.thread_id = t.id AND p.member_id = %(viewer)s AND p.choice = %(hide)s)"
        )
        params |= {"viewer": viewer.member_id, "hide": NoteChoice.HIDE, "muted": FollowLevel.MUTED}
    return " AND ".join(conditions), params


def _summaries(
    viewer: Viewer,
    where: str,
    params: Params,
    order_and_limit: str,
    *,
    category_join: str = "c.id = t.category_id",
) -> list[ThreadSummary]:
    listed, listed_params = listed_where(viewer)
    member = viewer.member_id
    sql = (
        f"SELECT {_THREAD_COLUMNS.sql}, c.slug, c.name, "
        + ("r.last_read_position, m.marked_at " if member is not None else "NULL, NULL ")
        + f'FROM "{Thread._meta.db_table}" t JOIN "{Category._meta.db_table}" c '
        f"ON {category_join} "
        + (_READ_STATE_JOINS if member is not None else "")
        + f"WHERE {where} AND {listed} {order_and_limit}"
    )
    rows, using = fetch_rows(Thread, sql, {"reader": member, **params, **listed_params})
    width = len(_THREAD_COLUMNS)
    marks = _MARKED_AT.values_of(rows, start=width + 3, using=using)
    summaries = []
    threads = _THREAD_COLUMNS.values_of(rows, using=using)
    for row, values, (mark,) in zip(rows, threads, marks, strict=True):
        slug, name, read_position = row[width : width + 3]
        last_post_at, last_position = values[8], values[6]
        if member is None or (mark is not None and last_post_at <= mark):
            is_unread = False
        else:
            is_unread = (read_position or 0) < last_position
        summaries.append(ThreadSummary(*[*values, slug, name, is_unread]))
    return summaries


def category_listing(
    viewer: Viewer, category_id: int, after: tuple[bool, datetime, int] | None, limit: int
) -> list[ThreadSummary]:
    """A category's listed threads, pinned first, then by last activity (keyset pages)."""
    where, params = "t.category_id = %(category)s", dict[str, Any](category=category_id)
    if after is not None:
        pinned, moment, thread_id = after
        operations = connections[read_alias(Thread)].ops
        where += (
            " AND (t.is_pinned < %(pinned)s OR (t.is_pinned = %(pinned)s AND t.last_post_at < "
            "%(moment)s) OR (t.is_pinned = %(pinned)s AND t.last_post_at = %(moment)s "
            "AND t.id < %(after_thread)s))"
        )
        params |= {
            "pinned": pinned,
            "moment": operations.adapt_datetimefield_value(moment),
            "after_thread": thread_id,
        }
    return _summaries(
        viewer,
        where,
        params,
        f"ORDER BY t.is_pinned DESC, t.last_post_at DESC, t.id DESC LIMIT {int(limit)}",
    )


def recent_listing(viewer: Viewer, limit: int) -> list[ThreadSummary]:
    """The most recently active listed threads, in every category the viewer may read.

    The join says ``+t.category_id``: without it SQLite starts from the few categories
    and reads every thread of each through the category index, then sorts them all
    (300 ms at 100,000 threads, ``make bench SCALE=large``); an expression on that side
    leaves it the one good plan, walking ``thread_recent_activity`` from the newest and
    stopping at ``limit`` (under 1 ms). PostgreSQL reads it the same way either way.
    """
    return _summaries(
        viewer,
        "1 = 1",
        {},
        f"ORDER BY t.last_post_at DESC, t.id DESC LIMIT {int(limit)}",
        category_join="c.id = +t.category_id",
    )


def newest_thread_ids(viewer: Viewer, *, category_id: int | None, limit: int) -> list[int]:
    """The ids of the newest threads (by when they were started) the viewer may see in a
    list, in one category or in every one they may read: the feeds' candidates (one
    query, walking ``thread_newest`` or ``thread_category_newest`` from the top).

    ``+t.category_id`` for the same reason as in ``recent_listing``: SQLite would
    otherwise read every thread of every category and sort them (0.9 s at 100,000
    threads).
    """
    listed, params = listed_where(viewer)
    where = listed
    if category_id is not None:
        where += " AND t.category_id = %(category)s"
        params = {**params, "category": category_id}
    rows, _using = fetch_rows(
        Thread,
        f'SELECT t.id FROM "{Thread._meta.db_table}" t '  # noqa: S608 - our own tables
        f'JOIN "{Category._meta.db_table}" c ON c.id = +t.category_id '
        f"WHERE {where} ORDER BY t.created_at DESC, t.id DESC LIMIT {int(limit)}",
        params,
    )
    return [row[0] for row in rows]
