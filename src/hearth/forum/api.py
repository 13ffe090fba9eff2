"""The forum's JSON endpoints (mounted at /api/v1/ by ``hearth.api``).

The same path as the pages: parse -> fetch and authorise (``get_*_for_viewer_or_404``:
hidden means 404) -> service -> answer. Rate limits count in the same buckets as the
pages' forms, request keys make a retried write happen once, edit conflicts keep both
texts -- all decided by the services and rules the pages use.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from hearth.accounts.models import User
from hearth.core.api_schema import (
    LARGEST_ID,
    VISITORS_MAY_CALL,
    ApiError,
    ConflictOut,
    IdempotencyKey,
    ObjectId,
    responses,
)
from hearth.core.ratelimit import RateLimit, allow
from hearth.forum import listings, pending, selectors, services
from hearth.forum.api_schemas import (
    AuthorOut,
    CategoryListOut,
    CategoryOut,
    ContentNoteIn,
    ContentNoteLabelOut,
    ContentNoteLabelsOut,
    ContentNoteOut,
    EditPostIn,
    NewThreadIn,
    PostOut,
    ReactionCountsOut,
    ReactionOut,
    ReplyIn,
    ThreadCreatedOut,
    ThreadListOut,
    ThreadOut,
    ThreadPageOut,
    ThreadSummaryOut,
    WaitingPostOut,
    WaitingPostsOut,
)
from hearth.forum.models import Category, PendingPost, Post, ReactionKind, Thread
from hearth.forum.permissions import check_can_edit_post, why_cannot_reply
from hearth.forum.post_rows import PostRow
from hearth.forum.selectors import PostView
from hearth.forum.viewer import Viewer, get_viewer
from hearth.safety.selectors import active_labels

router = Router()

# The pages' buckets (hearth.forum.views): the API is no way around a limit.
POST_RATE = RateLimit.parse(settings.HEARTH_POST_RATE_LIMIT)
ACTION_RATE = RateLimit.parse(settings.HEARTH_ACTION_RATE_LIMIT)
LARGEST_PAGE = 10**9


def _member(request: HttpRequest) -> User:
    """The signed-in member (authentication let no one else through to a write)."""
    user = request.user
    if not isinstance(user, User):
        raise ApiError(401, "unauthorized", _("Sign in, or send a personal access token."))
    return user


def _too_fast() -> ApiError:
    return ApiError(
        429,
        "rate_limited",
        _(
            "You're posting faster than we allow. Please wait a few minutes and send it "
            "again; your text is still here."
        ),
    )


def _request_key(sent: str, header: str | None) -> str:
    """The client's key for this write (body or ``Idempotency-Key``), or a fresh one."""
    if sent and header and sent != header:
        raise ApiError(
            422,
            "validation_failed",
            _("The request_key and the Idempotency-Key header differ: send one of them."),
            fields={"request_key": [_("Differs from the Idempotency-Key header.")]},
        )
    return sent or header or uuid.uuid4().hex


def _refuse_unless_resent(member: User, request_key: str) -> None:
    """Over the posting limit -- unless this key already posted: a retry is answered with
    what it made, never "too fast" (the pages' rule)."""
    if not allow("post", member.pk, POST_RATE) and (
        services.find_post_for_request(member, request_key) is None
    ):
        raise _too_fast()


def _content_note(sent: ContentNoteIn | None) -> services.ContentNote | None:
    if sent is None:
        return None
    wanted = set(sent.label_ids)
    labels = tuple(label for label in active_labels() if label.pk in wanted)
    if len(labels) != len(wanted):
        message = _("Choose content-note labels from the list (GET /api/v1/content-notes).")
        raise ApiError(
            422,
            "validation_failed",
            message,
            fields={"label_ids": [message]},
        )
    return services.ContentNote(labels=labels, text=sent.text)


