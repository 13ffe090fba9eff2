"""Which page a signed-in member must see before the one they asked for: the guidelines
to accept again, or their welcome -- and the pages that are never held back.

Pages cost no query for this: the session remembers the version the member stands by
(set when they sign in, and when they accept) and whether their welcome is due (set when
they sign in); the version in force is remembered per process for a few seconds
(``selectors.current_number``). Only when the two numbers differ is the database asked.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from hearth.accounts.models import User
from hearth.conversations.crisis import CRISIS_PANEL_SESSION_KEY as MESSAGE_CRISIS_PANEL_KEY
from hearth.forum.views import CRISIS_PANEL_SESSION_KEY as POST_CRISIS_PANEL_KEY
from hearth.welcome.selectors import accepted_number, current_number, is_welcome_due

ACCEPTED_SESSION_KEY = "hearth_guidelines_accepted"
WELCOME_SESSION_KEY = "hearth_welcome_due"

# Never held back behind the guidelines or the welcome (CARE.md): the private toolkit and
# the crisis support (the coping plan, asking a moderator to check in, the moderators'
# messages), the guidelines themselves, the member's rights over their data, signing out
# and the rest of the account pages, unsubscribing from email, and everything that is not
# a page: the JSON API (answered as always), live updates, files and health checks.
ALWAYS_REACHABLE = (
    "/guidelines/",
    "/welcome/",
    "/notes/",
    "/check-in/",
    "/notices/",
    "/suspended/",
    "/accounts/",
    "/settings/data/",
    "/settings/delete-account/",
    "/notifications/unsubscribe/",
    "/api/",
    "/live/",
    "/static/",
    "/i18n/",
    "/media/",
    "/healthz",
    "/readyz",
    "/robots.txt",
)


def note_what_is_due_on_sign_in(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """``user_logged_in``: remember in the new session what the member has accepted and
    whether their welcome is due (they may have verified their address in another browser)."""
    session = getattr(request, "session", None)
    if session is None or not isinstance(user, User):
        return
    session[ACCEPTED_SESSION_KEY] = accepted_number(user)
    if is_welcome_due(user):
        session[WELCOME_SESSION_KEY] = True
    else:
        session.pop(WELCOME_SESSION_KEY, None)


def where_first(request: HttpRequest, member: User) -> str | None:
    """The address of the page the member must see before this one, or None."""
    if not _may_hold_back(request):
        return None
    session = request.session
    known = session.get(ACCEPTED_SESSION_KEY)
    if not isinstance(known, int) or known < current_number():
        in_force = current_number(fresh=True)
        if not isinstance(known, int) or known < in_force:
            known = accepted_number(member)
            if session.get(ACCEPTED_SESSION_KEY) != known:
                session[ACCEPTED_SESSION_KEY] = known
            if known < in_force:
                return _with_next(reverse("welcome:accept"), request)
    if session.get(WELCOME_SESSION_KEY):
        return _with_next(reverse("welcome:welcome"), request)
    return None


def remember_accepted(request: HttpRequest, number: int) -> None:
    known = request.session.get(ACCEPTED_SESSION_KEY)
    if not isinstance(known, int) or known < number:
        request.session[ACCEPTED_SESSION_KEY] = number


def forget_welcome_due(request: HttpRequest) -> None:
    request.session.pop(WELCOME_SESSION_KEY, None)


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Where to go after accepting or the welcome: the page the member asked for, if it is
    one of ours, else the forum's home."""
    if (
        candidate
        and candidate.startswith("/")
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return reverse("home")


def _with_next(address: str, request: HttpRequest) -> str:
    asked_for = request.get_full_path()
    if asked_for == reverse("home"):
        return address
    return f"{address}?{urlencode({'next': asked_for})}"


def _may_hold_back(request: HttpRequest) -> bool:
    """Only a page the browser navigates to: never a form being sent (nothing typed is
    lost), a script's fetch or an htmx request, nor the pages that stay reachable, nor the
    page that shows a private crisis panel the member is waiting for."""
    if request.method not in {"GET", "HEAD"}:
        return False
    if request.path.startswith(ALWAYS_REACHABLE) or request.path.startswith(
        f"/{settings.HEARTH_ADMIN_PATH}"
    ):
        return False
    # request.META, not request.headers: building the headers mapping parses every header
    # name, and this runs on every signed-in request (most of the gate's cost).
    meta = request.META
    if "HTTP_HX_REQUEST" in meta or "HTTP_X_REQUESTED_WITH" in meta:
        return False
    if meta.get("HTTP_SEC_FETCH_MODE", "navigate") != "navigate":
        return False
    if meta.get("HTTP_SEC_FETCH_DEST", "document") != "document":
        return False
    session = request.session
    return POST_CRISIS_PANEL_KEY not in session and MESSAGE_CRISIS_PANEL_KEY not in session
