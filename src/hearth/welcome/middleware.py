"""Send a signed-in member to the guidelines they have yet to accept, or to their welcome,
before other pages (``hearth.welcome.gate`` says which pages are never held back)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from hearth.accounts.models import User
from hearth.welcome.gate import where_first


class GuidelinesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if isinstance(user, User) and (destination := where_first(request, user)):
            return redirect(destination)
        return self.get_response(request)