def _invalid(error: ValidationError, *, title_codes: frozenset[str] = frozenset()) -> ApiError:
    field = "title" if error.code in title_codes else "body"
    if error.code == "unknown_hoping_for":
        field = "hoping_for"
    messages = list(error.messages)
    return ApiError(422, "validation_failed", " ".join(messages), fields={field: messages})


# --- What is shown ------------------------------------------------------------------------


def _category_out(category: Category, *, listed_last: frozenset[int] | None = None) -> CategoryOut:
    shows_last = listed_last is not None and category.last_thread_id in listed_last
    return CategoryOut(
        slug=category.slug,
        name=category.name,
        description=category.description,
        visibility=category.visibility,
        allows_anonymous=category.allow_anonymous,
        thread_count=category.thread_count,
        post_count=category.post_count,
        last_post_at=category.last_post_at,
        last_thread_id=category.last_thread_id if shows_last else None,
        last_thread_title=category.last_thread_title if shows_last else None,
    )


def _thread_out(viewer: Viewer, thread: Thread) -> ThreadOut:
    reason = why_cannot_reply(viewer, thread)
    return ThreadOut(
        id=thread.pk,
        title=thread.title,
        category=_category_out(thread.category),
        author_name=thread.author_name,
        hoping_for=list(thread.hoping_for),
        created_at=thread.created_at,
        is_pinned=thread.is_pinned,
        is_locked=thread.is_locked,
        reply_count=thread.reply_count,
        last_post_at=thread.last_post_at,
        can_reply=reason is None,
        why_cannot_reply=str(reason) if reason is not None else None,
    )


def _shows_text(view: PostView) -> bool:
    """The page shows the post's text (and reactions): not deleted, and not hidden from this
    viewer (``forum/_post_article.html``)."""
    return not view.post.is_deleted and (not view.is_hidden or view.shows_hidden_text)


def _posts_out(views: list[PostView]) -> list[PostOut]:
    """The posts as the page shows them; the texts it shows in one query."""
    texts = selectors.post_texts([view.post.pk for view in views if _shows_text(view)])
    return [_post_out(view, texts.get(view.post.pk)) for view in views]


def _post_out(view: PostView, text: tuple[str, str] | None) -> PostOut:
    post: PostRow = view.post
    shown = text is not None
    note = None
    if view.has_content_note:
        note = ContentNoteOut(
            labels=list(view.note_labels), text=view.note_text, is_folded=view.is_folded_by_note
        )
    counts = (post.hug_count, post.heart_count, post.thanks_count, post.me_too_count)
    hug, heart, thanks, me_too = counts if shown else (0, 0, 0, 0)
    return PostOut(
        id=post.pk,
        thread_id=post.thread.pk,
        position=post.position,
        author=AuthorOut(name=view.author_name, username=view.author_username or None),
        is_anonymous=post.is_anonymous,
        created_at=post.created_at,
        revision=post.revision,
        edited_at=post.edited_at if shown else None,
        edited_by_name=(post.edited_by_name or None) if shown and post.edited_at else None,
        is_deleted=post.is_deleted,
        is_hidden=view.is_hidden,
        hidden_reason=(post.hidden_reason or None) if view.is_hidden and shown else None,
        is_held=view.is_held,
        body_html=text[0] if text is not None else None,
        source=text[1] if text is not None and view.can_edit else None,
        content_note=note,
        is_from_muted_member=view.is_from_muted_member,
        reactions=ReactionCountsOut(hug=hug, heart=heart, thanks=thanks, me_too=me_too),
        own_reactions=sorted(view.own_reactions),
        is_own=view.is_own,
        is_saved=view.is_saved,
        can_edit=view.can_edit,
        can_delete=view.can_delete,
        can_react=view.can_react,
    )


def _one_post_out(viewer: Viewer, post: Post) -> PostOut:
    return _posts_out([selectors.get_post_view(viewer, post)])[0]


# --- Categories and their threads -----------------------------------------------------------


