"""The bell's page, reading notifications, the settings, following, unsubscribing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.models import User
from hearth.forum.models import FollowLevel
from hearth.forum.viewer import get_viewer
from hearth.notifications import selectors, services
from hearth.notifications.emails import ALL_EMAIL, DIGEST, read_unsubscribe_token
from hearth.notifications.emails import unsubscribe as turn_off_emails
from hearth.notifications.forms import BreakForm, NotificationSettingsForm, member_zone
from hearth.notifications.models import Kind


def _member(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware sends everyone else to sign in
    return user


@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    try:
        page = selectors.notifications_page(viewer, request.GET.get("before", ""))
    except ValueError:
        return HttpResponseBadRequest(_("That page link is not valid."))
    return render(request, "notifications/list.html", {"page": page})


@require_safe
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link: it is read, and the member lands on the post."""
    target = services.open_notification(member=_member(request), notification_id=notification_id)
    return redirect(target)


@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    services.open_notification(member=_member(request), notification_id=notification_id)
    return redirect("notifications:list")


@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.mark_read(member=_member(request))
    messages.success(request, _("All your notifications are marked read."))
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    choices = services.settings_for(member)
    if request.method == "POST":
        form = NotificationSettingsForm(request.POST, member=member)
        if form.is_valid():
            services.save_settings(member=member, choices=form.apply_to(choices))
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
        return render(request, "notifications/settings.html", {"form": form}, status=400)
    form = NotificationSettingsForm(
        initial=NotificationSettingsForm.initial_for(choices), member=member
    )
    return render(request, "notifications/settings.html", {"form": form})


@require_http_methods(["GET", "POST"])
def take_a_break(request: HttpRequest) -> HttpResponse:
    """Choose (or move) the day a break from the forum ends; end it from here too."""
    member = _member(request)
    on_break = member.is_on_break(timezone.now())
    if request.method == "POST":
        form = BreakForm(request.POST, member=member)
        if form.is_valid():
            try:
                services.take_a_break(member=member, until=form.ends_at())
            except ValidationError as error:
                form.add_error("until", error)
            else:
                messages.success(request, _("Your break has started. Look after yourself."))
                return redirect("notifications:take_a_break")
        context = {"form": form, "on_break": on_break}
        return render(request, "notifications/take_a_break.html", context, status=400)
    initial = {}
    if on_break and member.break_until is not None:
        initial["until"] = member.break_until.astimezone(member_zone(member)).date()
    form = BreakForm(initial=initial, member=member)
    context = {"form": form, "on_break": on_break}
    return render(request, "notifications/take_a_break.html", context)


@require_POST
def end_break(request: HttpRequest) -> HttpResponse:
    """One click: the break is over, and the next forum page welcomes the member back."""
    services.end_break(member=_member(request))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("home")
    return redirect(next_url)


@require_safe
def following(request: HttpRequest) -> HttpResponse:
    viewer = get_viewer(request)
    context = {
        "threads": selectors.followed_threads(viewer),
        "categories": selectors.followed_categories(viewer),
        "muted": FollowLevel.MUTED,
    }
    return render(request, "notifications/following.html", context)


@login_not_required
@csrf_exempt  # the signed token is the authority; RFC 8058 mail clients post without a session
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click from an email, signed in or not. GET asks (link scanners follow links);
    POST -- the button, or the mail client's List-Unsubscribe-Post -- does it."""
    found = read_unsubscribe_token(token)
    if found is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    member_id, what = found
    if what == DIGEST:
        described = _("the “While you were away” email")
    elif what in Kind.values:
        # The kind's name as it is written, in quotes: lower-casing it is no rule of every
        # language (German writes its nouns with a capital).
        described = _("emails about “%(kind)s”") % {"kind": Kind(what).label}
    else:
        described = _("all emails")
    if request.method == "POST":
        everything = request.POST.get("everything") == "1"
        if not turn_off_emails(member_id, ALL_EMAIL if everything else what):
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
        return render(
            request,
            "notifications/unsubscribe.html",
            {"done": True, "described": _("all emails") if everything else described},
        )
    return render(
        request, "notifications/unsubscribe.html", {"described": described, "token": token}
    )
