"""A fully suspended member sees only why, and the moderators' messages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User

ALLOWED_WHILE_SUSPENDED = (
    # The private toolkit and crisis resources are never behind a sanction (CARE.md):
    # a suspended member may be the one who needs their coping plan most.
    "/notes/",
    "/suspended/",
    "/notices/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    # A member's rights over their data hold whatever they did: their export and
    # leaving for good.
    "/settings/data/",
    "/settings/delete-account/",
    "/healthz",
    "/readyz",
    "/static/",
    "/i18n/",  # the scripts' translations, which the pages above load
)


class SuspensionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and user.suspension_in_force(timezone.now())
            and not user.suspension_is_partial
            and not request.path.startswith(ALLOWED_WHILE_SUSPENDED)
        ):
            return redirect(reverse("moderation:suspended"))
        return self.get_response(request)
