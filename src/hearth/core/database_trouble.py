"""When the database is away or locked: a 503 that keeps what the member typed.

A lock held longer than SQLite's busy timeout, a PostgreSQL restart or an outage
raises ``OperationalError`` (or ``InterfaceError``) wherever the database is
touched. Instead of the generic 500 page, the member gets a short maintenance
page with ``Retry-After``, rendered without touching the database; if they
were sending a form, the page holds their text and the form's other fields
(its request key included) in a form that sends it again to the same place --
so resending is safe: a reply is still posted once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib.sessions.middleware import SessionMiddleware
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from hearth.core.middleware import Handler

logger = logging.getLogger(__name__)

DATABASE_TROUBLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
SQLITE_BUSY_TIMEOUT_MS = 5000  # settings.SQLITE_OPTIONS' busy_timeout
# Typed text shown in the page to edit and resend; every other field rides along hidden.
VISIBLE_FIELDS = ("title", "body")
# Never written back into a page.
SECRET_FIELDS = ("password", "password1", "password2", "oldpassword", "code")


def is_database_trouble(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_TROUBLE)


def maintenance_response(request: HttpRequest) -> HttpResponse:
    """The 503 page, with the form the member was sending (if any) ready to send again."""
    kept: list[tuple[str, str]] = []
    visible: dict[str, str] = {}
    if request.method == "POST":
        try:
            fields = list(request.POST.lists())
        except Exception:
            fields = []
        for name, values in fields:
            if name in SECRET_FIELDS:
                continue
            if name in VISIBLE_FIELDS:
                visible[name] = values[-1]
            else:
                kept.extend((name, value) for value in values)
    context = {
        "action": request.path,
        "kept_fields": kept,
        "title": visible.get("title"),
        "body": visible.get("body"),
        "retry_after": RETRY_AFTER_SECONDS,
    }
    # No request context: context processors may need the database that is away.
    response = HttpResponse(render_to_string("core/maintenance.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseTroubleMiddleware:
    """Answer a view's database outage with the maintenance page (``maintenance_response``).

    Errors raised in other middleware (loading the session or the member) reach
    ``hearth.core.views.server_error``, which answers the same way.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_trouble(exception):
            return None
        logger.warning("Database trouble on %s %s: %s", request.method, request.path, exception)
        return maintenance_response(request)


# How long a best-effort write waits for SQLite's write lock before giving up.
BEST_EFFORT_BUSY_TIMEOUT_MS = 250


def best_effort(what: str, write: Callable[[], object]) -> bool:
    """Run ``write`` -- something a page can do without, such as a read marker -- in its
    own transaction; on a lock or an outage roll it back and skip it, never the page
    (the next page view writes it again). Returns whether it was written.

    On SQLite it waits a quarter of a second for the write lock, not the full busy
    timeout, so a reader never sits behind a long write. (The timeout is set on the
    driver's connection itself: it is a setting, not a query.)
    """
    connection.ensure_connection()
    raw = connection.connection if connection.vendor == "sqlite" else None
    try:
        if raw is not None:
            raw.execute(f"PRAGMA busy_timeout = {BEST_EFFORT_BUSY_TIMEOUT_MS}")
        with transaction.atomic():
            write()
    except DatabaseError as error:
        logger.warning("Skipped %s: %s", what, error)
        return False
    finally:
        if raw is not None:
            try:
                raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            except DatabaseError:  # the connection is gone; a new one starts from settings
                logger.warning("Could not restore SQLite's busy timeout")
    return True


class BestEffortSessionMiddleware(SessionMiddleware):
    """Django's sessions, except that saving a session changed while *reading* a page
    (a one-time note taken out of it, say) never costs the page when the database is
    locked or away: the change is kept for the next request instead. A session changed
    by a form sent (signing in) must be saved, so there an error still answers 503."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return super().process_response(request, response)
        try:
            return super().process_response(request, response)
        except DatabaseError as error:
            logger.warning("Skipped saving the session on %s: %s", request.path, error)
            return response
