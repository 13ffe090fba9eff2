"""The guidelines page (anyone may read it), accepting a new version, and the welcome."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from hearth.accounts.models import User
from hearth.forum.models import Category
from hearth.forum.selectors import get_category_for_viewer_or_404
from hearth.forum.viewer import viewer_for
from hearth.welcome import gate
from hearth.welcome.forms import AcceptGuidelinesForm
from hearth.welcome.selectors import (
    accepted_number,
    changes_after,
    current_guidelines,
    guidelines_html,
)
from hearth.welcome.services import accept_guidelines, mark_welcome_shown


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_not_required
@require_safe
def guidelines(request: HttpRequest) -> HttpResponse:
    """The guidelines in force, for members and for visitors deciding whether to join."""
    version = current_guidelines()
    context = {"version": version, "html": guidelines_html(version) if version else ""}
    return render(request, "welcome/guidelines.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def accept(request: HttpRequest) -> HttpResponse:
    """A new version to read, what changed since the member's, and "I accept"."""
    member = _member(request)
    next_url = gate.safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = AcceptGuidelinesForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        version = form.cleaned_data["version"]
        accept_guidelines(member=member, version=version)
        gate.remember_accepted(request, version.number)
        return redirect(next_url)
    current = current_guidelines()
    accepted = accepted_number(member)
    if current is None or (not form.is_bound and accepted >= current.number):
        return redirect(next_url)  # nothing to accept
    context = {
        "version": current,
        "html": guidelines_html(current),
        "changes": changes_after(accepted),
        "next": next_url,
        "form": form,
    }
    return render(request, "welcome/accept.html", context, status=400 if form.is_bound else 200)


@require_safe
def welcome(request: HttpRequest) -> HttpResponse:
    """What Hearth is and is not, and where to start; shown to a new member once, after
    they verify their address (this page can be opened again, but is never sent twice)."""
    member = _member(request)
    mark_welcome_shown(member=member)
    gate.forget_welcome_due(request)
    context = {
        "member": member,
        "introductions": _introductions_category(member),
        "next": gate.safe_next(request, request.GET.get("next")),
    }
    return render(request, "welcome/welcome.html", context)


def _introductions_category(member: User) -> Category | None:
    """The category an administrator chose for introductions, if this member may see it."""
    slug = settings.HEARTH_INTRODUCTIONS_CATEGORY
    if not slug:
        return None
    try:
        return get_category_for_viewer_or_404(viewer_for(member), slug)
    except Http404:
        return None
