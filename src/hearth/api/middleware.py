"""The API's answers before and around its views: the error shape and private caching."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from hearth.api.auth import suspended_error
from hearth.api.errors import error_body

API_PREFIX = "/api/v1/"
Handler = Callable[[HttpRequest], HttpResponse]


class ApiErrorShapeMiddleware:
    """Under /api/v1/, an error answered before the API's views run -- a NUL in the
    address (404) or query (400), a body over the size limit (413), the database away
    (503), a method a route does not take (405) -- is given the API's one error shape
    instead of an HTML page; a fully suspended member's session, which the suspension
    middleware sends to the page that says why, gets 403 ``suspended``. Every answer is
    ``private, no-store``: it may hold a member's data, and API clients have no "back".
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        response = self.get_response(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == 302 and response.get("Location") == reverse(
            "moderation:suspended"
        ):
            error = suspended_error()
            response = HttpResponse(
                error_body(403, error.message, error.code),
                status=403,
                content_type="application/json",
            )
        elif response.status_code >= 400 and not is_json:
            replaced = HttpResponse(
                error_body(response.status_code),
                status=response.status_code,
                content_type="application/json",
            )
            for header in ("Allow", "Retry-After"):
                if header in response:
                    replaced[header] = response[header]
            response = replaced
        if response.get("Content-Type", "").startswith("application/json"):
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response
