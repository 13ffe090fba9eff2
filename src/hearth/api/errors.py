"""Every error in one shape (``hearth.core.api_schema.ErrorOut``), whoever raised it: our
endpoints, the services (PermissionDenied, ValidationError), the selectors (Http404,
SignInRequired), django-ninja (invalid input, authentication) or the middleware before
any view (``middleware.ApiErrorShapeMiddleware``)."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputInvalid

from hearth.core.api_schema import ApiError
from hearth.core.http import SignInRequired

logger = logging.getLogger(__name__)

# The code for each status an error may have.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    409: "conflict",
    413: "payload_too_large",
    422: "validation_failed",
    429: "rate_limited",
    503: "unavailable",
}


def code_for(status: int) -> str:
    return CODES.get(status, "server_error" if status >= 500 else "bad_request")


def default_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Sign in, or send a personal access token, to use this."),
        403: _("You can't do that."),
        404: _("Not found."),
        405: _("This address doesn't take that method."),
        413: _("The request is larger than we accept."),
        422: _("Some of what was sent is not valid."),
        429: _("Too many requests. Please wait a few minutes and try again."),
        503: _("We can't answer right now. Please try again in a minute."),
    }
    return messages.get(status, _("Something went wrong on our side."))


def error_body(status: int, message: str = "", code: str = "") -> bytes:
    error = ApiError(status, code or code_for(status), message or default_message(status))
    return json.dumps(error.body()).encode()


def _answer(request: HttpRequest, error: ApiError) -> HttpResponse:
    return HttpResponse(
        json.dumps(error.body()), status=error.status, content_type="application/json"
    )


def _unseen_place(request: HttpRequest) -> HttpResponse | None:
    """The answer for a request about something the viewer may not see: 404 (a visitor:
    401), as the website answers, which looks the thing up before it reads the form.
    django-ninja checks a body before the endpoint runs; without this, an invalid body
    about someone else's conversation would be a 422 where the website says 404."""
    # The apps' selectors, imported here: the wiring may import every app.
    from hearth.conversations.selectors import get_conversation_for_viewer_or_404  # noqa: PLC0415
    from hearth.forum import selectors  # noqa: PLC0415
    from hearth.forum.viewer import get_viewer  # noqa: PLC0415

    place = request.resolver_match.kwargs if request.resolver_match else {}
    viewer = get_viewer(request)
    try:
        if isinstance(slug := place.get("slug"), str):
            selectors.get_category_for_viewer_or_404(viewer, slug)
        if isinstance(thread_id := place.get("thread_id"), int):
            selectors.get_thread_for_viewer_or_404(viewer, thread_id)
        if isinstance(post_id := place.get("post_id"), int):
            if request.method == "PATCH":  # editing reads the text, as the edit form does
                selectors.get_readable_post_for_viewer_or_404(viewer, post_id)
            else:
                selectors.get_post_for_viewer_or_404(viewer, post_id)
        if isinstance(conversation_id := place.get("conversation_id"), int):
            if viewer.member is None:
                raise SignInRequired
            get_conversation_for_viewer_or_404(viewer.member, conversation_id)
    except Http404:
        return _not_found(request, Http404())
    except SignInRequired:
        return _sign_in(request, SignInRequired())
    return None


def _invalid_input(request: HttpRequest, exc: InputInvalid) -> HttpResponse:
    if (unseen := _unseen_place(request)) is not None:
        return unseen
    fields: dict[str, list[str]] = {}
    for problem in exc.errors:
        location = [str(part) for part in problem.get("loc", ())]
        # ("body", "payload", "title") -> "title"; ("query", "page") -> "page"
        name = location[-1] if len(location) > 1 else "__all__"
        fields.setdefault(name, []).append(str(problem.get("msg", "")))
    error = ApiError(422, "validation_failed", default_message(422), fields=fields)
    return _answer(request, error)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    if status == 400 and (unseen := _unseen_place(request)) is not None:
        return unseen  # a body that is not JSON, about something the viewer may not see
    message = default_message(status)
    if isinstance(exc, AuthenticationError):
        message = default_message(401)
    elif status == 400:
        message = _("The body must be JSON (Content-Type: application/json).")
    return _answer(request, ApiError(status, code_for(status), message))


def _service_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = {"__all__": list(exc.messages)}
    return _answer(
        request, ApiError(422, "validation_failed", " ".join(exc.messages), fields=fields)
    )


def _refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _answer(request, ApiError(403, "forbidden", str(exc) or default_message(403)))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _answer(request, ApiError(404, "not_found", default_message(404)))


def _sign_in(request: HttpRequest, exc: SignInRequired) -> HttpResponse:
    return _answer(request, ApiError(401, "unauthorized", default_message(401)))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Django's own 500 handling (logging, mail to the admins) sees it, as for a page.
    raise exc


def install_error_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (ApiError, _answer),
        (InputInvalid, _invalid_input),
        (HttpError, _http_error),
        (ValidationError, _service_invalid),
        (PermissionDenied, _refused),
        (Http404, _not_found),
        (SignInRequired, _sign_in),
        (Exception, _unexpected),
    ]
    for exception, handler in handlers:
        api.add_exception_handler(exception, handler)
