"""Writes to the forum. Each is one transaction; Markdown is rendered before it starts.

Rendering happens outside the transaction so the write lock (SQLite) or the
thread's row lock (PostgreSQL) is held only for the inserts and counters.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hearth.accounts.models import MemberMute, User
from hearth.core.database_trouble import best_effort
from hearth.core.events import publish
from hearth.core.text import MAX_SOURCE_BYTES, RENDER_VERSION, SourceTooLong
from hearth.core.visible_text import has_visible_letters
from hearth.forum.counters import synchronise_thread
from hearth.forum.events import (
    MemberMentioned,
    PostDeleted,
    PostEdited,
    PostHeld,
    PostPublished,
    ReactionToggled,
    ThreadRead,
)
from hearth.forum.models import (
    BOOKMARK_NOTE_MAX_LENGTH,
    REACTION_COUNT_FIELDS,
    TITLE_MAX_LENGTH,
    AnonymousIdentity,
    Bookmark,
    Category,
    CategoryFollowing,
    CategoryReadMark,
    Draft,
    FollowLevel,
    HopingFor,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    ReadState,
    Thread,
    ThreadFollowing,
)
from hearth.forum.permissions import (
    check_can_delete_post,
    check_can_edit_post,
    check_can_post_anonymously,
    check_can_react,
    check_can_reply,
    check_can_start_thread,
)
from hearth.forum.text import RenderedPost, render_post_body
from hearth.forum.viewer import Viewer, viewer_for
from hearth.forum.visibility import can_read_post
from hearth.safety.crisis_matching import CrisisMatch
from hearth.safety.models import ContentNoteLabel
from hearth.safety.services import (
    find_crisis_signals,
    has_open_check_in,
    open_check_in,
    open_held_post_item,
)

# Labels a method-or-means crisis match folds a post under (seeded by safety's migration).
METHOD_NOTE_LABELS = ("suicide", "self-harm")

REQUEST_KEY_MAX_LENGTH = 64


@dataclass(frozen=True)
class EditConflict(Exception):  # noqa: N818 - a situation, not a bug: "an edit conflict"
    """Someone saved a newer revision since the editor opened the post."""

    current_body: str
    current_revision: int
    edited_by_name: str


@dataclass(frozen=True)
class RequestKeyReused(Exception):  # noqa: N818 - a situation: "the form's key was reused"
    """A form already posted was sent again with different text: nothing is posted, and
    both texts are kept for the member to choose."""

    existing: Post
    first_body: str


@dataclass(frozen=True)
class ContentNote:
    """The content note an author chose: labels and optional free text."""

    labels: tuple[ContentNoteLabel, ...] = ()
    text: str = ""


NO_CONTENT_NOTE = ContentNote()


def clean_hoping_for(values: Iterable[str]) -> list[str]:
    """What a thread's author hopes for, each once and in ``HopingFor``'s order.

    Raises ValidationError (code ``unknown_hoping_for``) for anything else.
    """
    wanted = set(values)
    if not wanted <= set(HopingFor.values):
        raise ValidationError(
            _("Choose what you're hoping for from: %(choices)s.")
            % {"choices": ", ".join(HopingFor.values)},
            code="unknown_hoping_for",
        )
    return [value for value in HopingFor.values if value in wanted]


def check_before_posting(
    *,
    author: User,
    category: Category,
    thread: Thread | None,
    title: str,
    body: str,
    anonymous: bool,
    hoping_for: Iterable[str] = (),
) -> None:
    """Make the checks ``start_thread`` (no ``thread``) or ``reply_to_thread`` makes before
    writing anything, without writing: for a post that goes live later
    (``hearth.forum.pending``), refused now, while its writer is there, rather than then.
    They are all made again when it goes live.
    """
    viewer = viewer_for(author)
    if thread is None:
        check_can_start_thread(viewer, category)
        _clean_title(title)
        clean_hoping_for(hoping_for)
    else:
        check_can_reply(viewer, thread)
    if anonymous:
        check_can_post_anonymously(viewer, category)
    rendered = _render(body)
    check_mention_limit(rendered, writer=author, viewer=viewer, author_id=author.pk)


def start_thread(
    *,
    author: User,
    category: Category,
    title: str,
    body: str,
    request_key: str,
    anonymous: bool = False,
    content_note: ContentNote = NO_CONTENT_NOTE,
    hoping_for: Iterable[str] = (),
) -> Thread:
    """Create a thread with its original post; the same request_key creates it once.

    ``hoping_for`` is what the author hopes for from replies (``HopingFor`` values).
    """
    viewer = viewer_for(author)
    check_can_start_thread(viewer, category)
    if anonymous:
        check_can_post_anonymously(viewer, category)
    title = _clean_title(title)
    wishes = clean_hoping_for(hoping_for)
    if existing := _post_for_request(author, request_key, body):
        return existing.thread
    rendered = _render(body)
    check_mention_limit(rendered, writer=author, viewer=viewer, author_id=author.pk)
    signals = find_crisis_signals(body, language=author.language)
    held = _should_hold(author, viewer)
    try:
        with transaction.atomic():
            if anonymous:
                _check_still_takes_anonymous(category.pk)
            now = timezone.now()
            thread = Thread.objects.create(
                category=category,
                title=title,
                author=author,
                author_name=author.display_name,
                created_at=now,
                last_post_at=now,
                last_poster_name=author.display_name,
                is_held=held,
                hoping_for=wishes,
            )
            name = _public_name(thread, author, anonymous=anonymous)
            post = _insert_post(
                thread=thread,
                position=1,
                author=author,
                author_name=name,
                body=body,
                rendered=rendered,
                request_key=request_key,
                now=now,
                anonymous=anonymous,
                held=held,
                content_note=content_note,
            )
            Thread.objects.filter(pk=thread.pk).update(
                last_post_id=post.pk, author_name=name, last_poster_name=name
            )
            thread.author_name = thread.last_poster_name = name
            if not held:
                _count_new_thread(thread, name, now)
            Draft.objects.filter(member=author, category=category, thread=None).delete()
            _after_publishing(post, signals, held=held)
            _announce(post, category_id=category.pk, held=held)
    except IntegrityError:
        # A concurrent submission of the same form won the race: return its thread.
        if existing := _post_for_request(author, request_key, body):
            return existing.thread
        raise
    thread.last_post_id = post.pk
    thread.first_post = post  # type: ignore[attr-defined]  # hands the view the check-in, if any
    return thread


def reply_to_thread(
    *,
    author: User,
    thread: Thread,
    body: str,
    request_key: str,
    anonymous: bool = False,
    content_note: ContentNote = NO_CONTENT_NOTE,
) -> Post:
    """Add a reply at the end of the thread; the same request_key posts once."""
    viewer = viewer_for(author)
    check_can_reply(viewer, thread)
    if anonymous:
        check_can_post_anonymously(viewer, thread.category)
    if existing := _post_for_request(author, request_key, body):
        return existing
    rendered = _render(body)
    check_mention_limit(rendered, writer=author, viewer=viewer, author_id=author.pk)
    signals = find_crisis_signals(body, language=author.language)
    held = _should_hold(author, viewer)
    try:
        with transaction.atomic():
            locked = (
                Thread.objects.select_for_update()
                .only("last_position", "category_id", "is_held")
                .get(pk=thread.pk)
            )
            if locked.category_id != thread.category_id:
                # Moved since the caller loaded it: count and queue in its category now.
                thread.category_id = locked.category_id
            if anonymous:
                # The thread may have moved, or its category changed, since the
                # check above: anonymous or not at all.
                _check_still_takes_anonymous(locked.category_id)
            now = timezone.now()
            name = _public_name(thread, author, anonymous=anonymous)
            post = _insert_post(
                thread=thread,
                position=locked.last_position + 1,
                author=author,
                author_name=name,
                body=body,
                rendered=rendered,
                request_key=request_key,
                now=now,
                anonymous=anonymous,
                held=held,
                content_note=content_note,
            )
            if held:
                Thread.objects.filter(pk=thread.pk).update(last_position=post.position)
            else:
                _count_new_reply(
                    thread, post, last_position=post.position, thread_counts=not locked.is_held
                )
            Draft.objects.filter(member=author, thread=thread).delete()
            _count_own_post_as_read(author, thread, previous_last=locked.last_position, post=post)
            _after_publishing(post, signals, held=held)
            _announce(post, category_id=locked.category_id, held=held)
    except IntegrityError:
        if existing := _post_for_request(author, request_key, body):
            return existing
        raise
    return post


def _count_own_post_as_read(
    author: User, thread: Thread, *, previous_last: int, post: Post
) -> None:
    """A writer has read what they wrote: if they had read the thread up to the post before
    theirs, move their read marker past their own, so the page they land on offers no jump
    to "first unread" for it. A reply from someone else they have not seen yet (posted
    while they wrote, or while their post waited to go live) stays unread. One statement."""
    ReadState.objects.filter(
        member=author, thread_id=thread.pk, last_read_position__gte=previous_last
    ).update(last_read_position=post.position)


def _check_still_takes_anonymous(category_id: int) -> None:
    if not Category.objects.filter(pk=category_id, allow_anonymous=True).exists():
        raise PermissionDenied(
            _("This category doesn't take anonymous posts now, so nothing was posted.")
        )


def release_held_post(post: Post, *, approved_by: User | None = None) -> bool:
    """Publish a held post: it joins the counts and lists in its place. Returns False (and
    changes nothing) when it was not held."""
    with transaction.atomic():
        updated = Post.objects.filter(pk=post.pk, is_held=True).update(is_held=False)
        if not updated:
            return False
        if post.is_original_post:
            Thread.objects.filter(pk=post.thread_id).update(is_held=False)
        synchronise_thread(post.thread_id)
        post.is_held = False
        _announce(
            post,
            category_id=post.thread.category_id,
            held=False,
            approved_by_id=approved_by.pk if approved_by else None,
        )
        return True


def _announce(
    post: Post, *, category_id: int, held: bool, approved_by_id: int | None = None
) -> None:
    """Publish what a new (or newly approved) post means: held for a moderator, or
    published, with a mention event for each member its text names."""
    ids = {"post_id": post.pk, "thread_id": post.thread_id, "category_id": category_id}
    assert post.author_id is not None  # a post being published has its author
    if held:
        publish(PostHeld(**ids, author_id=post.author_id))
        return
    mentioned = without_blockers(
        [member_id for member_id in post.mentioned_member_ids if member_id != post.author_id],
        author_id=post.author_id,
    )
    publish(
        PostPublished(
            **ids,
            author_id=post.author_id,
            position=post.position,
            is_anonymous=post.is_anonymous,
            mentioned_member_ids=mentioned,
            approved_by_id=approved_by_id,
        )
    )
    for member_id in mentioned:
        publish(
            MemberMentioned(
                **ids,
                mentioned_member_id=member_id,
                author_id=post.author_id,
                is_anonymous=post.is_anonymous,
            )
        )


def _count_new_thread(thread: Thread, name: str, now: datetime) -> None:
    Category.objects.filter(pk=thread.category_id).update(
        thread_count=F("thread_count") + 1,
        post_count=F("post_count") + 1,
        **_category_last_post(thread, name, now),
    )


def _count_new_reply(
    thread: Thread, post: Post, *, last_position: int, thread_counts: bool
) -> None:
    """Count a published reply in its thread and, if the thread counts, its category (the
    rule of ``hearth.forum.counters`` for one new post), moving the thread's last position
    in the same statement: one statement fewer under the lock."""
    Thread.objects.filter(pk=thread.pk).update(
        reply_count=F("reply_count") + 1,
        last_post_at=post.created_at,
        last_post_id=post.pk,
        last_poster_name=post.author_name,
        last_position=last_position,
    )
    if not thread_counts:
        return  # a held thread is not counted yet: approving it counts everything
    Category.objects.filter(pk=thread.category_id).update(
        post_count=F("post_count") + 1,
        **_category_last_post(thread, post.author_name, post.created_at),
    )


_writing_as_approved: ContextVar[bool] = ContextVar("writing_as_approved", default=False)


@contextmanager
def writing_as_approved() -> Iterator[None]:
    """Posts written inside are published as approved, whatever HEARTH_HOLD_FIRST_POSTS says.

    For content an operator loads on purpose (the demo community), never for
    anything a member sends.
    """
    token = _writing_as_approved.set(True)
    try:
        yield
    finally:
        _writing_as_approved.reset(token)


def _should_hold(author: User, viewer: Viewer) -> bool:
    """Hold a new member's first posts for approval, if the operator asked for that."""
    limit: int = settings.HEARTH_HOLD_FIRST_POSTS
    if limit <= 0 or viewer.is_moderator or _writing_as_approved.get():
        return False
    published = Post.objects.filter(author=author, is_held=False, is_hidden=False).count()
    return published < limit