@router.get(
    "/categories",
    response=responses({200: CategoryListOut}),
    url_name="categories",
    openapi_extra=VISITORS_MAY_CALL,
)
def list_categories(request: HttpRequest) -> CategoryListOut:
    """The categories the viewer may read, in their display order (the home page's)."""
    viewer = get_viewer(request)
    categories, listed_last = listings.home_categories(viewer)
    if not viewer.is_member and not categories:
        raise ApiError(401, "unauthorized", _("Sign in, or send a personal access token."))
    return CategoryListOut(
        categories=[_category_out(each, listed_last=listed_last) for each in categories]
    )


@router.get(
    "/categories/{slug}/threads",
    response=responses({200: ThreadListOut}),
    url_name="category_threads",
    openapi_extra=VISITORS_MAY_CALL,
)
def list_category_threads(
    request: HttpRequest,
    slug: Annotated[str, Path(max_length=100)],
    after: Annotated[str | None, Query(max_length=80, description="A page's next_cursor.")] = None,
) -> ThreadListOut:
    """A page of a category's threads, pinned first, then by latest activity (keyset
    pages: pass ``next_cursor`` as ``after``)."""
    viewer = get_viewer(request)
    found = selectors.get_category_for_viewer_or_404(viewer, slug)
    cursor = None
    if after:
        try:
            cursor = selectors.Cursor.decode(after)
        except ValueError:
            cursor = None
        if cursor is None or not 0 < cursor.thread_id <= LARGEST_ID:
            raise ApiError(
                422,
                "validation_failed",
                _("That page link is not valid."),
                fields={"after": [_("Use a next_cursor this API gave.")]},
            )
    page = selectors.get_category_page(viewer, found, cursor)
    return ThreadListOut(
        category=_category_out(found),
        threads=[
            ThreadSummaryOut(
                id=row.pk,
                title=row.title,
                author_name=row.author_name,
                is_pinned=row.is_pinned,
                is_locked=row.is_locked,
                reply_count=row.reply_count,
                last_post_at=row.last_post_at,
                last_poster_name=row.last_poster_name,
                is_unread=row.is_unread,
            )
            for row in page.rows
        ],
        next_cursor=page.next_cursor.encode() if page.next_cursor else None,
    )


@router.post(
    "/categories/{slug}/threads",
    response=responses({201: ThreadCreatedOut, 202: WaitingPostOut}, conflict=True),
    url_name="start_thread",
)
def start_thread(
    request: HttpRequest,
    slug: Annotated[str, Path(max_length=100)],
    payload: NewThreadIn,
    idempotency_key: IdempotencyKey = None,
) -> Status[ThreadCreatedOut] | Status[WaitingPostOut]:
    """Start a thread; the same request key starts it once (a retry answers with it)."""
    viewer = get_viewer(request)
    found = selectors.get_category_for_viewer_or_404(viewer, slug)
    member = _member(request)
    request_key = _request_key(payload.request_key, idempotency_key)
    _refuse_unless_resent(member, request_key)
    delay = _delay(member, payload.goes_live_in_minutes)
    try:
        if delay:
            waiting = pending.hold_back(
                author=member,
                category=found,
                thread=None,
                title=payload.title,
                body=payload.body,
                request_key=request_key,
                delay_minutes=delay,
                anonymous=payload.anonymous,
                content_note=_content_note(payload.content_note) or services.NO_CONTENT_NOTE,
                hoping_for=payload.hoping_for,
            )
            return Status(202, _waiting_out(request, waiting))
        thread = services.start_thread(
            author=member,
            category=found,
            title=payload.title,
            body=payload.body,
            request_key=request_key,
            anonymous=payload.anonymous,
            content_note=_content_note(payload.content_note) or services.NO_CONTENT_NOTE,
            hoping_for=payload.hoping_for,
        )
    except ValidationError as error:
        raise _invalid(error, title_codes=frozenset({"empty_title", "title_too_long"})) from error
    except services.RequestKeyReused as reused:
        raise _key_reused(reused, payload.body) from reused
    thread = selectors.get_thread_for_viewer_or_404(get_viewer(request), thread.pk)
    first = selectors.get_post_at_position(thread, 1)
    assert first is not None  # a thread has its original post
    post = selectors.get_post_for_viewer_or_404(viewer, first.pk)
    created = ThreadCreatedOut(thread=_thread_out(viewer, thread), post=_one_post_out(viewer, post))
    return Status(201, created)


