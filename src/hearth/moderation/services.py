"""Moderator actions. Each is one transaction: the change, one audit entry, and a
notice to the member affected, saying what was done and why."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hearth.accounts.models import User
from hearth.core.events import publish
from hearth.forum.counters import synchronise_category
from hearth.forum.events import (
    ContentNoteSet,
    PostHidden,
    PostRejected,
    PostRestored,
    ThreadLocked,
    ThreadMoved,
    ThreadPinned,
)
from hearth.forum.models import Category, Post, Thread
from hearth.forum.services import ContentNote, edit_post, release_held_post, set_post_labels
from hearth.forum.viewer import viewer_for
from hearth.moderation.events import ModeratorNoticeSent
from hearth.moderation.models import (
    AuditAction,
    AuditEntry,
    ModeratorNotice,
    Sanction,
    SanctionKind,
)
from hearth.moderation.permissions import (
    why_cannot_handle_item,
    why_cannot_moderate_members,
    why_cannot_moderate_post,
    why_cannot_moderate_thread,
)
from hearth.safety.events import CheckInAnswered
from hearth.safety.models import QueueItem, QueueKind, Resolution
from hearth.safety.services import close_items_for_post, close_queue_item
from hearth.safety.time_words import day_and_time

MAX_SUSPENSION_DAYS = 3650


def _check(reason: str | None) -> None:
    if reason is not None:
        raise PermissionDenied(reason)


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Please give a reason: the member will be told it."), code="reason")
    return reason


def _audit(
    moderator: User,
    action: AuditAction,
    target: Post | Thread | User | QueueItem,
    *,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    category_id: int | None
    if isinstance(target, Post):
        kind, label = "post", f"Post {target.pk} in “{target.thread.title}”"
        category_id = target.thread.category_id
    elif isinstance(target, Thread):
        kind, label = "thread", f"Thread “{target.title}”"
        category_id = target.category_id
    elif isinstance(target, User):
        kind, label, category_id = "member", f"Member @{target.username}", None
    else:
        kind, label = "queue_item", f"{target.get_kind_display()} #{target.pk}"
        category_id = target.category_id
    return AuditEntry.objects.create(
        category_id=category_id,
        actor=moderator,
        actor_name=moderator.display_name,
        action=action,
        target_type=kind,
        target_id=target.pk,
        target_label=label[:250],
        reason=reason,
        before=before or {},
        after=after or {},
    )


def notify_member(
    member: User | None, *, subject: str, body: str, post_id: int | None = None
) -> None:
    """Leave a private notice for the member (the notifications app will add email)."""
    if member is None:
        return
    notice = ModeratorNotice.objects.create(
        member=member, subject=subject, body=body, post_id=post_id
    )
    User.objects.filter(pk=member.pk).update(unread_notices=F("unread_notices") + 1)
    publish(ModeratorNoticeSent(notice_id=notice.pk, member_id=member.pk, post_id=post_id))


def _in_language_of(member: User | None) -> translation.override:
    """A notice worded in its reader's language, not the moderator's who sends it."""
    return translation.override(member.language if member else None)


def _post_ids(post: Post) -> dict[str, int]:
    return {"post_id": post.pk, "thread_id": post.thread_id, "category_id": post.thread.category_id}


def _where(post: Post) -> str:
    return _("your post in “%(title)s”") % {"title": post.thread.title}


@transaction.atomic
def hide_post(*, moderator: User, post: Post, reason: str) -> None:
    _check(why_cannot_moderate_post(viewer_for(moderator), post))
    reason = _require_reason(reason)
    if not Post.objects.filter(pk=post.pk, is_hidden=False).update(
        is_hidden=True, hidden_reason=reason
    ):
        return  # already hidden: nothing changes, nothing is written twice
    publish(PostHidden(**_post_ids(post), moderator_id=moderator.pk))
    _audit(
        moderator,
        AuditAction.HIDE_POST,
        post,
        reason=reason,
        before={"is_hidden": post.is_hidden},
        after={"is_hidden": True},
    )
    with _in_language_of(post.author):
        notify_member(
            post.author,
            post_id=post.pk,
            subject=_("A moderator hid %(where)s") % {"where": _where(post)},
            body=_(
                "Why: %(reason)s\n\nYou can still see it, marked as hidden; other members can't. "
                "If you'd like to talk about it, you can write to the moderators."
            )
            % {"reason": reason},
        )


@transaction.atomic
def restore_post(*, moderator: User, post: Post, reason: str) -> None:
    _check(why_cannot_moderate_post(viewer_for(moderator), post))
    reason = _require_reason(reason)
    if not Post.objects.filter(pk=post.pk, is_hidden=True).update(
        is_hidden=False, hidden_reason=""
    ):
        return  # not hidden: nothing to restore
    publish(PostRestored(**_post_ids(post), moderator_id=moderator.pk))
    _audit(
        moderator,
        AuditAction.RESTORE_POST,
        post,
        reason=reason,
        before={"is_hidden": post.is_hidden, "hidden_reason": post.hidden_reason},
        after={"is_hidden": False},
    )
    with _in_language_of(post.author):
        notify_member(
            post.author,
            post_id=post.pk,
            subject=_("A moderator restored %(where)s") % {"where": _where(post)},
            body=_("Why: %(reason)s\n\nEveryone can see it again.") % {"reason": reason},
        )


def edit_post_as_moderator(
    *, moderator: User, post: Post, body: str, base_revision: int, reason: str
) -> Post:
    """Edit someone's post, saying why; raises EditConflict like any edit."""
    _check(why_cannot_moderate_post(viewer_for(moderator), post))
    reason = _require_reason(reason)
    before = post.body
    with transaction.atomic():
        edited = edit_post(
            editor=moderator, post=post, body=body, base_revision=base_revision, reason=reason
        )
        _audit(
            moderator,
            AuditAction.EDIT_POST,
            post,
            reason=reason,
            before={"body": before},
            after={"body": body},
        )
        with _in_language_of(post.author):
            notify_member(
                post.author,
                post_id=post.pk,
                subject=_("A moderator edited %(where)s") % {"where": _where(post)},
                body=_("Why: %(reason)s\n\nThe post's history shows what changed.")
                % {"reason": reason},
            )
    return edited


