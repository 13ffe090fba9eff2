"""Writes to the forum. Each is one transaction; Markdown is rendered before it starts.

Rendering happens outside the transaction so the write lock (SQLite) or the
thread's row lock (PostgreSQL) is held only for the inserts and counters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.core.text import MAX_SOURCE_BYTES, RENDER_VERSION, RenderedText, SourceTooLong
from hearth.forum.models import (
    REACTION_COUNT_FIELDS,
    TITLE_MAX_LENGTH,
    Category,
    CategoryReadMark,
    Draft,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    ReadState,
    Thread,
)
from hearth.forum.permissions import (
    check_can_delete_post,
    check_can_edit_post,
    check_can_react,
    check_can_reply,
    check_can_start_thread,
)
from hearth.forum.text import render_post_body
from hearth.forum.viewer import viewer_for

REQUEST_KEY_MAX_LENGTH = 64


@dataclass(frozen=True)
class EditConflict(Exception):  # noqa: N818 - a situation, not a bug: "an edit conflict"
    """Someone saved a newer revision since the editor opened the post."""

    current_body: str
    current_revision: int
    edited_by_name: str


def start_thread(
    *, author: User, category: Category, title: str, body: str, request_key: str
) -> Thread:
    """Create a thread with its original post; the same request_key creates it once."""
    check_can_start_thread(viewer_for(author), category)
    title = _clean_title(title)
    if existing := _post_for_request(author, request_key):
        return existing.thread
    rendered = _render(body)
    try:
        with transaction.atomic():
            now = timezone.now()
            thread = Thread.objects.create(
                category=category,
                title=title,
                author=author,
                author_name=author.display_name,
                created_at=now,
                last_post_at=now,
                last_poster_name=author.display_name,
            )
            post = _insert_post(
                thread=thread, position=1, author=author, body=body, rendered=rendered,
                request_key=request_key, now=now,
            )  # fmt: skip
            Thread.objects.filter(pk=thread.pk).update(last_post_id=post.pk)
            Category.objects.filter(pk=category.pk).update(
                thread_count=F("thread_count") + 1,
                post_count=F("post_count") + 1,
                **_category_last_post(thread, author, now),
            )
            Draft.objects.filter(member=author, category=category, thread=None).delete()
    except IntegrityError:
        # A concurrent submission of the same form won the race: return its thread.
        if existing := _post_for_request(author, request_key):
            return existing.thread
        raise
    thread.last_post_id = post.pk
    return thread


def reply_to_thread(*, author: User, thread: Thread, body: str, request_key: str) -> Post:
    """Add a reply at the end of the thread; the same request_key posts once."""
    check_can_reply(viewer_for(author), thread)
    if existing := _post_for_request(author, request_key):
        return existing
    rendered = _render(body)
    try:
        with transaction.atomic():
            locked = Thread.objects.select_for_update().only("last_position").get(pk=thread.pk)
            now = timezone.now()
            post = _insert_post(
                thread=thread, position=locked.last_position + 1, author=author, body=body,
                rendered=rendered, request_key=request_key, now=now,
            )  # fmt: skip
            Thread.objects.filter(pk=thread.pk).update(
                last_position=post.position,
                reply_count=F("reply_count") + 1,
                last_post_at=now,
                last_post_id=post.pk,
                last_poster_name=author.display_name,
            )
            Category.objects.filter(pk=thread.category_id).update(
                post_count=F("post_count") + 1, **_category_last_post(thread, author, now)
            )
            Draft.objects.filter(member=author, thread=thread).delete()
    except IntegrityError:
        if existing := _post_for_request(author, request_key):
            return existing
        raise
    return post


def edit_post(*, editor: User, post: Post, body: str, base_revision: int, reason: str = "") -> Post:
    """Save a new revision of a post.

    Raises EditConflict, changing nothing, when ``base_revision`` is not the
    post's current revision: someone saved in between, and both texts must
    survive for the editor to merge.
    """
    check_can_edit_post(viewer_for(editor), post)
    rendered = _render(body)
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        if current.revision != base_revision:
            raise EditConflict(
                current_body=current.body,
                current_revision=current.revision,
                edited_by_name=current.edited_by_name or current.author_name,
            )
        if current.body == body:
            return current
        now = timezone.now()
        number = current.revision + 1
        PostRevision.objects.create(
            post=current, number=number, body=body, author_name=editor.display_name,
            reason=reason.strip(), created_at=now,
        )  # fmt: skip
        Post.objects.filter(pk=post.pk).update(
            body=body,
            body_html=rendered.html,
            render_version=rendered.version,
            revision=number,
            edited_at=now,
            edited_by_name=editor.display_name,
        )
    post.refresh_from_db()
    return post


@transaction.atomic
def delete_post(*, member: User, post: Post) -> None:
    """Delete a post's text for good; its place in the thread stays, marked deleted."""
    check_can_delete_post(viewer_for(member), post)
    updated = Post.objects.filter(pk=post.pk, is_deleted=False).update(
        is_deleted=True,
        deleted_at=timezone.now(),
        body="",
        body_html="",
        hug_count=0,
        heart_count=0,
        thanks_count=0,
        me_too_count=0,
    )
    if not updated:
        return
    PostRevision.objects.filter(post=post).delete()
    Reaction.objects.filter(post=post).delete()
    Category.objects.filter(pk=post.thread.category_id).update(post_count=F("post_count") - 1)
    if not post.is_original_post:
        Thread.objects.filter(pk=post.thread_id).update(reply_count=F("reply_count") - 1)