def _public_name(thread: Thread, author: User, *, anonymous: bool) -> str:
    """The name shown with a post: the display name, or the thread's pseudonym for the author."""
    if not anonymous:
        return author.display_name
    identity = AnonymousIdentity.objects.filter(thread=thread, member=author).first()
    if identity is None:
        number = AnonymousIdentity.objects.filter(thread=thread).count()
        identity = AnonymousIdentity.objects.create(thread=thread, member=author, number=number)
    return identity.pseudonym


def _after_publishing(post: Post, signals: list[CrisisMatch], *, held: bool) -> None:
    """Queue what moderators should see: a held post, and a check-in on crisis signals.

    The post is published as normal whatever matched (CARE.md); a method or
    means match also folds it under a content note.
    """
    ids = {"post_id": post.pk, "thread_id": post.thread_id, "category_id": post.thread.category_id}
    if held:
        open_held_post_item(**ids)
    if not signals:
        return
    item = open_check_in(**ids, matches=signals)
    post.check_in_item_id = item.pk
    if any(signal.is_method for signal in signals):
        added = ContentNoteLabel.objects.filter(slug__in=METHOD_NOTE_LABELS)
        set_post_labels(post, [*post.content_notes.all(), *added])


def edit_post(
    *,
    editor: User,
    post: Post,
    body: str,
    base_revision: int,
    reason: str = "",
    content_note: ContentNote | None = None,
    hoping_for: Iterable[str] | None = None,
    title: str | None = None,
) -> Post:
    """Save a new revision of a post (and, if given, its content note, and for the
    original post's author, what they hope for from replies and the thread's title).

    Raises EditConflict, changing nothing, when ``base_revision`` is not the
    post's current revision: someone saved in between, and both texts must
    survive for the editor to merge. An edit is publishing too, so it is
    checked for crisis signals like a new post. PermissionDenied when
    ``hoping_for`` or ``title`` is given by anyone but the thread's author, or
    for a reply; ValidationError (code ``empty_title``) for a title without letters.
    A new title is a new revision (the original post's revisions record the title),
    and like any change to the text it publishes ``PostEdited``. Saving deletes the
    editor's draft of this edit.
    """
    viewer = viewer_for(editor)
    check_can_edit_post(viewer, post)
    is_thread_author = post.is_original_post and editor.pk == post.thread.author_id
    wishes = None
    if hoping_for is not None:
        if not is_thread_author:
            raise PermissionDenied(_("Only the thread's author can say what they're hoping for."))
        wishes = clean_hoping_for(hoping_for)
    if title is not None:
        if not is_thread_author:
            raise PermissionDenied(_("Only the thread's author can change its title."))
        title = _clean_title(title)
    rendered = _render(body)
    # A post already over the limit (written before it, or by someone it did not hold)
    # can still be corrected: only mentioning someone new is refused.
    check_mention_limit(
        rendered,
        writer=editor,
        viewer=viewer,
        author_id=post.author_id,
        already_mentioned=post.mentioned_member_ids,
    )
    signals = (
        find_crisis_signals(body, language=editor.language) if editor.pk == post.author_id else []
    )
    # The author of an anonymous post edits under the thread's pseudonym.
    editor_name = post.author_name if editor.pk == post.author_id else editor.display_name
    with transaction.atomic():
        current = Post.objects.select_for_update().get(pk=post.pk)
        if current.revision != base_revision:
            raise EditConflict(
                current_body=current.body,
                current_revision=current.revision,
                edited_by_name=current.edited_by_name or current.author_name,
            )
        Draft.objects.filter(member=editor, post=post).delete()
        if content_note is not None:
            _set_content_note(current, content_note)
        wishes_changed = wishes is not None and wishes != post.thread.hoping_for
        if wishes is not None and wishes_changed:
            Thread.objects.filter(pk=post.thread_id).update(hoping_for=wishes)
            post.thread.hoping_for = wishes
        thread_title = post.thread.title
        retitled = title is not None and title != thread_title
        if title is not None and retitled:
            _retitle_thread(post.thread, title)
            thread_title = title
        if current.body != body or retitled:
            now = timezone.now()
            number = current.revision + 1
            PostRevision.objects.create(
                post=current,
                number=number,
                body=body,
                title=thread_title if current.is_original_post else "",
                author_name=editor_name,
                reason=reason.strip(),
                created_at=now,
            )
            mentioned = mentioned_member_ids(rendered, author_id=current.author_id)
            Post.objects.filter(pk=post.pk).update(
                body=body,
                body_html=rendered.html,
                render_version=rendered.version,
                revision=number,
                edited_at=now,
                edited_by_name=editor_name,
                mentioned_member_ids=mentioned,
            )
            publish(
                PostEdited(
                    post_id=post.pk,
                    thread_id=current.thread_id,
                    category_id=post.thread.category_id,
                    editor_id=editor.pk,
                    revision=number,
                    mentioned_member_ids=without_blockers(mentioned, author_id=current.author_id),
                )
            )
            if signals and not has_open_check_in(post_id=post.pk):
                _after_publishing(current, signals, held=False)
        elif wishes_changed:
            # No new text, but the thread's page and lists show the wishes: the same event
            # renews what shows them (visitors' pages, live pages).
            publish(
                PostEdited(
                    post_id=post.pk,
                    thread_id=current.thread_id,
                    category_id=post.thread.category_id,
                    editor_id=editor.pk,
                    revision=current.revision,
                )
            )
    check_in_item_id = current.check_in_item_id
    post.refresh_from_db()
    post.check_in_item_id = check_in_item_id
    return post