@transaction.atomic
def set_content_note(
    *, moderator: User, post: Post, content_note: ContentNote, note_to_author: str
) -> None:
    """Add or change a post's content note instead of hiding it, telling the author privately."""
    _check(why_cannot_moderate_post(viewer_for(moderator), post))
    note_to_author = _require_reason(note_to_author)
    before = {
        "labels": sorted(label.slug for label in post.content_notes.all()),
        "text": post.content_note_text,
    }
    set_post_labels(post, content_note.labels)
    Post.objects.filter(pk=post.pk).update(content_note_text=content_note.text.strip()[:120])
    publish(ContentNoteSet(**_post_ids(post), moderator_id=moderator.pk))
    after = {
        "labels": sorted(label.slug for label in content_note.labels),
        "text": content_note.text,
    }
    _audit(
        moderator,
        AuditAction.SET_CONTENT_NOTE,
        post,
        reason=note_to_author,
        before=before,
        after=after,
    )
    with _in_language_of(post.author):
        names = (
            ", ".join(str(label) for label in content_note.labels) or content_note.text or _("none")
        )
        notify_member(
            post.author,
            post_id=post.pk,
            subject=_("A moderator changed the content note on %(where)s")
            % {"where": _where(post)},
            body=_("The content note is now: %(names)s.\n\n%(note)s")
            % {"names": names, "note": note_to_author},
        )


