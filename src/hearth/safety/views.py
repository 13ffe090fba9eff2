"""A member's own care preferences."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hearth.accounts.models import User
from hearth.safety.forms import NotePreferencesForm
from hearth.safety.selectors import active_labels, note_preferences
from hearth.safety.services import set_note_preference


@require_http_methods(["GET", "POST"])
def content_note_preferences(request: HttpRequest) -> HttpResponse:
    member = request.user
    assert isinstance(member, User)
    labels = active_labels()
    if request.method == "POST":
        form = NotePreferencesForm(request.POST, labels=labels)
        if form.is_valid():
            for label, choice in form.choices():
                set_note_preference(member=member, label=label, choice=choice)
            messages.success(request, _("Your content-note choices are saved."))
            return redirect("safety:content_note_preferences")
        return render(request, "safety/content_note_preferences.html", {"form": form}, status=400)
    current = note_preferences(member)
    initial = {f"label_{label.pk}": current.get(label.pk, "collapse") for label in labels}
    form = NotePreferencesForm(initial=initial, labels=labels)
    return render(request, "safety/content_note_preferences.html", {"form": form})