def _retitle_thread(thread: Thread, title: str) -> None:
    """Give a thread a new title, and its category's "last activity" the same if it names
    this thread (the copies lists read; search re-indexes on the edit's event)."""
    Thread.objects.filter(pk=thread.pk).update(title=title)
    Category.objects.filter(pk=thread.category_id, last_thread_id=thread.pk).update(
        last_thread_title=title
    )
    thread.title = title


def _set_content_note(post: Post, content_note: ContentNote) -> None:
    Post.objects.filter(pk=post.pk).update(content_note_text=content_note.text.strip()[:120])
    set_post_labels(post, content_note.labels)


def set_post_labels(post: Post, labels: Iterable[ContentNoteLabel]) -> None:
    """Set a post's content-note labels (and its thread's, for the original post).

    Keeps the denormalised ``note_label_ids`` in step and bumps the version.
    """
    chosen = {label.pk: label for label in labels}.values()
    post.content_notes.set(chosen)
    if post.is_original_post:
        post.thread.content_notes.set(chosen)
    Post.objects.filter(pk=post.pk).update(note_label_ids=sorted(label.pk for label in chosen))


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
    Draft.objects.filter(post=post).delete()  # unsaved edits of its text go with it
    # A held post never counted: working the numbers out again, rather than taking
    # one away, keeps them true whatever the post's state was.
    synchronise_thread(post.thread_id)
    publish(
        PostDeleted(
            post_id=post.pk,
            thread_id=post.thread_id,
            category_id=post.thread.category_id,
            author_id=member.pk,
        )
    )


