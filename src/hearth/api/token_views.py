"""Settings → API tokens: make a personal access token (shown once), see them, revoke one."""

from __future__ import annotations

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages as flash
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hearth.accounts.models import User
from hearth.api.forms import NewTokenForm
from hearth.api.models import Scope
from hearth.api.selectors import list_tokens_of
from hearth.api.services import NewToken, create_access_token, revoke_access_token
from hearth.core.ratelimit import RateLimit, allow

# Making tokens is rare: the posting limit's budget, in a bucket of its own.
CREATE_RATE = RateLimit.parse(settings.HEARTH_POST_RATE_LIMIT)
TOO_MANY_STATUS = 429
# How long a sent form is remembered, so sending it again makes no second token.
FORM_KEY_SECONDS = 24 * 60 * 60


def _member(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # LoginRequiredMiddleware guarantees it here
    return request.user


def _page(
    request: HttpRequest,
    form: NewTokenForm,
    *,
    made: NewToken | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "tokens": list_tokens_of(_member(request), timezone.now()),
        "made": made,
        "now": timezone.now(),
    }
    return render(request, "api/tokens.html", context, status=status)


@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True)  # type: ignore[untyped-decorator]  # allauth ships no types
def tokens(request: HttpRequest) -> HttpResponse:
    """The list and the form; making a token asks for the password again first (a token
    is as good as being signed in), and shows the token on this answer only."""
    if request.method == "GET":
        return _page(request, NewTokenForm())
    form = NewTokenForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    member = _member(request)
    sent_before = f"api-token-form:{member.pk}:{form.cleaned_data['form_key']}"
    if not cache.add(sent_before, True, timeout=FORM_KEY_SECONDS):
        flash.info(
            request,
            _(
                "That form made its token already (it was shown once, above it, when it "
                "was made). If you did not copy it, revoke it and make a new one."
            ),
        )
        return redirect("api_tokens:tokens")
    if not allow("api-token", member.pk, CREATE_RATE):
        form.add_error(
            None, _("You're making tokens faster than we allow. Please wait a few minutes.")
        )
        return _page(request, form, status=TOO_MANY_STATUS)
    try:
        made = create_access_token(
            member=member,
            name=form.cleaned_data["name"],
            scope=Scope(form.cleaned_data["scope"]),
            lifetime_days=form.cleaned_data["lifetime_days"],
        )
    except ValidationError as error:
        field = (
            "lifetime_days"
            if error.code == "lifetime"
            else "name"
            if error.code == "name"
            else None
        )
        for message in error.messages:
            form.add_error(field, message)
        return _page(request, form, status=400)
    return _page(request, NewTokenForm(), made=made)


@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if revoke_access_token(member=_member(request), token_id=token_id) is None:
        raise Http404
    flash.success(request, _("The token is revoked: it no longer works."))
    return redirect("api_tokens:tokens")
