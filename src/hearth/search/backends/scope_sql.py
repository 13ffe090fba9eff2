"""The structural filters as SQL on the index entry (alias ``e``), for both backends."""

from __future__ import annotations

from typing import Any

from django.db import connection

from hearth.forum.models import FollowLevel, Post, ThreadFollowing
from hearth.search.backends import Scope
from hearth.search.models import SearchEntry


def _placeholders(values: tuple[int, ...]) -> str:
    return ", ".join(["%s"] * len(values))


def scope_conditions(scope: Scope) -> tuple[list[str], list[Any]]:
    """``WHERE`` conditions and their parameters (none without filters); the caller ANDs
    them."""
    conditions: list[str] = []
    parameters: list[Any] = []
    if scope.category_ids is not None:
        conditions.append(f"e.category_id IN ({_placeholders(scope.category_ids)})")
        parameters.extend(scope.category_ids)
    if scope.thread_id is not None:
        conditions.append("e.thread_id = %s")
        parameters.append(scope.thread_id)
    if scope.author_ids:
        conditions.append(f"e.public_author_id IN ({_placeholders(scope.author_ids)})")
        parameters.extend(scope.author_ids)
    if scope.own_posts_of is not None:
        conditions.append(
            f"e.post_id IN (SELECT id FROM {Post._meta.db_table} WHERE author_id = %s)"
        )
        parameters.append(scope.own_posts_of)
    if scope.followed_by is not None:
        conditions.append(
            f"e.thread_id IN (SELECT thread_id FROM {ThreadFollowing._meta.db_table} "
            "WHERE member_id = %s AND level IN (%s, %s))"
        )
        parameters.extend([scope.followed_by, FollowLevel.WATCHING, FollowLevel.TRACKING])
    if scope.created_from is not None:
        conditions.append("e.created_at >= %s")
        parameters.append(connection.ops.adapt_datetimefield_value(scope.created_from))
    if scope.created_before is not None:
        conditions.append("e.created_at < %s")
        parameters.append(connection.ops.adapt_datetimefield_value(scope.created_before))
    return conditions, parameters


def newest_entries(scope: Scope, *, after_post_id: int | None, limit: int) -> list[int]:
    """Entries in the scope, newest first, without words to match (a filter-only search)."""
    conditions, parameters = scope_conditions(scope)
    if after_post_id is not None:
        conditions.append("e.post_id < %s")
        parameters.append(after_post_id)
    where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
    sql = (
        f"SELECT e.post_id FROM {SearchEntry._meta.db_table} e {where}"
        "ORDER BY e.post_id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*parameters, limit])
        return [row[0] for row in cursor.fetchall()]