def toggle_reaction(*, member: User, post: Post, kind: ReactionKind) -> bool:
    """Add the member's reaction of this kind, or take it back; return whether it is on."""
    check_can_react(viewer_for(member), post)
    counter = REACTION_COUNT_FIELDS[kind]
    ids = {"post_id": post.pk, "thread_id": post.thread_id, "category_id": post.thread.category_id}
    with transaction.atomic():
        removed, _by_model = Reaction.objects.filter(post=post, member=member, kind=kind).delete()
        if removed:
            Post.objects.filter(pk=post.pk).update_reaction_counts(**{counter: F(counter) - 1})
            publish(ReactionToggled(**ids, member_id=member.pk, kind=str(kind), is_on=False))
            return False
        _reaction, created = Reaction.objects.get_or_create(post=post, member=member, kind=kind)
        if created:
            Post.objects.filter(pk=post.pk).update_reaction_counts(**{counter: F(counter) + 1})
            publish(ReactionToggled(**ids, member_id=member.pk, kind=str(kind), is_on=True))
        return True


def withdraw_reactions_of(member: User) -> None:
    """Take back every reaction of a member whose account is being deleted, so the
    posts' counts stay true (the reaction rows go with the account), and say so, so
    grouped notifications ("Fern and 3 others") are counted again."""
    with transaction.atomic():
        for kind, counter in REACTION_COUNT_FIELDS.items():
            reacted = list(
                Reaction.objects.filter(member=member, kind=kind).values_list(
                    "post_id", "post__thread_id", "post__thread__category_id"
                )
            )
            if not reacted:
                continue
            Post.objects.filter(pk__in=[post_id for post_id, *_ in reacted]).update_reaction_counts(
                **{counter: F(counter) - 1}
            )
            for post_id, thread_id, category_id in reacted:
                publish(
                    ReactionToggled(
                        post_id=post_id,
                        thread_id=thread_id,
                        category_id=category_id,
                        member_id=member.pk,
                        kind=str(kind),
                        is_on=False,
                    )
                )