def _delay(member: User, chosen: int | None) -> int:
    """Minutes before a new post goes live: the client's choice, else the member's setting.
    A key that already made a post answers with the post, whatever the delay."""
    return member.post_delay_minutes if chosen is None else chosen


def _waiting_out(request: HttpRequest, waiting: PendingPost) -> WaitingPostOut:
    return WaitingPostOut(
        id=waiting.pk,
        thread_id=waiting.thread_id,
        category_slug=waiting.category.slug,
        title=waiting.title,
        body=waiting.body,
        goes_live_at=waiting.goes_live_at,
        problem=waiting.problem,
        url=request.build_absolute_uri(waiting.get_absolute_url()),
    )


@router.get("/waiting-posts", response=responses({200: WaitingPostsOut}), url_name="waiting_posts")
def list_waiting_posts(request: HttpRequest) -> WaitingPostsOut:
    """Your posts waiting to go live (and any that could not), soonest first."""
    found = pending.list_waiting_posts(_member(request))
    return WaitingPostsOut(waiting_posts=[_waiting_out(request, waiting) for waiting in found])


@router.post(
    "/waiting-posts/{id:pending_id}/publish",
    response=responses({200: PostOut}, conflict=True),
    url_name="publish_waiting_post",
)
def publish_waiting_post(request: HttpRequest, pending_id: ObjectId) -> PostOut:
    """Publish your waiting post now (or try again after a problem)."""
    member = _member(request)
    waiting = pending.get_pending_post_for_author_or_404(member, pending_id)
    post = pending.publish_now(member=member, pending=waiting)
    post_id = post.pk if post else None
    if post_id is None:  # it had gone live already, or could not
        waiting.refresh_from_db(fields=["problem", "published_post"])
        post_id = waiting.published_post_id
        if post_id is None:
            raise ApiError(409, "could_not_go_live", waiting.problem or _("It could not go live."))
    viewer = get_viewer(request)
    return _one_post_out(viewer, selectors.get_post_for_viewer_or_404(viewer, post_id))


@router.delete(
    "/waiting-posts/{id:pending_id}",
    response=responses({204: None}, conflict=True),
    url_name="withdraw_waiting_post",
)
def withdraw_waiting_post(request: HttpRequest, pending_id: ObjectId) -> HttpResponse:
    """Take back a post that has not gone live: its text becomes your draft again (409 if
    it had gone live)."""
    member = _member(request)
    waiting = pending.get_pending_post_for_author_or_404(member, pending_id)
    if pending.withdraw(member=member, pending=waiting) is None:
        raise ApiError(409, "already_live", _("It had already gone live."))
    return HttpResponse(status=204)


def _key_reused(reused: services.RequestKeyReused, sent_body: str) -> ApiError:
    return ApiError(
        409,
        "request_key_reused",
        _(
            "This request key already posted other words. Nothing new was posted: both texts "
            "are here. Send yours again with a new key to post it."
        ),
        conflict=ConflictOut(
            current_body=reused.first_body, sent_body=sent_body, existing_id=reused.existing.pk
        ),
    )


# --- A thread, its posts, writing -----------------------------------------------------------


