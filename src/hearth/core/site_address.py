"""Absolute addresses of the site's pages: ``SITE_URL``, or the address a request came to.

An operator who sets ``SITE_URL`` names the public address, and links say it whatever
host or port a request came through (a proxy's internal address, say). Without it,
the default (``http://127.0.0.1:8000``) would send every copied link and quote to a
server that may not be there: a Hearth run on another port or host links to itself
instead. Mail and tasks have no request and keep ``SITE_URL``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site_origin(request: HttpRequest | None) -> str:
    """The scheme and host absolute links start with, without a trailing slash."""
    if request is None or settings.SITE_URL_IS_SET:
        return str(settings.SITE_URL)
    return request.build_absolute_uri("/").rstrip("/")


def absolute_url(path: str, request: HttpRequest | None) -> str:
    """``path`` (starting with "/") as an absolute address (see ``site_origin``)."""
    return f"{site_origin(request)}{path}"


def configured_origin() -> str:
    """``SITE_URL`` when the operator set it, else "": for HTML shared between requests,
    where the browser completes a relative link with the page's own address instead."""
    return str(settings.SITE_URL) if settings.SITE_URL_IS_SET else ""
