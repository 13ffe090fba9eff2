"""Member profiles and a member's own settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.forms import MutedWordsForm, ProfileForm
from hearth.accounts.models import User
from hearth.accounts.selectors import get_member_for_viewer_or_404, get_mute, list_mutes
from hearth.accounts.services import (
    mute_member,
    set_muted_words,
    unmute_member,
    update_profile,
)


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    assert isinstance(request.user, User)
    member = get_member_for_viewer_or_404(request.user, username)
    mute = get_mute(request.user, member) if member.pk != request.user.pk else None
    return render(request, "accounts/profile.html", {"member": member, "mute": mute})


@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    member = request.user
    assert isinstance(member, User)
    if request.method == "POST":
        form = ProfileForm(
            request.POST, request.FILES, is_moderator=member.is_moderator_or_administrator
        )
        if form.is_valid():
            update_profile(
                member=member,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                time_zone=form.cleaned_data["time_zone"],
                language=form.cleaned_data["language"],
                country=form.cleaned_data["country"],
                receives_check_ins=form.cleaned_data.get("receives_check_ins"),
                post_delay_minutes=form.cleaned_data.get("post_delay_minutes"),
                new_avatar=form.cleaned_data["avatar"],
                remove_avatar=form.cleaned_data["remove_avatar"],
            )
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:edit_profile")
        return render(request, "accounts/edit_profile.html", {"form": form}, status=400)
    form = ProfileForm(
        initial={
            "display_name": member.display_name,
            "bio": member.bio,
            "time_zone": member.time_zone,
            "language": member.language,
            "country": member.country.code,
            "receives_check_ins": member.receives_check_ins,
            "post_delay_minutes": member.post_delay_minutes,
        },
        is_moderator=member.is_moderator_or_administrator,
    )
    return render(request, "accounts/edit_profile.html", {"form": form})


@require_POST
def change_mute(request: HttpRequest, username: str) -> HttpResponse:
    """Mute, block or unmute a member, from their profile or the list of mutes."""
    member = request.user
    assert isinstance(member, User)
    target = get_member_for_viewer_or_404(member, username)
    action = request.POST.get("action")
    if action == "unmute":
        unmute_member(member=member, target=target)
        messages.success(
            request, _("You will see %(name)s's posts again.") % {"name": target.display_name}
        )
    elif action in {"mute", "block"}:
        try:
            mute_member(member=member, target=target, block=action == "block")
        except ValidationError as error:
            return HttpResponseBadRequest(" ".join(error.messages))
        messages.success(
            request,
            _("%(name)s is muted. They are not told.") % {"name": target.display_name}
            if action == "mute"
            else _("%(name)s is blocked. They are not told.") % {"name": target.display_name},
        )
    else:
        return HttpResponseBadRequest(_("Choose mute, block or unmute."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = target.get_absolute_url()
    return redirect(next_url)


@require_safe
def mutes(request: HttpRequest) -> HttpResponse:
    member = request.user
    assert isinstance(member, User)
    words_form = MutedWordsForm(initial={"words": "\n".join(member.muted_words)})
    context = {"mutes": list_mutes(member), "words_form": words_form}
    return render(request, "accounts/mutes.html", context)


@require_POST
def muted_words(request: HttpRequest) -> HttpResponse:
    """Save the member's muted words; on an error the page comes back with what they typed."""
    member = request.user
    assert isinstance(member, User)
    form = MutedWordsForm(request.POST)
    if not form.is_valid():
        context = {"mutes": list_mutes(member), "words_form": form}
        return render(request, "accounts/mutes.html", context, status=400)
    set_muted_words(member=member, words=form.cleaned_data["words"])
    messages.success(request, _("Your muted words are saved."))
    return redirect(f"{reverse('accounts:mutes')}#muted-words")
