"""Settings → Delete my account."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hearth.accounts.models import User
from hearth.core.templatetags.local_formats import long_datetime
from hearth.member_data.deletion import request_deletion
from hearth.member_data.deletion_forms import DeleteAccountForm
from hearth.member_data.models import PostsChoice


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware guarantees it here
    return request.user


@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)  # type: ignore[untyped-decorator]  # allauth ships no types
def delete_account(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    context = {"grace_days": settings.HEARTH_ACCOUNT_DELETION_GRACE_DAYS}
    if request.method == "GET":
        return render(
            request, "member_data/delete_account.html", {**context, "form": DeleteAccountForm()}
        )
    form = DeleteAccountForm(request.POST)
    if not form.is_valid():
        return render(
            request, "member_data/delete_account.html", {**context, "form": form}, status=400
        )
    deletion = request_deletion(member, posts=PostsChoice(form.cleaned_data["posts"]))
    logout(request)
    due = long_datetime(deletion.due_at)
    flash.success(
        request,
        _(
            "Your account will be deleted on %(date)s. You have been signed out everywhere. "
            "If you change your mind, sign in before then and it will not be deleted."
        )
        % {"date": due},
    )
    return redirect("account_login")
