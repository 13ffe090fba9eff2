"""Time to reconsider: a new post that waits, seen only by its author, before it goes live.

A member chooses a delay (off, 1, 5 or 10 minutes; ``User.post_delay_minutes``, and
the composer for one post). Until then the post is a ``PendingPost`` row, not a
``Post``: nothing that reads posts -- thread pages, lists, search, feeds, the API,
notifications, live updates, the crisis queue -- can show it to anyone, by
construction. Its author sees it on its own page, where they can publish it now,
edit it, or withdraw it (it becomes their draft again).

When its time comes a task (enqueued with it, in the same transaction) publishes it
through the usual service, ``start_thread`` or ``reply_to_thread``, which checks
everything again as of that moment and publishes the usual events then. Housekeeping
publishes any the task missed. A post that cannot go live (the thread was locked, the
category stopped taking anonymous posts) keeps its text here with the reason, for its
author to decide.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import POST_DELAY_CHOICES, User
from hearth.core.tasks import background_task
from hearth.forum import services
from hearth.forum.models import Category, Draft, PendingPost, Post, Thread
from hearth.forum.services import ContentNote
from hearth.safety.models import ContentNoteLabel, QueueItem, QueueKind
from hearth.safety.services import ask_for_check_in

logger = logging.getLogger(__name__)

# The delays a member may choose, in minutes (0: at once): the setting's choices.
DELAY_MINUTES = tuple(minutes for minutes, _label in POST_DELAY_CHOICES)
# Housekeeping publishes a waiting post its task has not published this long after its time.
OVERDUE = timedelta(minutes=1)
# A published row is kept this long, so its page can still lead to the post it became.
KEPT_AFTER_GOING_LIVE = timedelta(days=1)


def hold_back(
    *,
    author: User,
    category: Category,
    thread: Thread | None,
    body: str,
    request_key: str,
    delay_minutes: int,
    title: str = "",
    anonymous: bool = False,
    content_note: ContentNote = services.NO_CONTENT_NOTE,
    hoping_for: list[str] | None = None,
) -> PendingPost:
    """Keep a new post (a reply to ``thread``, or a thread with ``title`` in ``category``)
    for ``delay_minutes`` before it goes live; the same request key keeps it once.

    Everything publishing it would refuse is refused now (PermissionDenied,
    ValidationError), while its writer is there to fix it.
    """
    if delay_minutes not in DELAY_MINUTES or delay_minutes == 0:
        raise ValidationError(_("Choose 1, 5 or 10 minutes."), code="unknown_delay")
    if existing := PendingPost.objects.filter(author=author, request_key=request_key).first():
        return existing
    wishes = services.clean_hoping_for(hoping_for or [])
    services.check_before_posting(
        author=author,
        category=category,
        thread=thread,
        title=title,
        body=body,
        anonymous=anonymous,
        hoping_for=wishes,
    )
    now = timezone.now()
    with transaction.atomic():
        pending = PendingPost.objects.create(
            author=author,
            category=thread.category if thread else category,
            thread=thread,
            title=" ".join(title.split()) if thread is None else "",
            body=body,
            is_anonymous=anonymous,
            content_note_label_ids=[label.pk for label in content_note.labels],
            content_note_text=content_note.text,
            hoping_for=wishes,
            request_key=request_key,
            created_at=now,
            goes_live_at=now + timedelta(minutes=delay_minutes),
        )
        _draft_place(pending).delete()  # what the composer held is now this post
        # The task row is written in this transaction: it exists exactly when the post does.
        publish_pending_post.using(run_after=pending.goes_live_at).enqueue(pending_id=pending.pk)
    return pending


def get_pending_post_for_author_or_404(member: User, pending_id: int) -> PendingPost:
    """The member's own pending post; anybody else's (or none) is a 404."""
    found = (
        PendingPost.objects.select_related("thread__category", "category")
        .filter(pk=pending_id, author=member)
        .first()
    )
    if found is None:
        raise Http404
    return found


def list_waiting_posts(member: User, *, thread: Thread | None = None) -> list[PendingPost]:
    """The member's posts that have not gone live: waiting, or stopped by a problem."""
    found = PendingPost.objects.filter(author=member, published_at__isnull=True)
    if thread is not None:
        found = found.filter(thread=thread)
    return list(found.select_related("thread", "category").order_by("goes_live_at", "pk"))