@router.get(
    "/threads/{id:thread_id}",
    response=responses({200: ThreadPageOut}),
    url_name="thread",
    openapi_extra=VISITORS_MAY_CALL,
)
def get_thread(
    request: HttpRequest,
    thread_id: ObjectId,
    page: Annotated[int, Query(ge=1, le=LARGEST_PAGE)] = 1,
    newest_first: Annotated[
        bool | None, Query(description="Reply order; default: the member's own choice.")
    ] = None,
) -> ThreadPageOut:
    """One page of a thread (20 posts, by position, as the thread page): reading it moves
    the member's read marker, as the page does."""
    viewer = get_viewer(request)
    found = selectors.get_thread_for_viewer_or_404(viewer, thread_id, with_viewer_state=True)
    if newest_first is None:
        newest_first = bool(viewer.member and viewer.member.replies_newest_first)
    thread_page = selectors.get_thread_page(viewer, found, page, newest_first=newest_first)
    if viewer.member is not None and thread_page.posts:
        services.mark_thread_read(
            member=viewer.member,
            thread=found,
            up_to_position=thread_page.highest_position,
            known_position=thread_page.read_position,
        )
    return ThreadPageOut(
        thread=_thread_out(viewer, found),
        page=thread_page.page,
        page_count=thread_page.page_count,
        newest_first=thread_page.newest_first,
        read_position=thread_page.read_position,
        first_unread_position=thread_page.first_unread_position,
        follow_level=thread_page.follow_level,
        posts=_posts_out(thread_page.posts),
    )


@router.post(
    "/threads/{id:thread_id}/posts",
    response=responses({201: PostOut, 202: WaitingPostOut}, conflict=True),
    url_name="reply",
)
def reply(
    request: HttpRequest,
    thread_id: ObjectId,
    payload: ReplyIn,
    idempotency_key: IdempotencyKey = None,
) -> Status[PostOut] | Status[WaitingPostOut]:
    """Reply at the end of the thread; the same request key posts once."""
    viewer = get_viewer(request)
    found = selectors.get_thread_for_viewer_or_404(viewer, thread_id)
    member = _member(request)
    request_key = _request_key(payload.request_key, idempotency_key)
    _refuse_unless_resent(member, request_key)
    delay = _delay(member, payload.goes_live_in_minutes)
    try:
        if delay:
            waiting = pending.hold_back(
                author=member,
                category=found.category,
                thread=found,
                body=payload.body,
                request_key=request_key,
                delay_minutes=delay,
                anonymous=payload.anonymous,
                content_note=_content_note(payload.content_note) or services.NO_CONTENT_NOTE,
            )
            return Status(202, _waiting_out(request, waiting))
        post = services.reply_to_thread(
            author=member,
            thread=found,
            body=payload.body,
            request_key=request_key,
            anonymous=payload.anonymous,
            content_note=_content_note(payload.content_note) or services.NO_CONTENT_NOTE,
        )
    except ValidationError as error:
        raise _invalid(error) from error
    except services.RequestKeyReused as reused:
        raise _key_reused(reused, payload.body) from reused
    shown = selectors.get_post_for_viewer_or_404(viewer, post.pk)
    return Status(201, _one_post_out(viewer, shown))


@router.get(
    "/posts/{id:post_id}",
    response=responses({200: PostOut}),
    url_name="post",
    openapi_extra=VISITORS_MAY_CALL,
)
def get_post(request: HttpRequest, post_id: ObjectId) -> PostOut:
    """One post as its thread page shows it to the viewer (the permalink's post)."""
    viewer = get_viewer(request)
    post = selectors.get_post_for_viewer_or_404(viewer, post_id)
    return _one_post_out(viewer, post)


