from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.member_data.models import PostsChoice


class DeleteAccountForm(forms.Form):
    posts = forms.ChoiceField(
        label=_("What should happen to your posts and messages?"),
        choices=PostsChoice.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what should happen to your posts and messages.")},
    )
    understood = forms.BooleanField(
        label=_("I understand that after the waiting days my account cannot be brought back."),
        error_messages={"required": _("Tick this box to confirm.")},
    )