def toggle_reaction(*, member: User, post: Post, kind: ReactionKind) -> bool:
    """Add the member's reaction of this kind, or take it back; return whether it is on."""
    check_can_react(viewer_for(member), post)
    counter = REACTION_COUNT_FIELDS[kind]
    with transaction.atomic():
        removed, _ = Reaction.objects.filter(post=post, member=member, kind=kind).delete()
        if removed:
            Post.objects.filter(pk=post.pk).update(**{counter: F(counter) - 1})
            return False
        _, created = Reaction.objects.get_or_create(post=post, member=member, kind=kind)
        if created:
            Post.objects.filter(pk=post.pk).update(**{counter: F(counter) + 1})
        return True


def mark_thread_read(
    *, member: User, thread: Thread, up_to_position: int, known_position: int | None
) -> None:
    """Move the member's read marker forward (never back) to ``up_to_position``.

    ``known_position`` is the marker the page already loaded (None: no marker
    yet), so reading an already-read page writes nothing.
    """
    if known_position is not None and known_position >= up_to_position:
        return
    if known_position is None:
        ReadState.objects.bulk_create(
            [ReadState(member=member, thread=thread, last_read_position=up_to_position)],
            ignore_conflicts=True,
        )
    ReadState.objects.filter(
        member=member, thread=thread, last_read_position__lt=up_to_position
    ).update(last_read_position=up_to_position)


def mark_category_read(*, member: User, category: Category) -> None:
    """Count every thread in the category as read, as of now."""
    CategoryReadMark.objects.update_or_create(
        member=member, category=category, defaults={"marked_at": timezone.now()}
    )


def save_draft(
    *,
    member: User,
    body: str,
    thread: Thread | None = None,
    category: Category | None = None,
    title: str = "",
) -> Draft | None:
    """Keep what the member is typing for a reply (thread) or a new thread (category).

    An empty composer removes the draft. Raises ValidationError over the size limit.
    """
    if len(body.encode()) > MAX_SOURCE_BYTES:
        raise ValidationError(too_long_message(), code="too_long")
    place = {"thread": thread} if thread else {"category": category, "thread": None}
    if not body.strip() and not title.strip():
        Draft.objects.filter(member=member, **place).delete()
        return None
    draft, _ = Draft.objects.update_or_create(
        member=member, **place, defaults={"body": body, "title": title[:TITLE_MAX_LENGTH]}
    )
    return draft


def set_reply_order(*, member: User, newest_first: bool) -> None:
    member.replies_newest_first = newest_first
    member.save(update_fields=["replies_newest_first"])


def _render(body: str) -> RenderedText:
    if not body.strip():
        raise ValidationError(_("Please write something before posting."), code="empty")
    try:
        return render_post_body(body)
    except SourceTooLong as error:
        raise ValidationError(too_long_message(), code="too_long") from error


def too_long_message() -> str:
    return _(
        "This is longer than we can accept (%(limit)s KB). Please split it into two posts."
    ) % {"limit": MAX_SOURCE_BYTES // 1024}


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Please give your thread a title."), code="empty_title")
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("Please keep the title under %(limit)s characters.") % {"limit": TITLE_MAX_LENGTH},
            code="title_too_long",
        )
    return title


def _post_for_request(author: User, request_key: str) -> Post | None:
    if not request_key:
        return None
    return (
        Post.objects.select_related("thread")
        .filter(author=author, request_key=request_key[:REQUEST_KEY_MAX_LENGTH])
        .first()
    )


def _insert_post(
    *,
    thread: Thread,
    position: int,
    author: User,
    body: str,
    rendered: RenderedText,
    request_key: str,
    now: datetime,
) -> Post:
    post = Post.objects.create(
        thread=thread,
        position=position,
        author=author,
        author_name=author.display_name,
        body=body,
        body_html=rendered.html,
        render_version=rendered.version,
        request_key=request_key[:REQUEST_KEY_MAX_LENGTH],
        created_at=now,
    )
    PostRevision.objects.create(
        post=post, number=1, body=body, author_name=author.display_name, created_at=now
    )
    return post


def _category_last_post(thread: Thread, author: User, now: datetime) -> dict[str, object]:
    return {
        "last_post_at": now,
        "last_thread_id": thread.pk,
        "last_thread_title": thread.title,
        "last_poster_name": author.display_name,
    }


def rerender_posts(*, everything: bool = False, batch_size: int = 200) -> int:
    """Re-render posts stored with an older render version; return how many changed.

    Works in batches by primary key, each its own short transaction, so a
    large forum can be re-rendered while it is being used. A post edited
    meanwhile keeps its newer text: the update is conditional on the body.
    """
    stale = Post.objects.filter(is_deleted=False)
    if not everything:
        stale = stale.exclude(render_version=RENDER_VERSION)
    count = 0
    last_id = 0
    while batch := list(
        stale.filter(pk__gt=last_id).order_by("pk").values_list("pk", "body")[:batch_size]
    ):
        for post_id, body in batch:
            rendered = render_post_body(body)
            count += Post.objects.filter(pk=post_id, body=body).update(
                body_html=rendered.html, render_version=rendered.version
            )
        last_id = batch[-1][0]
    return count