def mark_thread_read(
    *, member: User, thread: Thread, up_to_position: int, known_position: int | None
) -> None:
    """Move the member's read marker forward (never back) to ``up_to_position``.

    ``known_position`` is the marker the page already loaded (None: no marker
    yet), so reading an already-read page writes nothing.
    """
    if known_position is not None and known_position >= up_to_position:
        return

    def write() -> None:
        if known_position is None:
            ReadState.objects.bulk_create(
                [ReadState(member=member, thread=thread, last_read_position=up_to_position)],
                ignore_conflicts=True,
            )
        ReadState.objects.filter(
            member=member, thread=thread, last_read_position__lt=up_to_position
        ).update(last_read_position=up_to_position)
        if member.unread_notifications:
            publish(
                ThreadRead(member_id=member.pk, thread_id=thread.pk, up_to_position=up_to_position)
            )

    # Best effort: a locked or absent database skips the marker, never the page.
    best_effort("the read marker", write)


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
    post: Post | None = None,
    base_revision: int | None = None,
    title: str = "",
) -> Draft | None:
    """Keep what the member is typing for a reply (thread), a new thread (category), or an
    edit of a post (post, with the revision the edit started from).

    An empty composer removes the draft, and so does an edit back to the post as it is.
    Raises ValidationError over the size limit, PermissionDenied for a post the member may
    not edit.
    """
    if len(body.encode()) > MAX_SOURCE_BYTES:
        raise ValidationError(too_long_message(), code="too_long")
    if post is not None:
        return _save_edit_draft(
            member=member, post=post, body=body, base_revision=base_revision, title=title
        )
    place = {"thread": thread} if thread else {"category": category, "thread": None}
    if not body.strip() and not title.strip():
        Draft.objects.filter(member=member, **place).delete()
        return None
    draft, _created = Draft.objects.update_or_create(
        member=member, **place, defaults={"body": body, "title": title[:TITLE_MAX_LENGTH]}
    )
    return draft


