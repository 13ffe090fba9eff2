"""Reads for moderation pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet, TextChoices
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import User
from hearth.forum.models import Post, Thread
from hearth.forum.viewer import Viewer
from hearth.forum.visibility import can_read_post
from hearth.moderation.models import AuditEntry, ModeratorNotice, Sanction
from hearth.moderation.permissions import visible_queue_kinds
from hearth.safety.models import ContentNoteLabel, QueueItem, QueueKind, QueueStatus
from hearth.safety.seeded_text import in_readers_language
from hearth.safety.selectors import RuleSummary, rule_summaries
from hearth.safety.services import (
    PRIORITY_ASKED,
    PRIORITY_CHECK_IN,
    PRIORITY_MESSAGE,
    PRIORITY_METHOD,
    PRIORITY_REPORT,
    PRIORITY_WORRIED,
)

QUEUE_PAGE_SIZE = 50
AUDIT_PAGE_SIZE = 100


class Urgency(TextChoices):
    """How urgent a queue item is, in words: the queue's legend explains each."""

    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


# The priorities safety.services gives items, read as urgency: a check-in the writer
# asked for or one that matched a method rule is urgent; other check-ins and "I'm
# worried" reports high; other reports and messages normal; held posts low.
_URGENT_FROM = min(PRIORITY_METHOD, PRIORITY_CHECK_IN + PRIORITY_ASKED)
_HIGH_FROM = min(PRIORITY_CHECK_IN, PRIORITY_WORRIED)
_NORMAL_FROM = min(PRIORITY_REPORT, PRIORITY_MESSAGE)


def urgency_of(priority: int) -> Urgency:
    if priority >= _URGENT_FROM:
        return Urgency.URGENT
    if priority >= _HIGH_FROM:
        return Urgency.HIGH
    if priority >= _NORMAL_FROM:
        return Urgency.NORMAL
    return Urgency.LOW


@dataclass(frozen=True)
class HeldPostText:
    """What a held post says, for the moderator deciding on it in the queue."""

    body_html: str  # rendered and sanitised when it was written
    author_name: str  # the pseudonym, for an anonymous post
    content_note: str  # its labels and words, "" without one: the text is folded under it


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    post: Post | None
    thread: Thread | None
    waited: timedelta
    target: timedelta | None
    rules: tuple[RuleSummary, ...]
    held_post: HeldPostText | None = None

    @property
    def is_overdue(self) -> bool:
        return self.target is not None and self.waited > self.target

    @property
    def urgency(self) -> Urgency:
        return urgency_of(self.item.priority)


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


def _held_post_texts(
    viewer: Viewer, items: list[QueueItem], posts: dict[int, Post]
) -> dict[int, HeldPostText]:
    """The text of each held post the viewer may read (the visibility policy decides:
    a post deleted meanwhile has none), with its content note (one query for all)."""
    held = [
        posts[item.post_id]
        for item in items
        if item.kind == QueueKind.HELD_POST and item.post_id in posts
    ]
    readable = [post for post in held if can_read_post(viewer, post)]
    label_ids = {label_id for post in readable for label_id in post.note_label_ids}
    names = (
        dict(ContentNoteLabel.objects.filter(pk__in=label_ids).values_list("pk", "name"))
        if label_ids
        else {}
    )
    texts = {}
    for post in readable:
        note = [
            in_readers_language(names[label_id])
            for label_id in post.note_label_ids
            if label_id in names
        ]
        if post.content_note_text:
            note.append(post.content_note_text)
        texts[post.pk] = HeldPostText(
            body_html=post.body_html, author_name=post.author_name, content_note=", ".join(note)
        )
    return texts


def get_queue_rows(viewer: Viewer, kind: str | None, now: datetime) -> list[QueueRow]:
    """The queue's first page, with everything each row shows (a fixed number of queries)."""
    items = list(queue_items_for(viewer, kind)[:QUEUE_PAGE_SIZE])
    posts = Post.objects.select_related("thread__category").in_bulk(
        [item.post_id for item in items if item.post_id]
    )
    threads = Thread.objects.in_bulk([item.thread_id for item in items if item.thread_id])
    rules = rule_summaries({rule_id for item in items for rule_id in item.rule_ids})
    held_texts = _held_post_texts(viewer, items, posts)
    return [
        QueueRow(
            item=item,
            post=posts.get(item.post_id) if item.post_id else None,
            thread=threads.get(item.thread_id) if item.thread_id else None,
            waited=now - item.created_at,
            target=_target_for(item.kind),
            rules=tuple(rules[rule_id] for rule_id in item.rule_ids if rule_id in rules),
            held_post=held_texts.get(item.post_id) if item.post_id else None,
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
