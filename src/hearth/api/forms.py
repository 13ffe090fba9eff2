"""The settings page's form for a new personal access token."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hearth.api.models import TOKEN_NAME_MAX_LENGTH, Scope
from hearth.api.services import DEFAULT_LIFETIME_DAYS, LIFETIMES_DAYS


def _lifetime(days: int) -> str:
    return ngettext("%(days)s day", "%(days)s days", days) % {"days": days}


# The choices are made once, at import: each label is worded when a page shows it, in
# the reader's language.
_lifetime_label = lazy(_lifetime, str)


class NewTokenForm(forms.Form):
    # One per form shown: the same form sent again (a reload after the token appeared)
    # makes no second token (token_views.py).
    form_key = forms.CharField(
        widget=forms.HiddenInput, max_length=64, initial=lambda: secrets.token_urlsafe(16)
    )
    name = forms.CharField(
        label=_("Name"),
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text=_("So you can tell your tokens apart, e.g. “my reader app on the phone”."),
    )
    scope = forms.ChoiceField(
        label=_("What it may do"),
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text=_(
            "Read only is enough to read threads, your notifications and messages. Read and "
            "write can also post, edit, delete and react, as you."
        ),
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Expires after"),
        coerce=int,
        choices=[(days, _lifetime_label(days)) for days in LIFETIMES_DAYS],
        initial=DEFAULT_LIFETIME_DAYS,
    )