def _save_edit_draft(
    *, member: User, post: Post, body: str, base_revision: int | None, title: str
) -> Draft | None:
    check_can_edit_post(viewer_for(member), post)
    # Only the thread's author may change its title, on its original post.
    offers_title = post.is_original_post and member.pk == post.thread.author_id
    title = title[:TITLE_MAX_LENGTH] if offers_title else ""
    unchanged = body == post.body and (not title or title == post.thread.title)
    if unchanged or not body.strip():
        Draft.objects.filter(member=member, post=post).delete()
        return None
    draft, _created = Draft.objects.update_or_create(
        member=member,
        post=post,
        defaults={
            "thread": None,
            "category": None,
            "body": body,
            "title": title,
            "base_revision": base_revision or post.revision,
        },
    )
    return draft


def discard_edit_draft(*, member: User, post: Post) -> None:
    """Forget the member's unsaved edit of a post (they cancelled it)."""
    Draft.objects.filter(member=member, post=post).delete()


def set_reply_order(*, member: User, newest_first: bool) -> None:
    member.replies_newest_first = newest_first
    member.save(update_fields=["replies_newest_first"])


def _render(body: str) -> RenderedPost:
    if not body.strip():
        raise ValidationError(_("Please write something before posting."), code="empty")
    try:
        return render_post_body(body)
    except SourceTooLong as error:
        raise ValidationError(too_long_message(), code="too_long") from error


