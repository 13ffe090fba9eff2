"""How allauth creates Hearth members and sends their mail."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.http import HttpRequest

from hearth.accounts.models import User
from hearth.core.mail_tasks import send_later

# Set on a request whose sign-up named a username someone already has.
USERNAME_TAKEN_FLAG = "_hearth_signup_username_taken"


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth ships no types
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.HEARTH_SIGNUP_OPEN)

    def save_user(self, request: HttpRequest, user: User, form: Any, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data.get("display_name") or user.username
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Render the message now, send it from the worker: sign-up, password reset and
        the rest never wait for the mail server, and a failed send is retried."""
        request = allauth_context.request
        # Hearth's own name and words, not the library's "Hello from example.com".
        full_context = {
            "request": request,
            "email": email,
            "site_name": settings.HEARTH_SITE_NAME,
            **context,
        }
        full_context.setdefault("current_site", _current_site(request))
        send_later(self.render_mail(template_prefix, email, full_context))

    def send_account_already_exists_mail(self, email: str) -> None:
        """Someone signed up with this address, which has an account -- or, with a new
        address, chose a username that is taken: tell the address's owner which."""
        request = allauth_context.request
        taken = getattr(request, USERNAME_TAKEN_FLAG, None)
        if taken is None:
            super().send_account_already_exists_mail(email)
            return
        from allauth.account.internal import flows  # noqa: PLC0415 - allauth's own helper

        self.send_mail(
            "account/email/username_taken",
            email,
            {"username": taken, "signup_url": flows.signup.get_signup_url(request)},
        )


def _current_site(request: HttpRequest) -> Any:
    from django.contrib.sites.shortcuts import get_current_site  # noqa: PLC0415

    return get_current_site(request)