def _thread_flag(
    *,
    moderator: User,
    thread: Thread,
    field: str,
    value: bool,
    action: AuditAction,
    reason: str,
    subject: str,  # a message id (gettext_noop): worded in the author's language
) -> None:
    _check(why_cannot_moderate_thread(viewer_for(moderator), thread))
    with transaction.atomic():
        changed = (
            Thread.objects.filter(pk=thread.pk).exclude(**{field: value}).update(**{field: value})
        )
        if not changed:
            setattr(thread, field, value)
            return  # already so: no second audit entry or notice
        before = not value
        setattr(thread, field, value)
        # ThreadLocked(is_locked=...) or ThreadPinned(is_pinned=...): the flag is its field.
        event_type: type[ThreadLocked | ThreadPinned] = (
            ThreadLocked if field == "is_locked" else ThreadPinned
        )
        publish(
            event_type(
                thread_id=thread.pk,
                category_id=thread.category_id,
                moderator_id=moderator.pk,
                **{field: value},
            )
        )
        _audit(
            moderator, action, thread, reason=reason, before={field: before}, after={field: value}
        )
        with _in_language_of(thread.author):
            notify_member(
                thread.author,
                subject=_(subject) % {"title": thread.title},
                body=_("Why: %(reason)s") % {"reason": reason or _("no reason given")},
            )


def lock_thread(*, moderator: User, thread: Thread, reason: str) -> None:
    _thread_flag(
        moderator=moderator,
        thread=thread,
        field="is_locked",
        value=True,
        action=AuditAction.LOCK_THREAD,
        reason=_require_reason(reason),
        subject=gettext_noop("A moderator closed your thread “%(title)s” to new replies"),
    )


def unlock_thread(*, moderator: User, thread: Thread, reason: str) -> None:
    _thread_flag(
        moderator=moderator,
        thread=thread,
        field="is_locked",
        value=False,
        action=AuditAction.UNLOCK_THREAD,
        reason=reason.strip(),
        subject=gettext_noop("A moderator reopened your thread “%(title)s”"),
    )


def pin_thread(*, moderator: User, thread: Thread, reason: str) -> None:
    _thread_flag(
        moderator=moderator,
        thread=thread,
        field="is_pinned",
        value=True,
        action=AuditAction.PIN_THREAD,
        reason=reason.strip(),
        subject=gettext_noop("A moderator pinned your thread “%(title)s”"),
    )


def unpin_thread(*, moderator: User, thread: Thread, reason: str) -> None:
    _thread_flag(
        moderator=moderator,
        thread=thread,
        field="is_pinned",
        value=False,
        action=AuditAction.UNPIN_THREAD,
        reason=reason.strip(),
        subject=gettext_noop("A moderator unpinned your thread “%(title)s”"),
    )


@transaction.atomic
def move_thread(*, moderator: User, thread: Thread, to: Category, reason: str) -> None:
    viewer = viewer_for(moderator)
    _check(why_cannot_moderate_thread(viewer, thread))
    if not viewer.moderates(to.pk):
        raise PermissionDenied(_("You don't moderate the category you chose."))
    # Where it is now, not where the moderator's page saw it: another move may have won.
    current = Thread.objects.select_for_update().only("category_id").get(pk=thread.pk)
    if to.pk == current.category_id:
        return
    source = Category.objects.get(pk=current.category_id)
    _check(why_cannot_moderate_thread(viewer, current))
    Thread.objects.filter(pk=thread.pk).update(category=to)
    synchronise_category(source.pk)
    synchronise_category(to.pk)
    thread.category = source  # the audit entry belongs to where it was
    publish(
        ThreadMoved(
            thread_id=thread.pk,
            from_category_id=source.pk,
            to_category_id=to.pk,
            moderator_id=moderator.pk,
        )
    )
    QueueItem.objects.filter(thread_id=thread.pk).update(category_id=to.pk)
    _audit(
        moderator,
        AuditAction.MOVE_THREAD,
        thread,
        reason=reason.strip(),
        before={"category": source.slug},
        after={"category": to.slug},
    )
    thread.category = to
    with _in_language_of(thread.author):
        notify_member(
            thread.author,
            subject=_("A moderator moved your thread “%(title)s”") % {"title": thread.title},
            body=_("It is now in %(category)s.\n\nWhy: %(reason)s")
            % {"category": to.name, "reason": reason.strip() or _("no reason given")},
        )


@transaction.atomic
def warn_member(*, moderator: User, member: User, reason: str) -> None:
    _check(why_cannot_moderate_members(viewer_for(moderator)))
    reason = _require_reason(reason)
    Sanction.objects.create(
        member=member, kind=SanctionKind.WARNING, reason=reason, created_by=moderator
    )
    _audit(moderator, AuditAction.WARN_MEMBER, member, reason=reason)
    with _in_language_of(member):
        notify_member(member, subject=_("A warning from the moderators"), body=reason)