def without_blockers(member_ids: list[int], *, author_id: int | None) -> list[int]:
    """Leave out the members who blocked the author: a blocked member's @mention of them is
    no mention (no event, no notification), checked when the post is published (CARE.md).

    The text stays as written, the name linked like any other: anything else would tell the
    writer they are blocked. One query; none without mentions.
    """
    if not member_ids or author_id is None:
        return member_ids
    blocking = set(
        MemberMute.objects.filter(
            member_id__in=member_ids, muted_id=author_id, is_block=True
        ).values_list("member_id", flat=True)
    )
    return [member_id for member_id in member_ids if member_id not in blocking]


def mentioned_member_ids(rendered: RenderedPost, *, author_id: int | None) -> list[int]:
    """The members a rendered post mentions, its author left out."""
    return [member_id for member_id in rendered.mentioned_member_ids if member_id != author_id]


FIRST_WEEK = timedelta(days=7)


def most_mentions_for(writer: User, viewer: Viewer) -> int:
    """How many members one post by ``writer`` may mention: fewer in their first week,
    unless they moderate (like holding first posts, a rule for newcomers)."""
    most: int = settings.HEARTH_MOST_MENTIONS_PER_POST
    if not viewer.is_moderator and timezone.now() - writer.date_joined < FIRST_WEEK:
        most = min(most, settings.HEARTH_MOST_MENTIONS_FIRST_WEEK)
    return most


def check_mention_limit(
    rendered: RenderedPost,
    *,
    writer: User,
    viewer: Viewer,
    author_id: int | None,
    already_mentioned: Iterable[int] = (),
) -> None:
    """Refuse a text that mentions more members than its writer may in one post.

    Counts the distinct members the text links (names of no active member do
    not count, nor the author). A text that mentions nobody beyond
    ``already_mentioned`` (the post's mentions before an edit) passes. Raises
    ValidationError (code ``too_many_mentions``); runs no queries.
    """
    mentioned = set(mentioned_member_ids(rendered, author_id=author_id))
    most = most_mentions_for(writer, viewer)
    if len(mentioned) <= most or mentioned <= set(already_mentioned):
        return
    numbers = {"most": most, "count": len(mentioned)}
    if most < settings.HEARTH_MOST_MENTIONS_PER_POST:
        message = ngettext(
            "In your first week you can mention at most %(most)s member in one post; "
            "this one mentions %(count)s.",
            "In your first week you can mention at most %(most)s members in one post; "
            "this one mentions %(count)s.",
            most,
        )
    else:
        message = ngettext(
            "You can mention at most %(most)s member in one post; this one mentions %(count)s.",
            "You can mention at most %(most)s members in one post; this one mentions %(count)s.",
            most,
        )
    raise ValidationError(message % numbers, code="too_many_mentions")


