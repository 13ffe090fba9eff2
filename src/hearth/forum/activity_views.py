"""A member's own pages -- my threads, my posts, saved posts -- and saving a post.

The pages are private: signing in is required (the site's default) and each shows
only the signed-in member's own threads, posts and bookmarks, through the
visibility policy (``hearth.forum.activity``). The actions take a post id and
answer 404 for a post the member may not read, exactly as for one that does not
exist; without JavaScript they redirect back (``next``), for htmx they answer
with the Save / Saved toggle.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from hearth.accounts.models import User
from hearth.core.ratelimit import RateLimit, allow
from hearth.forum import activity, selectors, services
from hearth.forum.models import BOOKMARK_NOTE_MAX_LENGTH, Post
from hearth.forum.viewer import Viewer, get_viewer

ACTION_RATE = RateLimit.parse(settings.HEARTH_ACTION_RATE_LIMIT)
TOO_MANY_STATUS = 429


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware guarantees it here
    return request.user


def _cursor(request: HttpRequest) -> activity.PageCursor | None:
    """The ``after`` cursor of a list page; raises ValueError when it is malformed."""
    value = request.GET.get("after")
    return activity.PageCursor.decode(value) if value else None


def _bad_page_link() -> HttpResponse:
    return HttpResponseBadRequest(_("That page link is not valid."))


# --- The pages --------------------------------------------------------------------------


def _list_page(
    request: HttpRequest,
    lister: Callable[[Viewer, activity.PageCursor | None], object],
    section: str,
    **extra: object,
) -> HttpResponse:
    """One of the member's own list pages: its ``after`` cursor read (400 when malformed),
    its rows listed for the viewer."""
    try:
        after = _cursor(request)
    except ValueError:
        return _bad_page_link()
    page = lister(get_viewer(request), after)
    context = {"page": page, "section": section, **extra}
    return render(request, f"forum/{_TEMPLATES[section]}", context)


_TEMPLATES = {"threads": "my_threads.html", "posts": "my_posts.html", "saved": "saved_posts.html"}


@require_safe
def my_threads(request: HttpRequest) -> HttpResponse:
    return _list_page(request, activity.list_my_threads, "threads")


@require_safe
def my_posts(request: HttpRequest) -> HttpResponse:
    return _list_page(request, activity.list_my_posts, "posts")


@require_safe
def saved_posts(request: HttpRequest) -> HttpResponse:
    return _list_page(
        request, activity.list_saved_posts, "saved", note_max_length=BOOKMARK_NOTE_MAX_LENGTH
    )


# --- Saving a post ------------------------------------------------------------------------


def _back_or(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Back to the form's ``next`` address when it is one of ours, else to ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def _readable_post(request: HttpRequest, post_id: int) -> Post:
    """The post, if the member may read its text now; otherwise 404 (Http404)."""
    return selectors.get_readable_post_for_viewer_or_404(get_viewer(request), post_id)


def _too_fast(request: HttpRequest) -> HttpResponse | None:
    if allow("action", request.user.pk, ACTION_RATE):
        return None
    message = _("You're doing that faster than we allow. Please wait a few minutes.")
    return HttpResponse(message, status=TOO_MANY_STATUS, content_type="text/plain")


def _saved_state(request: HttpRequest, post: Post, *, is_saved: bool, message: str) -> HttpResponse:
    """htmx gets the post's Save / Saved toggle; a plain form post goes back where it was
    (the post itself by default) with the message."""
    if request.htmx:  # type: ignore[attr-defined]  # set by django-htmx's middleware
        context = {"post_id": post.pk, "is_saved": is_saved, "csrf_token": get_token(request)}
        return render(request, "forum/_post_article.html#save", context)
    messages.success(request, message)
    return _back_or(request, post.get_absolute_url())


@require_POST
def save_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _readable_post(request, post_id)
    if refusal := _too_fast(request):
        return refusal
    services.save_post(member=_member(request), post=post)
    message = _("Saved. You'll find it under Saved posts, in your settings.")
    return _saved_state(request, post, is_saved=True, message=message)


@require_POST
def unsave_post(request: HttpRequest, post_id: int) -> HttpResponse:
    post = _readable_post(request, post_id)
    if refusal := _too_fast(request):
        return refusal
    services.unsave_post(member=_member(request), post=post)
    message = _("Removed from your saved posts.")
    return _saved_state(request, post, is_saved=False, message=message)


@require_POST
def bookmark_note(request: HttpRequest, post_id: int) -> HttpResponse:
    """Keep the member's private note on a saved post (saving the post if it is not)."""
    post = _readable_post(request, post_id)
    if refusal := _too_fast(request):
        return refusal
    fallback = reverse("forum:saved_posts")
    try:
        services.set_bookmark_note(
            member=_member(request), post=post, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back_or(request, fallback)
    messages.success(request, _("Your note is saved."))
    return _back_or(request, fallback)
