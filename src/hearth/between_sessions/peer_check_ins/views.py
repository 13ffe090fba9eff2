"""Pages of check-ins from peers: parse -> fetch (the two members only) -> service ->
render.

The asker's page is a toolkit page (``/notes/away/<break>/check-ins/``, owner-only
like every toolkit page); the helper's pages are ordinary ones (``/check-ins/``) and
show only the asker's name, the state and the days.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.models import User
from hearth.between_sessions import selectors as toolkit_selectors
from hearth.between_sessions.models import PeerCheckIn, TherapistBreak
from hearth.between_sessions.peer_check_ins import selectors, services
from hearth.between_sessions.peer_check_ins.forms import ArrangeCheckInsForm
from hearth.core.providers import conversation_between


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware sends everyone else to sign in
    return user


# --- The asker's page, in the toolkit ------------------------------------------------------


def _arrange_form(
    request: HttpRequest, owner: User, therapist_break: TherapistBreak, open_count: int
) -> ArrangeCheckInsForm:
    today = selectors.local_date(owner)
    last = therapist_break.back_on - datetime.timedelta(days=1) if therapist_break.back_on else None
    chosen = selectors.chosen_days_of_break(owner, therapist_break)
    return ArrangeCheckInsForm(
        request.POST if request.method == "POST" else None,
        initial={f"day_{number}": day for number, day in enumerate(chosen, start=1)},
        places=max(services.MOST_HELPERS - open_count, 0),
        first=max(therapist_break.starts_on, today),
        last=last,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def break_check_ins(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask members to check in during one of the owner's breaks; see their answers."""
    owner = _member(request)
    therapist_break = toolkit_selectors.get_therapist_break_for_owner_or_404(owner, pk)
    asked = selectors.check_ins_of_break(owner, therapist_break)
    open_count = sum(1 for each in asked if each.is_open)
    form = _arrange_form(request, owner, therapist_break, open_count)
    errors: dict[str, list[str]] = {}
    status = 200
    is_over = services.is_over(therapist_break, selectors.local_date(owner))
    if request.method == "POST":
        status = 400
        if form.is_valid() and not is_over:
            try:
                created = services.arrange_peer_check_ins(
                    asker=owner, therapist_break=therapist_break, arrangement=form.arrangement()
                )
            except ValidationError as error:
                errors = (
                    error.message_dict
                    if hasattr(error, "error_dict")
                    else {"names": error.messages}
                )
            else:
                if created:
                    messages.success(
                        request,
                        _("Asked. Each of them can say yes or no; you'll see their answer here."),
                    )
                else:
                    messages.success(request, _("The days are saved."))
                return redirect("between_sessions:break_check_ins", pk=therapist_break.pk)
        elif is_over:
            errors = {"names": [_("This break is over.")]}
    context: dict[str, Any] = {
        "therapist_break": therapist_break,
        "asked": asked,
        "has_open": open_count > 0,
        "form": form,
        "is_over": is_over,
        "name_errors": errors.get("names", []),
        "day_errors": errors.get("days", []),
        "most_helpers": services.MOST_HELPERS,
        "toolkit_section": "breaks",
    }
    return render(
        request, "between_sessions/peer_check_ins/break_check_ins.html", context, status=status
    )


@never_cache
@require_POST
def break_check_ins_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """End every open request of this break in one click, or one of them (``check_in``)."""
    owner = _member(request)
    therapist_break = toolkit_selectors.get_therapist_break_for_owner_or_404(owner, pk)
    chosen = request.POST.get("check_in", "")
    check_in_id = int(chosen) if chosen.isdigit() and len(chosen) <= 18 else None
    ended = services.withdraw_peer_check_ins(
        asker=owner, therapist_break=therapist_break, check_in_id=check_in_id
    )
    if ended:
        messages.success(request, _("Ended. Nothing more will be sent."))
    return redirect("between_sessions:break_check_ins", pk=therapist_break.pk)


# --- The helper's pages ---------------------------------------------------------------------


@require_safe
def received(request: HttpRequest) -> HttpResponse:
    """The requests to check in that the member received."""
    member = _member(request)
    context = {"check_ins": selectors.check_ins_asked_of(member)}
    return render(request, "between_sessions/peer_check_ins/received.html", context)


@require_safe
def detail(request: HttpRequest, check_in_id: int) -> HttpResponse:
    """One request, for its helper (answer, step back) or its asker (the answer)."""
    member = _member(request)
    seen = selectors.get_check_in_for_member_or_404(member, check_in_id)
    context = {"seen": seen, "check_in": seen.check_in, "states": PeerCheckIn.State}
    return render(request, "between_sessions/peer_check_ins/detail.html", context)


@require_POST
def accept(request: HttpRequest, check_in_id: int) -> HttpResponse:
    helper = _member(request)
    check_in = selectors.get_check_in_for_helper_or_404(helper, check_in_id)
    answered = services.answer_peer_check_in(helper=helper, check_in=check_in, accept=True)
    if answered.state == PeerCheckIn.State.ACCEPTED:
        messages.success(request, _("Thank you. You'll be told on each of the days."))
    return redirect("peer_check_ins:detail", check_in_id=check_in.pk)


@require_POST
def decline(request: HttpRequest, check_in_id: int) -> HttpResponse:
    helper = _member(request)
    check_in = selectors.get_check_in_for_helper_or_404(helper, check_in_id)
    services.answer_peer_check_in(helper=helper, check_in=check_in, accept=False)
    return redirect("peer_check_ins:detail", check_in_id=check_in.pk)


@require_POST
def stop(request: HttpRequest, check_in_id: int) -> HttpResponse:
    helper = _member(request)
    check_in = selectors.get_check_in_for_helper_or_404(helper, check_in_id)
    services.stop_peer_check_in(helper=helper, check_in=check_in)
    return redirect("peer_check_ins:detail", check_in_id=check_in.pk)


@require_safe
def message(request: HttpRequest, check_in_id: int) -> HttpResponse:
    """The conversation between the two: the one they are both still in, else the form to
    start one (which asks the conversations app's rules again)."""
    member = _member(request)
    seen = selectors.get_check_in_for_member_or_404(member, check_in_id)
    if seen.state != PeerCheckIn.State.ACCEPTED:
        return redirect("peer_check_ins:detail", check_in_id=check_in_id)
    existing = conversation_between(member, seen.other)
    if existing is not None:
        return redirect("conversations:conversation", conversation_id=existing)
    return redirect(f"{reverse('conversations:start')}?{urlencode({'to': seen.other.username})}")