@transaction.atomic
def suspend_member(*, moderator: User, member: User, days: int, partial: bool, reason: str) -> None:
    """Suspend for a period. Partial: the member can still read and write to moderators."""
    _check(why_cannot_moderate_members(viewer_for(moderator)))
    reason = _require_reason(reason)
    if not 1 <= days <= MAX_SUSPENSION_DAYS:
        raise ValidationError(
            _("Choose between 1 and %(max)s days.") % {"max": MAX_SUSPENSION_DAYS}
        )
    if member.is_moderator_or_administrator:
        raise PermissionDenied(_("Moderators and administrators can't be suspended here."))
    until = timezone.now() + timedelta(days=days)
    before = {
        "suspended_until": _iso(member.suspended_until),
        "partial": member.suspension_is_partial,
    }
    User.objects.filter(pk=member.pk).update(suspended_until=until, suspension_is_partial=partial)
    member.suspended_until, member.suspension_is_partial = until, partial
    kind = SanctionKind.PARTIAL_SUSPENSION if partial else SanctionKind.SUSPENSION
    Sanction.objects.create(
        member=member, kind=kind, reason=reason, ends_at=until, created_by=moderator
    )
    action = AuditAction.PARTIALLY_SUSPEND_MEMBER if partial else AuditAction.SUSPEND_MEMBER
    _audit(
        moderator,
        action,
        member,
        reason=reason,
        before=before,
        after={"suspended_until": _iso(until), "partial": partial},
    )
    # In the member's time zone and language: the notice is theirs, read long after the
    # moderator left.
    with timezone.override(member.time_zone), _in_language_of(member):
        when = day_and_time(until)
        body = (
            _(
                "Until %(when)s you can read and write to the moderators, but not post, reply "
                "or react."
            )
            if partial
            else _(
                "Until %(when)s your account is paused: you can read the moderators' messages only."
            )
        ) % {"when": when}
        notify_member(
            member,
            subject=_("Your account is suspended until %(when)s") % {"when": when},
            body=f"{body}\n\n" + _("Why: %(reason)s") % {"reason": reason},
        )


@transaction.atomic
def lift_suspension(*, moderator: User, member: User, reason: str) -> None:
    _check(why_cannot_moderate_members(viewer_for(moderator)))
    before = {
        "suspended_until": _iso(member.suspended_until),
        "partial": member.suspension_is_partial,
    }
    now = timezone.now()
    User.objects.filter(pk=member.pk).update(suspended_until=None, suspension_is_partial=False)
    member.suspended_until, member.suspension_is_partial = None, False
    Sanction.objects.filter(member=member, lifted_at=None, ends_at__gt=now).update(lifted_at=now)
    _audit(
        moderator,
        AuditAction.LIFT_SUSPENSION,
        member,
        reason=reason.strip(),
        before=before,
        after={"suspended_until": None},
    )
    with _in_language_of(member):
        notify_member(
            member,
            subject=_("Your suspension has been lifted"),
            body=reason.strip() or _("You can post again."),
        )


@transaction.atomic
def approve_post(*, moderator: User, post: Post) -> None:
    _check(why_cannot_moderate_post(viewer_for(moderator), post))
    current = Post.objects.only("is_held", "is_deleted", "is_hidden").get(pk=post.pk)
    if not current.is_held:
        return  # approved meanwhile, or never held
    if current.is_deleted:
        raise ValidationError(_("Its author deleted this post, so it can't be published."))
    if current.is_hidden:
        raise ValidationError(
            _("This post was not approved earlier. Restore it first if it should be published.")
        )
    if not release_held_post(post, approved_by=moderator):
        return  # not held (approved meanwhile, or never held)
    close_items_for_post(
        post_id=post.pk,
        kind=QueueKind.HELD_POST,
        moderator=moderator,
        resolution=Resolution.APPROVED,
    )
    _audit(
        moderator,
        AuditAction.APPROVE_POST,
        post,
        before={"is_held": True},
        after={"is_held": False},
    )
    with _in_language_of(post.author):
        notify_member(
            post.author,
            post_id=post.pk,
            subject=_("Your post in “%(title)s” is published") % {"title": post.thread.title},
            body=_("A moderator approved it. Thank you for waiting."),
        )


