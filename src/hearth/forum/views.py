"""Forum pages: parse -> fetch and authorise -> service -> render."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.models import User
from hearth.core.page_cache import shared_with_visitors
from hearth.core.ratelimit import RateLimit, allow
from hearth.core.site_address import absolute_url
from hearth.core.text import html_to_text, quote_markdown, render_markdown
from hearth.forum import selectors, services
from hearth.forum.diffs import revision_diffs
from hearth.forum.forms import (
    DraftForm,
    EditPostForm,
    HopingForForm,
    MentionLookupForm,
    NewThreadForm,
    PreviewForm,
    QuoteSelectionForm,
    ReactionForm,
    ReplyForm,
    ReplyOrderForm,
    new_request_key,
)
from hearth.forum.models import Category, FollowLevel, PendingPost, Post, ReactionKind, Thread
from hearth.forum.pending import hold_back, list_waiting_posts
from hearth.forum.permissions import (
    can_reply,
    check_can_delete_post,
    check_can_edit_post,
    why_cannot_reply,
    why_cannot_start_thread,
)
from hearth.forum.public_page_tokens import listing_tokens, thread_page_tokens
from hearth.forum.quoting import clean_selection, is_selected_from, without_quotes
from hearth.forum.rendering import render_posts
from hearth.forum.selectors import get_check_in_for_author
from hearth.forum.text import render_post_body
from hearth.forum.viewer import Viewer, get_viewer
from hearth.safety import services as safety_services
from hearth.safety.coverage import coverage_at
from hearth.safety.models import QueueItem
from hearth.safety.selectors import crisis_contacts_for_member
from hearth.safety.services import find_crisis_signals

POST_RATE = RateLimit.parse(settings.HEARTH_POST_RATE_LIMIT)
ACTION_RATE = RateLimit.parse(settings.HEARTH_ACTION_RATE_LIMIT)
TOO_MANY_STATUS = 429


def _too_fast_message() -> str:
    return _(
        "You're posting faster than we allow. Please wait a few minutes and send it again; "
        "your text is still here."
    )


def _too_fast(request: HttpRequest, scope: str, rate: RateLimit) -> bool:
    return not allow(scope, request.user.pk, rate)


def _too_fast_response() -> HttpResponse:
    return HttpResponse(_too_fast_message(), status=TOO_MANY_STATUS, content_type="text/plain")


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware guarantees it here
    return request.user


def _page_parameter(request: HttpRequest) -> int | None:
    """The page number asked for (1 without one; a huge one is just past the end), or None
    when it is not a whole number."""
    raw = request.GET.get("page", "1").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    return int(raw) if len(raw) <= 9 else 10**9


def _too_fast_unless_resent(request: HttpRequest, member: User, form: Form) -> bool:
    """Over the posting rate limit -- unless this form was already posted: a resend is
    answered with what it made (or its conflict), never "not posted yet". (The key is
    looked up only over the limit: the service looks it up anyway.)"""
    if not _too_fast(request, "post", POST_RATE):
        return False
    return services.find_post_for_request(member, form.cleaned_data["request_key"]) is None


def _request_key_conflict(
    request: HttpRequest,
    reused: services.RequestKeyReused,
    form: ReplyForm | NewThreadForm,
    **place: object,
) -> HttpResponse:
    """A posted form sent again with other text: show both, post nothing, and offer the
    new text in a composer with a fresh key, so sending it posts it once."""
    data = request.POST.copy()
    data["request_key"] = new_request_key()
    fresh = type(form)(data, allow_anonymous=form.offers_anonymous)
    fresh.is_valid()
    context = {"reused": reused, "form": fresh, **place}
    return render(request, "forum/request_key_conflict.html", context, status=409)


def _apply_errors(form: Form, error: ValidationError, field: str = "body") -> None:
    for message in error.messages:
        form.add_error(field, message)


@login_not_required
@require_safe
@shared_with_visitors(listing_tokens)
def home(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    page = selectors.get_home_page(viewer)
    if not viewer.is_member and not page.categories:
        return redirect_to_login(request.get_full_path())
    return render(request, "forum/home.html", {"page": page})


@login_not_required
@require_safe
@shared_with_visitors(listing_tokens, parameters=("after",))
def category(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = get_viewer(request)
    found = selectors.get_category_for_viewer_or_404(viewer, slug, with_viewer_state=True)
    after = None
    if cursor := request.GET.get("after"):
        try:
            after = selectors.Cursor.decode(cursor)
        except ValueError:
            return HttpResponseBadRequest(_("That page link is not valid."))
    page = selectors.get_category_page(viewer, found, after)
    level = getattr(found, "viewer_follow_level", "")
    context = {
        "page": page,
        "category": found,
        "follow_level": level,
        "why_cannot_start_thread": why_cannot_start_thread(viewer, found),
    }
    return render(request, "forum/category.html", context)


@require_POST
def mark_category_read(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_category_for_viewer_or_404(get_viewer(request), slug)
    services.mark_category_read(member=_member(request), category=found)
    return redirect(found)


@require_http_methods(["GET", "POST"])
def new_thread(request: HttpRequest, slug: str) -> HttpResponse:
    viewer = get_viewer(request)
    found = selectors.get_category_for_viewer_or_404(viewer, slug)
    member = _member(request)
    if request.method == "GET":
        draft = selectors.get_new_thread_draft(member, found)
        if refusal := why_cannot_start_thread(viewer, found):
            # Said before they write (a partial suspension lets them read, and write only
            # to the moderators), with any draft they had kept to copy from.
            refused = {"category": found, "refusal": refusal, "draft": draft}
            return render(request, "forum/new_thread.html", refused, status=403)
        form = NewThreadForm(
            initial={
                "title": draft.title if draft else "",
                "body": draft.body if draft else "",
                "request_key": new_request_key(),
            },
            allow_anonymous=found.allow_anonymous,
            delay_minutes=member.post_delay_minutes,
        )
        return render(request, "forum/new_thread.html", {"form": form, "category": found})
    form = NewThreadForm(request.POST, allow_anonymous=found.allow_anonymous)
    status = 400
    if form.is_valid() and _too_fast_unless_resent(request, member, form):
        form.add_error(None, _too_fast_message())
        status = TOO_MANY_STATUS
    elif form.is_valid():
        written = {
            "author": member,
            "category": found,
            "title": form.cleaned_data["title"],
            "body": form.cleaned_data["body"],
            "request_key": form.cleaned_data["request_key"] or new_request_key(),
            "anonymous": form.is_anonymous(),
            "content_note": form.content_note(),
            "hoping_for": form.cleaned_data["hoping_for"],
        }
        delay = form.delay_minutes(member.post_delay_minutes)
        try:
            if delay:  # time to reconsider: only its author sees it until then
                return redirect(hold_back(**written, thread=None, delay_minutes=delay))
            thread = services.start_thread(**written)
        except ValidationError as error:
            _apply_errors(form, error, "title" if error.code == "empty_title" else "body")
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
            status = 403
        except services.RequestKeyReused as reused:
            return _request_key_conflict(request, reused, form, category=found)
        else:
            first_post = getattr(thread, "first_post", None)
            if first_post is not None:
                _remember_crisis_panel(request, first_post)
            return redirect(thread)
    context = {"form": form, "category": found}
    return render(request, "forum/new_thread.html", context, status=status)


def _thread_context(
    request: HttpRequest,
    viewer: Viewer,
    thread: Thread,
    page_number: int,
    reply_form: ReplyForm | None,
) -> dict[str, Any]:
    newest_first = bool(viewer.member and viewer.member.replies_newest_first)
    page = selectors.get_thread_page(viewer, thread, page_number, newest_first=newest_first)
    if reply_form is None and can_reply(viewer, thread):
        reply_form = ReplyForm(
            initial={"body": page.draft_body, "request_key": new_request_key()},
            allow_anonymous=thread.category.allow_anonymous,
            offered_labels=page.offered_labels,
            delay_minutes=viewer.member.post_delay_minutes if viewer.member else 0,
        )
    # One masked token for the whole page: the posts' forms and the template's.
    # Readers who aren't signed in get no form, so no token (and no cookie).
    tokens = {"csrf_token": get_token(request)} if viewer.is_member else {}
    return {
        "thread": thread,
        "page": page,
        **tokens,
        "rendered_posts": render_posts(
            page.posts, csrf_token=tokens.get("csrf_token", ""), is_moderator=viewer.is_moderator
        ),
        "crisis_panel": _crisis_panel_for(request, viewer, thread),
        "waiting_posts": waiting_in_thread(request, viewer.member, thread),
        "reply_form": reply_form,
        "why_cannot_reply": why_cannot_reply(viewer, thread),
        "viewer": viewer,
        "reaction_kinds": ReactionKind,
    }


@login_not_required
@require_safe
@shared_with_visitors(thread_page_tokens, parameters=("page",))
def thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    viewer = get_viewer(request)
    found = selectors.get_thread_for_viewer_or_404(viewer, thread_id, with_viewer_state=True)
    page_number = _page_parameter(request)
    if page_number is None:
        return HttpResponseBadRequest(
            _("That page number is not valid: ask for a page by its number, such as 2.")
        )
    newest_first = bool(viewer.member and viewer.member.replies_newest_first)
    pages = selectors.page_count(found, newest_first=newest_first)
    if not 1 <= page_number <= pages:
        # "Go to page" with a number past either end: the nearest page there is.
        nearest = min(max(page_number, 1), pages)
        query = f"?page={nearest}" if nearest > 1 else ""
        return HttpResponseRedirect(f"{found.get_absolute_url()}{query}")
    context = _thread_context(request, viewer, found, page_number, reply_form=None)
    page: selectors.ThreadPage = context["page"]
    if viewer.member is not None and page.posts:
        services.mark_thread_read(
            member=viewer.member,
            thread=found,
            up_to_position=page.highest_position,
            known_position=page.read_position,
        )
    return render(request, "forum/thread.html", context)


@require_safe
def first_unread(request: HttpRequest, thread_id: int) -> HttpResponse:
    viewer = get_viewer(request)
    found = selectors.get_thread_for_viewer_or_404(viewer, thread_id)
    position = selectors.get_first_unread_position(_member(request), found)
    post = selectors.get_post_at_position(found, position)
    if post is None:
        return redirect(found)
    return _redirect_to_post(viewer, found, post)


@require_POST
def reply(request: HttpRequest, thread_id: int) -> HttpResponse:
    viewer = get_viewer(request)
    found = selectors.get_thread_for_viewer_or_404(viewer, thread_id)
    form = ReplyForm(request.POST, allow_anonymous=found.category.allow_anonymous)
    member = _member(request)
    status = 400
    if form.is_valid() and _too_fast_unless_resent(request, member, form):
        form.add_error(None, _too_fast_message())
        status = TOO_MANY_STATUS
    elif form.is_valid():
        written = {
            "author": member,
            "thread": found,
            "body": form.cleaned_data["body"],
            "request_key": form.cleaned_data["request_key"] or new_request_key(),
            "anonymous": form.is_anonymous(),
            "content_note": form.content_note(),
        }
        delay = form.delay_minutes(member.post_delay_minutes)
        try:
            if delay:  # time to reconsider: only its author sees it until then
                pending = hold_back(**written, category=found.category, delay_minutes=delay)
                remember_waiting_in_thread(request, pending)
                return redirect(pending)
            post = services.reply_to_thread(**written)
        except ValidationError as error:
            _apply_errors(form, error)
        except PermissionDenied as refusal:
            # Locked meanwhile, or the member was suspended: say why, keep the text.
            form.add_error(None, str(refusal))
            status = 403
        except services.RequestKeyReused as reused:
            return _request_key_conflict(request, reused, form, thread=found)
        else:
            _remember_crisis_panel(request, post)
            return redirect(post)
    return render(request, "forum/reply.html", {"thread": found, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def quote(request: HttpRequest, post_id: int) -> HttpResponse:
    """A reply page with the chosen post quoted, attributed and linked back: the whole
    post without the quotes inside it (the link, which works without JavaScript), or,
    posted by forum.js, the words the member selected in it. Posted rather than in the
    address, so the words stay out of browser history and logs."""
    viewer = get_viewer(request)
    post = selectors.get_readable_post_for_viewer_or_404(viewer, post_id)
    if reason := why_cannot_reply(viewer, post.thread):
        raise PermissionDenied(reason)
    quoted_source = without_quotes(post.body)
    if request.method == "POST":
        selected = QuoteSelectionForm(request.POST)
        if not selected.is_valid():
            return HttpResponseBadRequest(_("Select some words of the post to quote them."))
        selection = clean_selection(selected.cleaned_data["selection"])
        if is_selected_from(selection, html_to_text(post.body_html)):
            quoted_source = selection
        else:  # never words the author did not write: the whole post instead
            messages.info(
                request,
                _("The words you selected were not found in the post, so all of it is quoted."),
            )
    draft = selectors.get_reply_draft(_member(request), post.thread)
    quoted = quote_markdown(
        quoted_source,
        author_name=selectors.author_display_name(post),
        permalink=absolute_url(post.get_absolute_url(), request),
    )
    body = f"{draft}\n\n{quoted}\n\n" if draft.strip() else f"{quoted}\n\n"
    form = ReplyForm(
        initial={"body": body, "request_key": new_request_key()},
        allow_anonymous=post.thread.category.allow_anonymous,
        delay_minutes=_member(request).post_delay_minutes,
    )
    return render(request, "forum/reply.html", {"thread": post.thread, "form": form})


@login_not_required
@require_safe
def permalink(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = get_viewer(request)
    post = selectors.get_post_for_viewer_or_404(viewer, post_id)
    return _redirect_to_post(viewer, post.thread, post)


def _redirect_to_post(viewer: Viewer, thread: Thread, post: Post) -> HttpResponseRedirect:
    newest_first = bool(viewer.member and viewer.member.replies_newest_first)
    page = selectors.page_of_position(thread, post.position, newest_first=newest_first)
    query = f"?page={page}" if page > 1 else ""
    return HttpResponseRedirect(f"{thread.get_absolute_url()}{query}#post-{post.pk}")


@require_http_methods(["GET", "POST"])
def edit_post(request: HttpRequest, post_id: int) -> HttpResponse:
    """Edit a post. What the member types is kept as a draft (forum.js, ``save_draft``)
    and comes back here until they save or cancel ("discard"), like the composer's."""
    viewer = get_viewer(request)
    post = selectors.get_readable_post_for_viewer_or_404(viewer, post_id)
    # The form holds the post's Markdown source: only for those who may edit it.
    check_can_edit_post(viewer, post)
    member = _member(request)
    # The thread's author, editing its original post, may change what they hope for and
    # the thread's title.
    is_thread_author = post.is_original_post and post.thread.author_id == member.pk
    offers = {"offers_hoping_for": is_thread_author, "offers_title": is_thread_author}
    if request.method == "GET":
        draft = selectors.get_edit_draft(member, post)
        form = EditPostForm(
            initial={
                "title": (draft and draft.title) or post.thread.title,
                "body": draft.body if draft else post.body,
                "base_revision": (draft and draft.base_revision) or post.revision,
                "content_notes": list(post.note_label_ids),
                "content_note_text": post.content_note_text,
                "hoping_for": post.thread.hoping_for,
            },
            **offers,
        )
        context = {"post": post, "form": form, "restored_draft": draft}
        return render(request, "forum/edit_post.html", context)
    if "discard" in request.POST:  # "Cancel": the post stays as it is, the draft goes
        services.discard_edit_draft(member=member, post=post)
        return redirect(post)
    form = EditPostForm(request.POST, **offers)
    if form.is_valid():
        try:
            edited = services.edit_post(
                editor=member,
                post=post,
                body=form.cleaned_data["body"],
                base_revision=form.cleaned_data["base_revision"],
                reason=form.cleaned_data["reason"],
                content_note=form.content_note(),
                hoping_for=form.chosen_hoping_for(),
                title=form.chosen_title(),
            )
        except services.EditConflict as conflict:
            merged = EditPostForm(
                initial={
                    "title": form.chosen_title() or post.thread.title,
                    "body": form.cleaned_data["body"],
                    "reason": form.cleaned_data["reason"],
                    "base_revision": conflict.current_revision,
                    "content_notes": form.cleaned_data["content_notes"],
                    "content_note_text": form.cleaned_data["content_note_text"],
                    "hoping_for": form.chosen_hoping_for() or [],
                },
                **offers,
            )
            context = {"post": post, "form": merged, "conflict": conflict}
            return render(request, "forum/edit_conflict.html", context, status=409)
        except ValidationError as error:
            _apply_errors(form, error, "title" if error.code == "empty_title" else "body")
        else:
            _remember_crisis_panel(request, edited)
            return redirect(post)
    return render(request, "forum/edit_post.html", {"post": post, "form": form}, status=400)


