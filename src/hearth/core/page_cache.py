"""Whole pages for visitors, shared between them, from the cache (``HEARTH_PUBLIC_PAGE_CACHE``).

Categories an operator opens to everyone are read by visitors far more than by
members, and a visitor's page is the same for every visitor reading in the same
language: nothing in it names the reader. So a view wrapped in
``@shared_with_visitors(...)`` answers a visitor from the cache when the page was
made under the current version tokens of what it shows (``hearth.core.versioned_cache``;
the forum says which, ``hearth.forum.public_page_tokens``), and otherwise makes it and
keeps it for the next visitor.

What must never be shared is left out by construction:

* only a **visitor** is served or stored: a request with a session cookie (a member,
  or a visitor with something in their session, such as a message) or a messages
  cookie goes to the view as ever;
* the **CSP nonce** differs per response: a stored page holds a placeholder where its
  nonce was, and each answer puts a fresh nonce there (the one its CSP header names);
* a page that made a **CSRF token** or set a cookie is not stored;
* only the query parameters the view names take part; any other makes the request
  bypass the cache (a flood of made-up query strings fills nothing);
* only a 200 is stored, for at most ``PAGE_SECONDS``, so even a change no token
  covers (a relative time such as "3 minutes ago") is at most that old.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.utils import translation

from hearth.core import replicas, versioned_cache

PAGE_SECONDS = 60
# Stands where the page's nonce was; no page could contain it by accident.
NONCE_PLACEHOLDER = "\x00hearth-csp-nonce\x00"
# What every page depends on besides its own things: categories, labels, names.
SITE_VERSION = "pages:site"

View = Callable[..., HttpResponse]
TokensFor = Callable[..., Sequence[str]]


def shared_with_visitors(
    tokens_for: TokensFor, *, parameters: Sequence[str] = ()
) -> Callable[[View], View]:
    """Serve visitors the view's page from the cache while the tokens ``tokens_for``
    names (given the view's keyword arguments), and the site's, are current."""

    def decorate(view: View) -> View:
        @wraps(view)
        def serve(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _may_share(request, parameters):
                return view(request, *args, **kwargs)
            entry_key = _entry_key(request)
            token_keys = [*tokens_for(**kwargs), SITE_VERSION]
            cached, tokens = versioned_cache.lookup(entry_key, token_keys)  # fails open
            if cached is not None:
                body, content_type = cached
                nonce = str(request._csp_nonce)  # type: ignore[attr-defined]  # made now: the header names it
                return HttpResponse(
                    body.replace(NONCE_PLACEHOLDER, nonce), content_type=content_type
                )
            # A page kept for every visitor is made from the primary, never a replica
            # that may not have seen the change that renewed its tokens yet.
            with replicas.primary_only():
                response = view(request, *args, **kwargs)
            if _may_store(request, response):
                versioned_cache.store(
                    entry_key,
                    tokens,
                    (_without_nonce(request, response), response["Content-Type"]),
                    seconds=PAGE_SECONDS,
                )
            return response

        return serve

    return decorate


def _may_share(request: HttpRequest, parameters: Sequence[str]) -> bool:
    return (
        bool(settings.HEARTH_PUBLIC_PAGE_CACHE)
        and request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and "HTTP_HX_REQUEST" not in request.META
        and set(request.GET) <= set(parameters)
    )


def _may_store(request: HttpRequest, response: HttpResponse) -> bool:
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.modified)
    )


def _entry_key(request: HttpRequest) -> str:
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page:{translation.get_language()}:{address}"


def _without_nonce(request: HttpRequest, response: HttpResponse) -> str:
    body = response.content.decode(response.charset)
    nonce = get_nonce(request)
    return body.replace(str(nonce), NONCE_PLACEHOLDER) if nonce else body


def renew_tokens(token_keys: Sequence[str]) -> None:
    """What these tokens stand for changed: pages stored under them are made again."""
    if settings.HEARTH_PUBLIC_PAGE_CACHE:
        versioned_cache.renew(token_keys)


def site_changed() -> None:
    """Something every page may show changed (a category, a member's name): every stored
    page is made again."""
    renew_tokens([SITE_VERSION])