def publish_now(*, member: User, pending: PendingPost) -> Post | None:
    """The author publishes it before its time (or tries again after a problem)."""
    if pending.author_id != member.pk:
        raise Http404
    if pending.problem:
        PendingPost.objects.filter(pk=pending.pk).update(problem="")
    return go_live(pending.pk)


def edit_pending_post(
    *,
    member: User,
    pending: PendingPost,
    body: str,
    title: str = "",
    content_note: ContentNote = services.NO_CONTENT_NOTE,
) -> PendingPost:
    """Change a post that has not gone live; it keeps its time."""
    if pending.author_id != member.pk or pending.published_at is not None:
        raise Http404
    if pending.thread_id is None and not pending.title:
        raise ValidationError(_("The thread this replied to was removed."), code="no_thread")
    services.check_before_posting(
        author=member,
        category=pending.category,
        thread=pending.thread,
        title=title if pending.thread_id is None else "",
        body=body,
        anonymous=False,  # checked again when it goes live; editing does not change it
        hoping_for=pending.hoping_for,
    )
    pending.body = body
    if pending.thread_id is None:
        pending.title = " ".join(title.split())
    pending.content_note_label_ids = [label.pk for label in content_note.labels]
    pending.content_note_text = content_note.text
    updated = PendingPost.objects.filter(pk=pending.pk, published_at__isnull=True).update(
        body=pending.body,
        title=pending.title,
        content_note_label_ids=pending.content_note_label_ids,
        content_note_text=pending.content_note_text,
    )
    if not updated:  # it went live while the member was editing: the post has its text
        raise ValidationError(
            _("It went live while you were editing; edit the post itself instead."),
            code="already_live",
        )
    return pending


def withdraw(*, member: User, pending: PendingPost) -> Draft | None:
    """Take it back: its text becomes the draft of its place again (after any text the
    member has started there since). Returns the draft; None when it had gone live."""
    if pending.author_id != member.pk:
        raise Http404
    with transaction.atomic():
        locked = (
            PendingPost.objects.select_for_update()
            .filter(pk=pending.pk, published_at__isnull=True)
            .first()
        )
        if locked is None:
            return None
        place = _draft_place(locked)
        draft = place.first()
        if draft is None:
            draft = Draft(
                member=member,
                thread=locked.thread,
                category=None if locked.thread_id else locked.category,
                title=locked.title,
                body=locked.body,
            )
        elif draft.body.strip() and draft.body.strip() != locked.body.strip():
            draft.body = f"{draft.body.rstrip()}\n\n{locked.body}"
            draft.title = draft.title or locked.title
        else:
            draft.body, draft.title = locked.body, draft.title or locked.title
        draft.save()
        locked.delete()
    return draft


def go_live(pending_id: int) -> Post | None:
    """Publish a waiting post through the usual service, as of now. Returns the post, or
    None when it was not waiting or could not go live (the reason is kept on the row)."""
    with transaction.atomic():
        pending = (
            PendingPost.objects.select_for_update(of=("self",))
            .filter(pk=pending_id, published_at__isnull=True, problem="")
            .select_related("author", "category", "thread__category")
            .first()
        )
        if pending is None:
            return None
        try:
            post = _publish(pending)
        except (PermissionDenied, ValidationError, services.RequestKeyReused) as refusal:
            pending.problem = _problem_wording(refusal)[:500]
            pending.save(update_fields=["problem"])
            logger.info("Pending post %s could not go live: %s", pending.pk, pending.problem)
            return None
        # The post holds the text now: none is kept twice.
        PendingPost.objects.filter(pk=pending.pk).update(
            published_post=post,
            published_at=timezone.now(),
            body="",
            title="",
            content_note_text="",
        )
        if pending.asks_for_check_in and post.check_in_item_id is not None:
            ask_for_check_in(item=QueueItem.objects.get(pk=post.check_in_item_id))
    return post