@router.patch(
    "/posts/{id:post_id}",
    response=responses({200: PostOut}, conflict=True),
    url_name="edit_post",
)
def edit_post(request: HttpRequest, post_id: ObjectId, payload: EditPostIn) -> PostOut:
    """Save a new revision. ``base_revision`` must be the post's current one: otherwise
    someone saved in between, and the answer is 409 with both texts, nothing saved."""
    viewer = get_viewer(request)
    post = selectors.get_readable_post_for_viewer_or_404(viewer, post_id)
    check_can_edit_post(viewer, post)
    member = _member(request)
    is_thread_author = post.is_original_post and post.thread.author_id == member.pk
    if payload.hoping_for is not None and not is_thread_author:
        message = _("Only the thread's author can say what they're hoping for.")
        raise ApiError(422, "validation_failed", message, fields={"hoping_for": [message]})
    if payload.title is not None and not is_thread_author:
        message = _("Only the thread's author can change its title.")
        raise ApiError(422, "validation_failed", message, fields={"title": [message]})
    try:
        edited = services.edit_post(
            editor=member,
            post=post,
            body=payload.body,
            base_revision=payload.base_revision,
            reason=payload.reason,
            content_note=_content_note(payload.content_note),
            hoping_for=payload.hoping_for,
            title=payload.title,
        )
    except services.EditConflict as conflict:
        raise ApiError(
            409,
            "edit_conflict",
            _(
                "Someone saved this post after you started editing. Nothing was saved: both "
                "texts are here. Merge them and send again with the current revision."
            ),
            conflict=ConflictOut(
                current_body=conflict.current_body,
                current_revision=conflict.current_revision,
                edited_by_name=conflict.edited_by_name,
                sent_body=payload.body,
            ),
        ) from conflict
    except ValidationError as error:
        raise _invalid(error, title_codes=frozenset({"empty_title", "title_too_long"})) from error
    return _one_post_out(viewer, selectors.get_post_for_viewer_or_404(viewer, edited.pk))


@router.delete(
    "/posts/{id:post_id}",
    response=responses({204: None}),
    url_name="delete_post",
)
def delete_post(request: HttpRequest, post_id: ObjectId) -> HttpResponse:
    """Delete a post's text for good (its place in the thread stays, marked deleted).
    Deleting it again changes nothing."""
    post = selectors.get_post_for_viewer_or_404(get_viewer(request), post_id)
    services.delete_post(member=_member(request), post=post)
    return HttpResponse(status=204)


def _set_reaction(
    request: HttpRequest, post_id: int, kind: ReactionKind, *, on: bool
) -> ReactionOut:
    viewer = get_viewer(request)
    post = selectors.get_post_for_viewer_or_404(viewer, post_id)
    member = _member(request)
    if not allow("action", member.pk, ACTION_RATE):
        raise ApiError(429, "rate_limited", _("Too many requests. Please wait a few minutes."))
    # Toggling is the service; asking for a state makes a retry change nothing.
    if (kind.value in selectors.get_own_reactions(member, post)) != on:
        services.toggle_reaction(member=member, post=post, kind=kind)
    post.refresh_from_db()
    return ReactionOut(kind=kind, is_on=on, post=_one_post_out(viewer, post))


@router.put(
    "/posts/{id:post_id}/reactions/{kind}",
    response=responses({200: ReactionOut}),
    url_name="add_reaction",
)
def add_reaction(request: HttpRequest, post_id: ObjectId, kind: ReactionKind) -> ReactionOut:
    """React to a post (a hug, a heart, thanks, me too); reacting again changes nothing."""
    return _set_reaction(request, post_id, kind, on=True)


@router.delete(
    "/posts/{id:post_id}/reactions/{kind}",
    response=responses({200: ReactionOut}),
    url_name="remove_reaction",
)
def remove_reaction(request: HttpRequest, post_id: ObjectId, kind: ReactionKind) -> ReactionOut:
    """Take a reaction back; taking it back again changes nothing."""
    return _set_reaction(request, post_id, kind, on=False)


@router.get(
    "/content-notes",
    response=responses({200: ContentNoteLabelsOut}),
    url_name="content_note_labels",
)
def list_content_note_labels(request: HttpRequest) -> ContentNoteLabelsOut:
    """The labels a post's content note may carry (ids for ``content_note.label_ids``)."""
    return ContentNoteLabelsOut(
        labels=[ContentNoteLabelOut(id=label.pk, name=str(label)) for label in active_labels()]
    )
