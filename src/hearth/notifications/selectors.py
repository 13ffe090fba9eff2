"""A member's notifications as their page shows them: visible now, grouped by thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

from hearth.forum.models import Category, CategoryFollowing, Thread, ThreadFollowing
from hearth.forum.viewer import Viewer
from hearth.forum.visibility import can_read_post, can_see_category, can_see_thread
from hearth.notifications.models import MODERATOR_KINDS, Notification
from hearth.notifications.wording import headline, reason_given

PAGE_SIZE = 50


@dataclass(frozen=True)
class NotificationItem:
    notification: Notification
    headline: str
    reason: str


@dataclass(frozen=True)
class NotificationGroup:
    thread: Thread | None  # None: not about a thread (the moderators, the queue)
    items: list[NotificationItem]


@dataclass(frozen=True)
class NotificationsPage:
    groups: list[NotificationGroup]
    next_cursor: str


def may_see(viewer: Viewer, notification: Notification) -> bool:
    """The visibility policy, asked again as the page is shown: a notification about a
    post (or thread) the member can no longer see is left out."""
    if notification.kind in MODERATOR_KINDS and not viewer.is_moderator:
        return False
    if notification.post is not None:
        return can_read_post(viewer, notification.post)
    if notification.thread is not None:
        return can_see_thread(viewer, notification.thread)
    return True


def parse_cursor(cursor: str) -> tuple[datetime, int]:
    """Raises ValueError for a cursor this page did not write."""
    moment, _sep, identifier = cursor.partition("~")
    parsed = parse_datetime(moment)
    if parsed is None or not identifier.isdigit():
        raise ValueError(cursor)
    return parsed, int(identifier)


def notifications_page(viewer: Viewer, cursor: str = "") -> NotificationsPage:
    if viewer.is_on_break:  # they wait, unseen, until the member is back (the API too)
        return NotificationsPage(groups=[], next_cursor="")
    found = Notification.objects.filter(recipient_id=viewer.member_id).select_related(
        "thread__category", "post__thread__category", "actor"
    )
    if cursor:
        moment, identifier = parse_cursor(cursor)
        found = found.filter(updated_at__lte=moment).exclude(updated_at=moment, pk__gte=identifier)
    rows = list(found.order_by("-updated_at", "-pk")[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    groups: dict[int | None, list[NotificationItem]] = {}
    threads: dict[int | None, Thread | None] = {}
    for notification in rows:
        if not may_see(viewer, notification):
            continue
        thread = notification.thread
        # The group names the thread: the line itself need not.
        item = NotificationItem(notification, headline(notification), reason_given(notification))
        key = thread.pk if thread is not None else None
        threads.setdefault(key, thread)
        groups.setdefault(key, []).append(item)
    last = rows[-1] if more and rows else None
    return NotificationsPage(
        groups=[
            NotificationGroup(thread=threads[key], items=items) for key, items in groups.items()
        ],
        next_cursor=f"{last.updated_at.isoformat()}~{last.pk}" if last else "",
    )


@dataclass(frozen=True)
class FollowedThread:
    thread: Thread
    level: str


@dataclass(frozen=True)
class FollowedCategory:
    category: Category
    level: str


def followed_threads(viewer: Viewer) -> list[FollowedThread]:
    """The threads the member chose a level for (muted ones too: this is where they come
    back from), newest choice first, that they may still see."""
    chosen = (
        ThreadFollowing.objects.filter(member_id=viewer.member_id)
        .select_related("thread__category")
        .order_by("-updated_at")[:500]
    )
    return [
        FollowedThread(each.thread, each.level)
        for each in chosen
        if can_see_thread(viewer, each.thread)
    ]


def followed_categories(viewer: Viewer) -> list[FollowedCategory]:
    chosen = (
        CategoryFollowing.objects.filter(member_id=viewer.member_id)
        .select_related("category")
        .order_by("category__position", "category__name")
    )
    return [
        FollowedCategory(each.category, each.level)
        for each in chosen
        if can_see_category(viewer, each.category)
    ]
