"""Reads for moderation pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import Http404

from hearth.accounts.models import User
from hearth.forum.models import Post, Thread
from hearth.forum.viewer import Viewer
from hearth.moderation.models import AuditEntry, ModeratorNotice, Sanction
from hearth.moderation.permissions import visible_queue_kinds
from hearth.safety.models import QueueItem, QueueKind, QueueStatus
from hearth.safety.selectors import rule_patterns

QUEUE_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    post: Post | None
    thread: Thread | None
    waited: timedelta
    target: timedelta | None
    rules: tuple[str, ...]

    @property
    def is_overdue(self) -> bool:
        return self.target is not None and self.waited > self.target


def _target_for(kind: str) -> timedelta | None:
    if kind == QueueKind.CHECK_IN:
        return timedelta(hours=settings.HEARTH_CHECK_IN_TARGET_HOURS)
    if kind in {QueueKind.REPORT, QueueKind.MEMBER_MESSAGE, QueueKind.HELD_POST}:
        return timedelta(hours=settings.HEARTH_REPORT_TARGET_HOURS)
    return None


def queue_items_for(viewer: Viewer, kind: str | None = None) -> QuerySet[QueueItem]:
    """Open items this moderator may handle, highest priority and longest waiting first."""
    items = QueueItem.objects.filter(status=QueueStatus.OPEN, kind__in=visible_queue_kinds(viewer))
    if not viewer.moderates_everything:
        items = items.filter(category_id__in=viewer.moderated_category_ids)
    if kind:
        items = items.filter(kind=kind)
    return items.select_related("reporter", "reported_member").order_by("-priority", "created_at")


def get_queue_rows(viewer: Viewer, kind: str | None, now: datetime) -> list[QueueRow]:
    items = list(queue_items_for(viewer, kind)[:QUEUE_PAGE_SIZE])
    posts = Post.objects.select_related("thread").in_bulk(
        [item.post_id for item in items if item.post_id]
    )
    threads = Thread.objects.in_bulk([item.thread_id for item in items if item.thread_id])
    patterns = rule_patterns({rule_id for item in items for rule_id in item.rule_ids})
    return [
        QueueRow(
            item=item,
            post=posts.get(item.post_id) if item.post_id else None,
            thread=threads.get(item.thread_id) if item.thread_id else None,
            waited=now - item.created_at,
            target=_target_for(item.kind),
            rules=tuple(patterns[rule_id] for rule_id in item.rule_ids if rule_id in patterns),
        )
        for item in items
    ]


def get_queue_item_or_404(item_id: int) -> QueueItem:
    item = QueueItem.objects.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def get_post_or_404(post_id: int) -> Post:
    post = Post.objects.select_related("thread__category", "author").filter(pk=post_id).first()
    if post is None:
        raise Http404
    return post


def get_thread_or_404(thread_id: int) -> Thread:
    thread = Thread.objects.select_related("category", "author").filter(pk=thread_id).first()
    if thread is None:
        raise Http404
    return thread


def get_member_or_404(username: str) -> User:
    member = User.objects.filter(username=username).first()
    if member is None:
        raise Http404
    return member


def open_items_for_post(post: Post) -> list[QueueItem]:
    return list(QueueItem.objects.filter(post_id=post.pk, status=QueueStatus.OPEN))


def audit_entries_for(
    viewer: Viewer, *, post: Post | None = None, member: User | None = None
) -> list[AuditEntry]:
    entries = audit_entries_visible_to(viewer)
    if post is not None:
        entries = entries.filter(
            Q(target_type="post", target_id=post.pk)
            | Q(target_type="thread", target_id=post.thread_id)
        )
    if member is not None:
        entries = entries.filter(target_type="member", target_id=member.pk)
    return list(entries[:AUDIT_PAGE_SIZE])


def audit_entries_visible_to(viewer: Viewer) -> QuerySet[AuditEntry]:
    """The audit entries a moderator may read: those about what they moderate. Entries
    about members and messages (no category) are for moderators of the whole community."""
    if viewer.moderates_everything:
        return AuditEntry.objects.all()
    if not viewer.is_moderator:
        return AuditEntry.objects.none()
    return AuditEntry.objects.filter(category_id__in=viewer.moderated_category_ids)


def audit_log(viewer: Viewer, before_id: int | None = None) -> list[AuditEntry]:
    entries = audit_entries_visible_to(viewer).order_by("-pk")
    if before_id:
        entries = entries.filter(pk__lt=before_id)
    return list(entries[:AUDIT_PAGE_SIZE])


def sanctions_for(member: User) -> list[Sanction]:
    return list(Sanction.objects.filter(member=member))


def notices_for(member: User) -> list[ModeratorNotice]:
    return list(ModeratorNotice.objects.filter(member=member)[:200])
