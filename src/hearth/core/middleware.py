"""Middleware that every response passes through."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string

Handler = Callable[[HttpRequest], HttpResponse]


class RequestSizeLimitMiddleware:
    """Refuse bodies larger than ``HEARTH_MAX_REQUEST_BYTES`` with a friendly 413.

    Runs before sessions and CSRF so an oversized upload is refused before
    anything reads it, yet after CSP so the error page gets its nonce.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.limit = settings.HEARTH_MAX_REQUEST_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            body = render_to_string(
                "core/request_too_large.html",
                {"limit_megabytes": self.limit // (1024 * 1024)},
                request=request,
            )
            return HttpResponse(body, status=413)
        return self.get_response(request)


class UnstorableInputMiddleware:
    """A NUL character can't be stored (PostgreSQL refuses it in text) and never belongs
    in an address: a path holding one is not found, a query string holding one is a bad
    request -- before any view hands it to the database."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise SuspiciousOperation("A NUL character in the query string")
        return self.get_response(request)


class PrivacyHeadersMiddleware:
    """Keep search engines and other sites out unless the operator opts in, and keep
    pages out of shared caches.

    Pages carry no ETag or Last-Modified: every page has a fresh CSP nonce, and a
    member's page names them and holds their CSRF token, so no validator could
    be shared or reused without leaking one reader's page to another. Pages are
    ``private, no-cache`` unless a view says otherwise; static files get their
    own long-lived headers from WhiteNoise, before this middleware. A signed-in
    member's pages are ``private, no-store``.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response
        self.allow_indexing = settings.HEARTH_ALLOW_INDEXING

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not self.allow_indexing:
            response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"
        )
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Cache-Control", _page_cache_control(request))
        return response


def _page_cache_control(request: HttpRequest) -> str:
    """``no-store`` for a member's pages: on a shared computer a signed-in page must not
    stay in the browser's disk cache once they sign out (being a member is private)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return "private, no-store"
    return "private, no-cache"
