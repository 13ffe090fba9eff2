"""The two emails of an account deletion: that it was asked for (so a member whose
session someone else used hears of it in time to stop it), and that it was done.
Neither says anything of what the member wrote."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.core.mail_tasks import send_later
from hearth.member_data.models import AccountDeletion, PostsChoice


def _send(to: Sequence[str], subject: str, template: str, context: dict[str, object]) -> None:
    if not to:
        return
    context = {**context, "site_name": settings.HEARTH_SITE_NAME, "site_url": settings.SITE_URL}
    send_later(
        EmailMessage(
            subject=f"[{settings.HEARTH_SITE_NAME}] {subject}",
            body=render_to_string(template, context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(to),
            headers={"Auto-Submitted": "auto-generated"},
        )
    )


def send_deletion_requested(member: User, deletion: AccountDeletion) -> None:
    with translation.override(member.language):
        _send(
            [member.email] if member.email else [],
            _("Your account will be deleted"),
            "member_data/email/deletion_requested.txt",
            {
                "member": member,
                "due_at": deletion.due_at,
                "removes_posts": deletion.posts == PostsChoice.REMOVE,
                "sign_in_url": f"{settings.SITE_URL}{reverse('account_login')}",
            },
        )


def send_deletion_done(addresses: Sequence[str], language: str) -> None:
    with translation.override(language):
        _send(
            addresses, _("Your account has been deleted"), "member_data/email/deletion_done.txt", {}
        )