@require_http_methods(["GET", "POST"])
def delete_post(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = get_viewer(request)
    post = selectors.get_post_for_viewer_or_404(viewer, post_id)
    if request.method == "POST":
        services.delete_post(member=_member(request), post=post)
        return redirect(post)
    check_can_delete_post(viewer, post)
    return render(request, "forum/delete_post.html", {"post": post})


@require_safe
def history(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_readable_post_for_viewer_or_404(get_viewer(request), post_id)
    revisions = selectors.list_post_revisions(post)
    return render(
        request, "forum/history.html", {"post": post, "revisions": revision_diffs(revisions)}
    )


@require_POST
def react(request: HttpRequest, post_id: int) -> HttpResponse:
    viewer = get_viewer(request)
    post = selectors.get_post_for_viewer_or_404(viewer, post_id)
    if _too_fast(request, "action", ACTION_RATE):
        return _too_fast_response()
    form = ReactionForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("That is not a reaction we know."))
    services.toggle_reaction(
        member=_member(request), post=post, kind=ReactionKind(form.cleaned_data["kind"])
    )
    if request.htmx:  # type: ignore[attr-defined]  # set by django-htmx's middleware
        post.refresh_from_db()
        context = {"view": selectors.get_post_view(viewer, post)}
        return render(request, "forum/_reactions.html", context)
    return redirect(post)


@require_safe
def reactors(request: HttpRequest, post_id: int) -> HttpResponse:
    post = selectors.get_readable_post_for_viewer_or_404(get_viewer(request), post_id)
    names = selectors.list_reactors(post)
    kinds = [(kind.label, names.get(kind.value, [])) for kind in ReactionKind]
    template = "forum/reactors.html#reactor-list" if request.htmx else "forum/reactors.html"  # type: ignore[attr-defined]
    return render(request, template, {"post": post, "kinds": kinds})


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """Render the text as it will appear: the sanitised HTML fragment, or, for a composer
    submitted without JavaScript (it sends ``next_action``), a page to keep writing on."""
    if _too_fast(request, "action", ACTION_RATE):
        return _too_fast_response()
    form = PreviewForm(request.POST)
    html = ""
    crisis_panel = None
    if form.is_valid():
        member = _member(request)
        # A private message's crisis panel comes after it is sent, in its own words
        # (hearth.conversations.crisis); the forum's says "your post".
        private_message = request.POST.get("private_message") == "1"
        body = form.cleaned_data["body"]
        # Rendered as it will be stored: a post links @mentions, a private message not.
        if private_message:
            html = render_markdown(body, id_prefix="preview-").html
        else:
            html = render_post_body(body, id_prefix="preview-").html
        if not private_message and find_crisis_signals(
            form.cleaned_data["body"], language=member.language
        ):
            crisis_panel = crisis_panel_context(member, item=None, stage="preview")
    if request.htmx or "next_action" not in request.POST:  # type: ignore[attr-defined]
        status = 200 if form.is_valid() else 400
        context = {"form": form, "html": html, "crisis_panel": crisis_panel}
        return render(request, "forum/_preview.html", context, status=status)
    action = request.POST.get("next_action", "")
    if not url_has_allowed_host_and_scheme(action, allowed_hosts={request.get_host()}):
        action = reverse("home")
    base_revision = request.POST.get("base_revision", "")
    context = {
        "form": form,
        "html": html,
        "crisis_panel": crisis_panel,
        "action": action,
        "title": request.POST.get("title", ""),
        "request_key": request.POST.get("request_key", "") or new_request_key(),
        "has_title": "title" in request.POST,
        # An edit previewed without JavaScript: what it edits against, and why, go back
        # with it (the edit view checks them again).
        "base_revision": base_revision if base_revision.isdigit() else "",
        "reason": request.POST.get("reason", ""),
        # What the author hopes for (a new thread, or its original post being edited):
        # kept through the preview like the text.
        "hoping_for_form": HopingForForm(request.POST)
        if "title" in request.POST or "hoping_for" in request.POST
        else None,
    }
    return render(request, "forum/preview.html", context, status=200 if form.is_valid() else 400)


@require_safe
def thread_mentionable(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Members to suggest for an @mention in a reply: those who may see the thread."""
    found = selectors.get_thread_for_viewer_or_404(get_viewer(request), thread_id)
    return _mentionable(request, found)


@require_safe
def category_mentionable(request: HttpRequest, slug: str) -> HttpResponse:
    """Members to suggest for an @mention in a new thread: those who may see the category."""
    found = selectors.get_category_for_viewer_or_404(get_viewer(request), slug)
    return _mentionable(request, found)


def _mentionable(request: HttpRequest, place: Thread | Category) -> HttpResponse:
    """An ARIA listbox of options, rendered here so that names members chose reach the page
    escaped by the template, never assembled into markup by the script."""
    # Its own budget: looking names up while typing must not use up draft saves.
    if _too_fast(request, "mention-lookup", ACTION_RATE):
        return _too_fast_response()
    form = MentionLookupForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(_("That is not the start of a name."))
    members = selectors.list_mentionable_members(_member(request), place, form.cleaned_data["q"])
    return render(request, "forum/_mention_options.html", {"members": members})


@require_POST
def save_draft(request: HttpRequest) -> HttpResponse:
    """Keep the composer's (or an edit's) text on the server; answers with a short status
    for the page."""
    if _too_fast(request, "action", ACTION_RATE):
        return _too_fast_response()
    viewer = get_viewer(request)
    form = DraftForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("The draft could not be saved."))
    place = _draft_place(request, viewer, form)
    if place is None:
        return HttpResponseBadRequest(_("The draft could not be saved."))
    try:
        draft = services.save_draft(
            member=_member(request),
            body=form.cleaned_data["body"],
            title=form.cleaned_data["title"],
            **place,
        )
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400)
    except PermissionDenied as refusal:
        # Said as it is: the page's script reads a 403 as "signed out".
        return HttpResponse(str(refusal), status=400, content_type="text/plain; charset=utf-8")
    message = _("Draft saved.") if draft else _("Draft cleared.")
    return HttpResponse(message, content_type="text/plain; charset=utf-8")


def _posted_id(request: HttpRequest, name: str) -> int | None:
    """A posted id: ASCII digits that fit the database's integers, else None."""
    raw = request.POST.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _draft_place(request: HttpRequest, viewer: Viewer, form: DraftForm) -> dict[str, Any] | None:
    """Where a draft belongs -- an edit of a post, a thread's reply, a category's new
    thread -- fetched through the visibility policy (404); None when it says nothing sound."""
    if "post" in request.POST:
        if (post_id := _posted_id(request, "post")) is None:
            return None
        post = selectors.get_readable_post_for_viewer_or_404(viewer, post_id)
        return {"post": post, "base_revision": form.cleaned_data["base_revision"]}
    if "thread" in request.POST:
        if (thread_id := _posted_id(request, "thread")) is None:
            return None
        return {"thread": selectors.get_thread_for_viewer_or_404(viewer, thread_id)}
    if slug := request.POST.get("category"):
        return {"category": selectors.get_category_for_viewer_or_404(viewer, slug)}
    return None


@require_POST
def set_reply_order(request: HttpRequest) -> HttpResponse:
    form = ReplyOrderForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose oldest or newest first."))
    services.set_reply_order(
        member=_member(request), newest_first=form.cleaned_data["newest_first"]
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("home")
    return HttpResponseRedirect(next_url.split("?", 1)[0])


# --- Care: the private crisis panel, check-ins, muting a thread ----------------------

CRISIS_PANEL_SESSION_KEY = "hearth_crisis_panel"
PanelStage = Literal["preview", "waiting", "held", "published"]


def _remember_crisis_panel(request: HttpRequest, post: Post) -> None:
    """After publishing, remember (for the writer only) that the panel should show."""
    if post.check_in_item_id is not None:
        request.session[CRISIS_PANEL_SESSION_KEY] = {
            "post_id": post.pk,
            "thread_id": post.thread_id,
            "item_id": post.check_in_item_id,
            "held": post.is_held,
        }


def crisis_panel_context(
    member: User, item: QueueItem | None, *, stage: PanelStage, **more: Any
) -> dict[str, Any]:
    return {
        "contacts": crisis_contacts_for_member(member),
        "coverage": coverage_at(timezone.now()),
        "check_in_item_id": item.pk if item else None,
        "asked_for_check_in": bool(item and item.asked_for_check_in),
        # What the panel may say about the post: not "it is up" in a preview, while it
        # waits to go live, nor while it waits for a moderator's approval.
        "stage": stage,
        **more,
    }


# The threads where the member has posts waiting to go live ("Time to reconsider"): the
# thread page looks them up only there, so other pages pay no query for it.
WAITING_SESSION_KEY = "hearth_waiting_threads"


def remember_waiting_in_thread(request: HttpRequest, pending: PendingPost) -> None:
    if pending.thread_id is not None:
        waiting = set(request.session.get(WAITING_SESSION_KEY, []))
        request.session[WAITING_SESSION_KEY] = sorted(waiting | {pending.thread_id})


def waiting_in_thread(
    request: HttpRequest, member: User | None, thread: Thread
) -> list[PendingPost]:
    """The member's replies to ``thread`` that have not gone live, shown to them alone
    above the reply box; none (and no query) unless this session wrote one."""
    if member is None or thread.pk not in request.session.get(WAITING_SESSION_KEY, []):
        return []
    waiting = list_waiting_posts(member, thread=thread)
    if not waiting:
        remaining = set(request.session[WAITING_SESSION_KEY]) - {thread.pk}
        request.session[WAITING_SESSION_KEY] = sorted(remaining)
    return waiting


def _crisis_panel_for(
    request: HttpRequest, viewer: Viewer, thread: Thread
) -> dict[str, Any] | None:
    """The writer's private panel, shown once on the page they land on after posting."""
    remembered = request.session.get(CRISIS_PANEL_SESSION_KEY)
    if viewer.member is None or not remembered or remembered.get("thread_id") != thread.pk:
        return None
    del request.session[CRISIS_PANEL_SESSION_KEY]
    item = get_check_in_for_author(viewer.member, remembered["item_id"])
    stage: PanelStage = "held" if remembered.get("held") else "published"
    return crisis_panel_context(viewer.member, item, stage=stage)


@require_POST
def ask_for_check_in(request: HttpRequest, item_id: int) -> HttpResponse:
    """The writer opts in: "ask a moderator to check in with me"."""
    member = _member(request)
    item = get_check_in_for_author(member, item_id)
    if item is None:
        raise Http404
    safety_services.ask_for_check_in(item=item)
    item.asked_for_check_in = True
    held = item.post_id is not None and Post.objects.filter(pk=item.post_id, is_held=True).exists()
    panel = crisis_panel_context(member, item, stage="held" if held else "published")
    context = {"crisis_panel": panel, "post_id": item.post_id}
    return render(request, "forum/check_in_asked.html", context)


def _chosen_level(request: HttpRequest) -> FollowLevel | None:
    """The level a follow form chose; "" (or anything unknown) means the default."""
    chosen = request.POST.get("level", "")
    return FollowLevel(chosen) if chosen in FollowLevel.values else None


def _back_or(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@require_POST
def follow_thread(request: HttpRequest, thread_id: int) -> HttpResponse:
    found = selectors.get_thread_for_viewer_or_404(get_viewer(request), thread_id)
    level = _chosen_level(request)
    services.follow_thread(member=_member(request), thread=found, level=level)
    messages.success(request, _follow_message(level, found.title))
    return _back_or(request, found.get_absolute_url())


@require_POST
def follow_category(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.get_category_for_viewer_or_404(get_viewer(request), slug)
    level = _chosen_level(request)
    services.follow_category(member=_member(request), category=found, level=level)
    messages.success(request, _follow_message(level, found.name))
    return _back_or(request, found.get_absolute_url())


def _follow_message(level: FollowLevel | None, name: str) -> str:
    if level is None:
        return _("“%(name)s” is back to the default notifications.") % {"name": name}
    # One sentence per level: a level's name is no word to build a sentence with.
    sentences = {
        FollowLevel.WATCHING: _("You are now watching “%(name)s”."),
        FollowLevel.TRACKING: _("You are now tracking “%(name)s”."),
        FollowLevel.NORMAL: _("You now follow “%(name)s” as normal."),
        FollowLevel.MUTED: _("You have muted “%(name)s”."),
    }
    return sentences[level] % {"name": name}
