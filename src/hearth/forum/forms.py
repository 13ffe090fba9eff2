"""Forms for writing in the forum. Every composer keeps its text on any error."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.core.text import MAX_SOURCE_BYTES
from hearth.forum.models import EDIT_REASON_MAX_LENGTH, TITLE_MAX_LENGTH, ReactionKind
from hearth.forum.services import too_long_message

BODY_HELP = _(
    "Markdown works: **bold**, *italic*, > quotes, lists and links. "
    "Emoticons like :) become emoji; @name mentions a member."
)


def new_request_key() -> str:
    return uuid.uuid4().hex


class BodyField(forms.CharField):
    """A post body: required, at most MAX_SOURCE_BYTES of UTF-8, kept exactly as typed."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("label", _("Your message"))
        kwargs.setdefault("help_text", BODY_HELP)
        super().__init__(
            strip=False,
            widget=forms.Textarea(attrs={"rows": 10, "class": "composer__body"}),
            error_messages={"required": _("Please write something before posting.")},
            **kwargs,  # type: ignore[arg-type]
        )

    def validate(self, value: str) -> None:
        super().validate(value)
        if not value.strip():
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value.encode()) > MAX_SOURCE_BYTES:
            raise forms.ValidationError(too_long_message(), code="too_long")


class RequestKeyField(forms.CharField):
    def __init__(self) -> None:
        super().__init__(widget=forms.HiddenInput, max_length=64, required=False)


class ReplyForm(forms.Form):
    body = BodyField()
    request_key = RequestKeyField()


class NewThreadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Please give your thread a title."),
            "max_length": _("Please keep the title under %(limit_value)d characters."),
        },
    )
    body = BodyField()
    request_key = RequestKeyField()


class EditPostForm(forms.Form):
    body = BodyField()
    reason = forms.CharField(
        label=_("Reason for editing (optional)"),
        max_length=EDIT_REASON_MAX_LENGTH,
        required=False,
        help_text=_("Shown in the post's history."),
    )
    base_revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PreviewForm(forms.Form):
    body = BodyField()


class DraftForm(forms.Form):
    body = forms.CharField(strip=False, required=False)
    title = forms.CharField(required=False, max_length=TITLE_MAX_LENGTH * 2)


class ReactionForm(forms.Form):
    kind = forms.ChoiceField(choices=ReactionKind.choices)


class ReplyOrderForm(forms.Form):
    newest_first = forms.TypedChoiceField(
        choices=[("0", "oldest"), ("1", "newest")], coerce=lambda value: value == "1"
    )
