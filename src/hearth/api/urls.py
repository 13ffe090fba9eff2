"""/api/v1/: the API's routes, the OpenAPI document and the docs page; anything else under
/api/v1/ is the API's 404, in its error shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.views.decorators.csrf import csrf_exempt

from hearth.api.errors import error_body
from hearth.api.wiring import api


def _open_to_the_api(view: Callable[..., Any]) -> Callable[..., Any]:
    """The API answers visitors itself (401 in its shape, or what a visitor may read),
    so the sign-in middleware must not send them to the sign-in page."""
    return login_not_required(view)


@login_not_required
@csrf_exempt  # nothing to protect: it answers 404 to everything
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return HttpResponse(error_body(404), status=404, content_type="application/json")


_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = _open_to_the_api(_pattern.callback)

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    *_patterns,
    re_path(r"^(?P<rest>.*)$", not_found, name="not_found"),
]
