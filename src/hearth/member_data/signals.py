"""Signing in during an account deletion's waiting days cancels it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.http import HttpRequest
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.member_data.deletion import cancel_deletion


def cancel_deletion_on_sign_in(
    sender: Any, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    if cancel_deletion(user) and request is not None:
        flash.success(request, _("Welcome back. Your account will not be deleted."))
