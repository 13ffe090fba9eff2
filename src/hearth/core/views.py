"""Site-wide pages: home, health check, robots.txt, media and error pages."""

import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import caches
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.utils._os import safe_join
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hearth.core.database_trouble import is_database_trouble, maintenance_response
from hearth.core.media_storage import REDIRECT_CACHE_SECONDS, is_safe_name, served_as

ROBOTS_DISALLOW_ALL = "User-agent: *\nDisallow: /\n"
ROBOTS_ALLOW = "User-agent: *\nDisallow: /accounts/\nDisallow: /settings/\n"


@login_not_required
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Answer liveness probes without touching the database or member data."""
    return HttpResponse("ok\n", content_type="text/plain")


@login_not_required
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database answers, and so does the shared cache (Redis, when
    configured). 503 with the reason otherwise, so a load balancer sends no one here."""
    problems = []
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        problems.append("database unreachable")
    try:
        caches["default"].get("hearth-readyz")
    except Exception:
        problems.append("cache unreachable")
    if problems:
        return HttpResponse(
            "not ready: " + ", ".join(problems) + "\n", content_type="text/plain", status=503
        )
    return HttpResponse("ready\n", content_type="text/plain")


@login_not_required
@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Disallow all crawling unless the operator has turned indexing on."""
    body = ROBOTS_ALLOW if settings.HEARTH_ALLOW_INDEXING else ROBOTS_DISALLOW_ALL
    return HttpResponse(body, content_type="text/plain")


@require_safe
def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """Serve uploaded files to signed-in members only; membership is private.

    From local disk the file itself, with the type and disposition
    ``served_as`` gives it; from object storage a redirect to a short-lived
    signed URL carrying the same (core/object_storage.py).
    """
    if not is_safe_name(path):
        raise Http404
    response: HttpResponseBase
    if settings.HEARTH_MEDIA_BUCKET:
        response = HttpResponseRedirect(default_storage.signed_url(path))  # type: ignore[attr-defined]
        patch_cache_control(response, private=True, max_age=REDIRECT_CACHE_SECONDS)
        return response
    try:
        full_path = Path(safe_join(settings.MEDIA_ROOT, path))
    except SuspiciousFileOperation as error:
        raise Http404 from error
    if not full_path.is_file():
        raise Http404
    content_type, disposition = served_as(path)
    response = FileResponse(full_path.open("rb"), content_type=content_type)
    response["Content-Disposition"] = disposition
    patch_cache_control(response, private=True, max_age=3600)
    return response


@login_not_required
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "400.html", 400)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    reason = str(exception) if exception and str(exception) else ""
    return _error_page(request, "403.html", 403, {"reason": reason})


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_page(request, "404.html", 404)


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its ``except``: a database outage (here raised by a
    # middleware, before any view ran) gets the maintenance page, which keeps the text.
    if is_database_trouble(sys.exc_info()[1]):
        return maintenance_response(request)
    return _error_page(request, "500.html", 500)


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_page(request, "403_csrf.html", 403)


def _error_page(
    request: HttpRequest, template: str, status: int, context: dict[str, str] | None = None
) -> HttpResponse:
    """Render an error in the site layout, falling back to plain text if that fails.

    The fallback matters for 500s: the layout itself may be what is broken.
    """
    try:
        return render(request, template, context or {}, status=status)
    except (TemplateDoesNotExist, Exception):
        return HttpResponse(
            _("Something went wrong on our side. Please try again."),
            content_type="text/plain",
            status=status,
        )