@transaction.atomic
def reject_post(*, moderator: User, post: Post, reason: str) -> None:
    """Keep a held post from being published: it stays hidden, visible to its author."""
    _check(why_cannot_moderate_post(viewer_for(moderator), post))
    reason = _require_reason(reason)
    if not Post.objects.filter(pk=post.pk, is_held=True, is_hidden=False).update(
        is_hidden=True, hidden_reason=reason
    ):
        return  # not waiting for a decision any more
    publish(PostRejected(**_post_ids(post), moderator_id=moderator.pk))
    close_items_for_post(
        post_id=post.pk,
        kind=QueueKind.HELD_POST,
        moderator=moderator,
        resolution=Resolution.REJECTED,
    )
    _audit(moderator, AuditAction.REJECT_POST, post, reason=reason)
    with _in_language_of(post.author):
        notify_member(
            post.author,
            post_id=post.pk,
            subject=_("Your post in “%(title)s” was not published") % {"title": post.thread.title},
            body=_("Why: %(reason)s") % {"reason": reason},
        )


@transaction.atomic
def reveal_author(*, moderator: User, post: Post, reason: str) -> User | None:
    """Tell a moderator who wrote an anonymous post. Always audited; the author is told."""
    _check(why_cannot_moderate_post(viewer_for(moderator), post))
    reason = _require_reason(reason)
    if not post.is_anonymous:
        raise ValidationError(_("This post is not anonymous."), code="not_anonymous")
    _audit(
        moderator,
        AuditAction.REVEAL_AUTHOR,
        post,
        reason=reason,
        after={"author_id": post.author_id},
    )
    with _in_language_of(post.author):
        notify_member(
            post.author,
            post_id=post.pk,
            subject=_("A moderator looked up who wrote your anonymous post"),
            body=_("Why: %(reason)s\n\nOther members still see only your pseudonym.")
            % {"reason": reason},
        )
    return post.author


@transaction.atomic
def close_item(*, moderator: User, item: QueueItem, resolution: Resolution, note: str = "") -> bool:
    _check(why_cannot_handle_item(viewer_for(moderator), item))
    closed = close_queue_item(item=item, moderator=moderator, resolution=resolution)
    if closed and item.kind == QueueKind.CHECK_IN and resolution == Resolution.HANDLED:
        publish(
            CheckInAnswered(
                item_id=item.pk,
                post_id=item.post_id,
                moderator_id=moderator.pk,
                asked_for_check_in=item.asked_for_check_in,
            )
        )
    if closed:
        _audit(
            moderator,
            AuditAction.CLOSE_ITEM,
            item,
            reason=note.strip(),
            after={"resolution": str(resolution)},
        )
    return closed


@transaction.atomic
def message_member(*, moderator: User, member: User, subject: str, body: str) -> None:
    """Write to a member privately (a check-in, or a reply to their message)."""
    if not viewer_for(moderator).is_moderator:
        raise PermissionDenied(_("Only moderators can write to members as the moderators."))
    body = _require_reason(body)
    _audit(moderator, AuditAction.MESSAGE_MEMBER, member, reason=subject.strip())
    with _in_language_of(member):
        notify_member(
            member, subject=subject.strip() or _("A message from the moderators"), body=body
        )


@transaction.atomic
def record_reading_reported_messages(
    *, moderator: User, item: QueueItem, message_ids: list[int]
) -> AuditEntry:
    """Audit one reading of the conversation messages shared with a report (issue 13:
    every look at private text is on the record). Ids only, never the text."""
    _check(why_cannot_handle_item(viewer_for(moderator), item))
    return _audit(
        moderator,
        AuditAction.READ_REPORTED_MESSAGES,
        item,
        reason=_("Reading a reported message"),
        after={"message_ids": message_ids},
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