def ask_for_check_in_when_live(*, member: User, pending: PendingPost) -> None:
    """The writer asked, from the crisis panel, for a moderator to check in: the request
    goes with the post when it goes live (no queue item exists before)."""
    if pending.author_id != member.pk:
        raise Http404
    with transaction.atomic():
        locked = PendingPost.objects.select_for_update().get(pk=pending.pk)
        locked.asks_for_check_in = pending.asks_for_check_in = True
        locked.save(update_fields=["asks_for_check_in"])
        if locked.published_post_id is not None:  # it went live a moment ago: ask now
            item = QueueItem.objects.filter(
                kind=QueueKind.CHECK_IN, post_id=locked.published_post_id
            ).first()
            if item is not None:
                ask_for_check_in(item=item)


def _publish(pending: PendingPost) -> Post:
    author = pending.author
    labels = tuple(ContentNoteLabel.objects.filter(pk__in=pending.content_note_label_ids))
    note = ContentNote(labels=labels, text=pending.content_note_text)
    if pending.thread is not None:
        return services.reply_to_thread(
            author=author,
            thread=pending.thread,
            body=pending.body,
            request_key=pending.request_key,
            anonymous=pending.is_anonymous,
            content_note=note,
        )
    if not pending.title:
        raise PermissionDenied(_("The thread this replied to was removed."))
    thread = services.start_thread(
        author=author,
        category=pending.category,
        title=pending.title,
        body=pending.body,
        request_key=pending.request_key,
        anonymous=pending.is_anonymous,
        content_note=note,
        hoping_for=pending.hoping_for,
    )
    # start_thread hands over the original post; one it had already made (the same
    # request key: a task run twice) is found in its place.
    first: Post | None = getattr(thread, "first_post", None)
    return first or Post.objects.select_related("thread__category").get(
        thread_id=thread.pk, position=1
    )


def _problem_wording(refusal: Exception) -> str:
    if isinstance(refusal, ValidationError):
        return " ".join(refusal.messages)
    if isinstance(refusal, services.RequestKeyReused):
        return _("Something else was already posted from the same form.")
    return str(refusal) or _("You can't post there now.")


def _draft_place(pending: PendingPost) -> QuerySet[Draft]:
    """The drafts of the pending post's place: its thread's reply box, or its category's
    new-thread form."""
    if pending.thread_id is not None:
        return Draft.objects.filter(member_id=pending.author_id, thread_id=pending.thread_id)
    return Draft.objects.filter(
        member_id=pending.author_id, category_id=pending.category_id, thread=None
    )


@background_task(max_attempts=5)
def publish_pending_post(pending_id: int) -> None:
    """Enqueued with each pending post, to run at its time."""
    go_live(pending_id)


def publish_overdue_pending_posts() -> int:
    """Housekeeping: publish waiting posts whose task has not (a worker was down, say)."""
    due = PendingPost.objects.filter(
        published_at__isnull=True, problem="", goes_live_at__lte=timezone.now() - OVERDUE
    ).values_list("pk", flat=True)
    return sum(1 for pending_id in list(due[:500]) if go_live(pending_id) is not None)


def forget_published_pending_posts() -> int:
    """Housekeeping: the rows of posts that went live a day ago (they hold no text)."""
    deleted, _by_model = PendingPost.objects.filter(
        published_at__lt=timezone.now() - KEPT_AFTER_GOING_LIVE
    ).delete()
    return deleted