def too_long_message() -> str:
    return _(
        "This is longer than we can accept (%(limit)s KB). Please split it into two posts."
    ) % {"limit": MAX_SOURCE_BYTES // 1024}


def _clean_title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise ValidationError(_("Please give your thread a title."), code="empty_title")
    if not has_visible_letters(title):
        raise ValidationError(
            _("Please give your thread a title with at least one letter or number."),
            code="empty_title",
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise ValidationError(
            _("Please keep the title under %(limit)s characters.") % {"limit": TITLE_MAX_LENGTH},
            code="title_too_long",
        )
    return title


def find_post_for_request(author: User, request_key: str) -> Post | None:
    """The post this member already sent with this form's key, if any."""
    if not request_key:
        return None
    return (
        Post.objects.select_related("thread")
        .filter(author=author, request_key=request_key[:REQUEST_KEY_MAX_LENGTH])
        .first()
    )


def _post_for_request(author: User, request_key: str, body: str) -> Post | None:
    """The post a resent form already made -- or RequestKeyReused when the form was sent
    again with other text (edited and resent): that must not silently keep the old one."""
    existing = find_post_for_request(author, request_key)
    if existing is None:
        return None
    first = existing.revisions.filter(number=1).values_list("body", flat=True).first()
    if first is not None and first != body:
        raise RequestKeyReused(existing=existing, first_body=first)
    return existing


def _insert_post(
    *,
    thread: Thread,
    position: int,
    author: User,
    author_name: str,
    body: str,
    rendered: RenderedPost,
    request_key: str,
    now: datetime,
    anonymous: bool,
    held: bool,
    content_note: ContentNote,
) -> Post:
    post = Post.objects.create(
        thread=thread,
        position=position,
        author=author,
        author_name=author_name,
        body=body,
        body_html=rendered.html,
        render_version=rendered.version,
        request_key=request_key[:REQUEST_KEY_MAX_LENGTH],
        created_at=now,
        is_anonymous=anonymous,
        is_held=held,
        content_note_text=content_note.text.strip()[:120],
        mentioned_member_ids=mentioned_member_ids(rendered, author_id=author.pk),
    )
    if content_note.labels:
        set_post_labels(post, content_note.labels)
    PostRevision.objects.create(
        post=post,
        number=1,
        body=body,
        title=thread.title if position == 1 else "",
        author_name=author_name,
        created_at=now,
    )
    return post


def _category_last_post(thread: Thread, name: str, now: datetime) -> dict[str, object]:
    return {
        "last_post_at": now,
        "last_thread_id": thread.pk,
        "last_thread_title": thread.title,
        "last_poster_name": name,
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


def follow_thread(*, member: User, thread: Thread, level: FollowLevel | None) -> None:
    """Choose how to follow a thread (``FollowLevel``; muted also takes it out of the
    member's lists), or go back to the default with None."""
    if level is None:
        ThreadFollowing.objects.filter(member=member, thread=thread).delete()
        return
    ThreadFollowing.objects.update_or_create(
        member=member, thread=thread, defaults={"level": level, "updated_at": timezone.now()}
    )


def follow_category(*, member: User, category: Category, level: FollowLevel | None) -> None:
    """Choose how to follow a whole category, or go back to the default with None."""
    if level is None:
        CategoryFollowing.objects.filter(member=member, category=category).delete()
        return
    CategoryFollowing.objects.update_or_create(
        member=member, category=category, defaults={"level": level, "updated_at": timezone.now()}
    )


# --- Saved posts (bookmarks): private to the member, no events, no audit -------------


def _check_can_save(member: User, post: Post) -> None:
    """Only a post whose text the member may read now can be saved or annotated."""
    if not can_read_post(viewer_for(member), post):
        raise PermissionDenied(_("You can only save a post you can read."))


def clean_bookmark_note(note: str) -> str:
    """The note as it is kept: trimmed, with browsers' CRLF line breaks as one character
    (as the form's ``maxlength`` counted them); raises ValidationError when it is too long
    or holds a character no database keeps (NUL)."""
    note = note.replace("\r\n", "\n").strip()
    if "\x00" in note:
        raise ValidationError(_("The note holds a character we can't keep."), code="null")
    if len(note) > BOOKMARK_NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Keep the note to %(most)s characters; it has %(count)s.")
            % {"most": BOOKMARK_NOTE_MAX_LENGTH, "count": len(note)},
            code="too_long",
        )
    return note


@transaction.atomic
def save_post(*, member: User, post: Post) -> Bookmark:
    """Save a post for the member to come back to; saving it again changes nothing.

    Raises PermissionDenied for a post the member may not read.
    """
    _check_can_save(member, post)
    bookmark, _created = Bookmark.objects.get_or_create(member=member, post=post)
    return bookmark


@transaction.atomic
def unsave_post(*, member: User, post: Post) -> bool:
    """Take a post out of the member's saved posts, note and all; answer whether it was
    saved."""
    removed, _by_model = Bookmark.objects.filter(member=member, post=post).delete()
    return bool(removed)


@transaction.atomic
def set_bookmark_note(*, member: User, post: Post, note: str) -> Bookmark:
    """Keep the member's private note on a saved post (an empty note clears it); a post not
    saved (any more) is saved with it.

    Raises ValidationError for a note ``clean_bookmark_note`` refuses, PermissionDenied
    for a post the member may not read.
    """
    note = clean_bookmark_note(note)
    _check_can_save(member, post)
    bookmark, _created = Bookmark.objects.update_or_create(
        member=member, post=post, defaults={"note": note}
    )
    return bookmark
