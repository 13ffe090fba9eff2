"""HTTP helpers shared by every app."""

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse


class SignInRequired(Exception):  # noqa: N818 - reads as what the visitor must do
    """Raised when a signed-out visitor asks for something only members may see.

    Members who may not see a thing get 404; visitors are asked to sign in,
    which reveals nothing about whether the thing exists.
    """


class SignInRequiredMiddleware:
    """Turn SignInRequired into the usual redirect to the sign-in page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SignInRequired):
            return redirect_to_login(request.get_full_path())
        return None
