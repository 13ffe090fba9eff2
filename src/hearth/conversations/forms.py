"""Forms for private conversations. Every composer keeps its text on any error."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hearth.conversations.models import MOST_PARTICIPANTS, TITLE_MAX_LENGTH, AllowFrom
from hearth.core.text import MAX_SOURCE_BYTES
from hearth.forum.forms import RequestKeyField, new_request_key

__all__ = [
    "AddMemberForm",
    "EditMessageForm",
    "MessageDraftForm",
    "MessageForm",
    "MessagingSettingsForm",
    "MuteForm",
    "StartConversationForm",
    "new_request_key",
    "split_usernames",
]

MESSAGE_HELP = _(
    "Markdown works: **bold**, *italic*, > quotes, lists and links. "
    "Emoticons like :) become emoji. Only the people in this conversation can read it."
)
# Usernames are at most 150 characters; room for seven of them, separated.
RECIPIENTS_MAX_LENGTH = (MOST_PARTICIPANTS - 1) * 160
_SEPARATORS = re.compile(r"[\s,;]+")


def split_usernames(text: str) -> list[str]:
    """The usernames in "fern, @ash willow": each once, as typed, without the "@"."""
    names: list[str] = []
    seen: set[str] = set()
    for part in _SEPARATORS.split(text):
        name = part.removeprefix("@")
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


class MessageBodyField(forms.CharField):
    """A message: required, at most MAX_SOURCE_BYTES of UTF-8, kept exactly as typed."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Your message"))
        kwargs.setdefault("help_text", MESSAGE_HELP)
        super().__init__(
            strip=False,
            widget=forms.Textarea(attrs={"rows": 6, "class": "composer__body"}),
            error_messages={"required": _("Please write something before sending.")},
            **kwargs,  # type: ignore[arg-type]
        )

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value.strip():
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value.encode()) > MAX_SOURCE_BYTES:
            raise forms.ValidationError(
                _("This message is too long: at most %(bytes)s bytes."),
                code="too_long",
                params={"bytes": MAX_SOURCE_BYTES},
            )


class MessageForm(forms.Form):
    """A reply in a conversation."""

    body = MessageBodyField()
    request_key = RequestKeyField()


class MessageDraftForm(forms.Form):
    """What the composer holds so far: anything, even nothing (which clears the draft); a
    NUL character is refused (400), and the size is the service's to check."""

    body = forms.CharField(strip=False, required=False)


class StartConversationForm(forms.Form):
    recipients = forms.CharField(
        label=_("To"),
        max_length=RECIPIENTS_MAX_LENGTH,
        error_messages={
            "required": _("Please say who the message is for."),
            "max_length": _("That is more names than a conversation can hold."),
        },
    )
    title = forms.CharField(
        label=_("Title (optional)"),
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text=_("A few words, if you like. Only the people in the conversation see it."),
        error_messages={
            "max_length": _("Please keep the title under %(limit_value)d characters."),
        },
    )
    body = MessageBodyField()
    request_key = RequestKeyField()
    field_order = ["recipients", "title", "body", "request_key"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["recipients"].help_text = gettext(
            "Their username (the name after @ on their profile). For a group, up to "
            "%(most)s usernames separated by commas."
        ) % {"most": MOST_PARTICIPANTS - 1}

    def clean_recipients(self) -> list[str]:
        names = split_usernames(self.cleaned_data["recipients"])
        if not names:
            raise forms.ValidationError(self.fields["recipients"].error_messages["required"])
        if len(names) > MOST_PARTICIPANTS - 1:
            raise forms.ValidationError(
                _("A conversation can have at most %(most)s members, you included."),
                params={"most": MOST_PARTICIPANTS},
            )
        return names


class EditMessageForm(forms.Form):
    body = MessageBodyField()
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=10**9)


class AddMemberForm(forms.Form):
    username = forms.CharField(
        label=_("Username of the member to add"),
        max_length=160,
        help_text=_("The name after @ on their profile."),
        error_messages={"required": _("Please give the username of the member to add.")},
    )

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().removeprefix("@")


class MuteForm(forms.Form):
    muted = forms.TypedChoiceField(
        choices=[("1", "mute"), ("0", "unmute")], coerce=lambda value: value == "1"
    )


class MessagingSettingsForm(forms.Form):
    allow_from = forms.ChoiceField(
        label=_("Who may start a conversation with me"),
        choices=AllowFrom.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Please choose one of the options.")},
    )
