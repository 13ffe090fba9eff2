"""Who is asking: a personal access token (``Authorization: Bearer``), the session cookie
(with CSRF for writes), or -- on the routes a visitor may read on the web -- nobody.

Authentication decides the request's member (``request.user``) once; everything after
it -- the viewer, the visibility policy, the services -- is what the web pages use.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from hearth.accounts.models import User
from hearth.api.selectors import find_usable_token
from hearth.api.services import note_token_used
from hearth.core.api_schema import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def suspended_error() -> ApiError:
    return ApiError(
        403,
        "suspended",
        _(
            "Your account is suspended for now. Sign in on the website to read why and for "
            "how long, and to read the moderators' messages."
        ),
    )


def _admit(request: HttpRequest, member: User) -> User:
    """The member may use the API now: a full suspension answers 403, as the web sends them
    to the page that says why."""
    if member.suspension_in_force(timezone.now()) and not member.suspension_is_partial:
        raise suspended_error()
    return member


class BearerToken(HttpBearer):
    """``Authorization: Bearer hearth_...``: a personal access token (docs/api.md)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header)
        if not header:
            return None  # no token: the session (or a visitor) may still be allowed
        scheme, _space, secret = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not secret.strip():
            raise ApiError(
                401, "unauthorized", _("Send your token as “Authorization: Bearer <token>”.")
            )
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> User:
        now = timezone.now()
        found = find_usable_token(token, now)
        if found is None:
            raise ApiError(
                401,
                "unauthorized",
                _("This token does not work: it may have expired or been revoked."),
            )
        member = _admit(request, found.member)
        if request.method not in SAFE_METHODS and not found.allows_writing:
            raise ApiError(
                403,
                "insufficient_scope",
                _("This token may only read. Make a read and write token to change things."),
            )
        note_token_used(found, now)
        # What the session's middleware does for a signed-in page.
        request.user = member
        request._hearth_viewer = None  # type: ignore[attr-defined]  # computed again for the member
        translation.activate(member.language)
        timezone.activate(member.time_zone)
        # A bearer request is not a browser's: no CSRF token is needed or checked.
        return member


class SessionCookie(APIKeyCookie):
    """The browser's session, as the website's pages use it; writes need the CSRF token
    (the ``X-CSRFToken`` header), as htmx sends it."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                _("Send the CSRF token in the X-CSRFToken header with the session cookie."),
            )
        return _admit(request, user)


class Visitor:
    """On the routes a signed-out visitor may read on the web (a public category's
    threads): no credentials at all is allowed, as a visitor. Credentials that do not
    work are never taken for a visitor: the token and session checks answer first."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.method not in SAFE_METHODS or request.headers.get("Authorization"):
            return None
        if isinstance(request.user, User) and request.user.is_authenticated:
            return None
        return AnonymousUser()


BEARER = BearerToken()
SESSION = SessionCookie()
MEMBERS = [BEARER, SESSION]
MEMBERS_OR_VISITORS = [BEARER, SESSION, Visitor()]
