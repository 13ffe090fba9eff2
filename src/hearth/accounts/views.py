"""Member profiles and a member's own settings."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hearth.accounts.forms import ProfileForm
from hearth.accounts.models import User
from hearth.accounts.selectors import get_member_for_viewer_or_404
from hearth.accounts.services import update_profile


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    assert isinstance(request.user, User)
    member = get_member_for_viewer_or_404(request.user, username)
    return render(request, "accounts/profile.html", {"member": member})


@require_http_methods(["GET", "POST"])
def edit_profile(request: HttpRequest) -> HttpResponse:
    member = request.user
    assert isinstance(member, User)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            update_profile(
                member=member,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                time_zone=form.cleaned_data["time_zone"],
                language=form.cleaned_data["language"],
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
        }
    )
    return render(request, "accounts/edit_profile.html", {"form": form})
