"""The guidelines at sign-up, accepting a new version, and publishing one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import User
from hearth.core.text import SourceTooLong
from hearth.welcome.models import WHAT_CHANGED_MAX_LENGTH, GuidelinesVersion
from hearth.welcome.selectors import current_guidelines, guidelines_html, render_guidelines
from hearth.welcome.services import record_sign_up

ACCEPTS_LABEL = _("I have read the community guidelines and will follow them")
ACCEPTS_REQUIRED = _(
    "Please read the community guidelines above and tick the box to say you will follow them."
)
VERSION_GONE = _(
    "We couldn't tell which version of the guidelines you read. Please read them again "
    "and tick the box."
)


class GuidelinesAtSignup(forms.Form):
    """For the sign-up form: the guidelines in force (``guidelines``, for the template),
    the required "I have read..." box, and the version shown (a hidden field), recorded
    with the new account together with the welcome page owed to them.

    With no guidelines published yet, neither field is there and nothing is asked.
    """

    guidelines_version = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1
    )
    accepts_guidelines = forms.BooleanField(
        label=ACCEPTS_LABEL, required=True, error_messages={"required": ACCEPTS_REQUIRED}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.guidelines = current_guidelines()
        self.guidelines_html = guidelines_html(self.guidelines) if self.guidelines else ""
        if self.guidelines is None:
            del self.fields["guidelines_version"]
            del self.fields["accepts_guidelines"]
        else:
            self.fields["guidelines_version"].initial = self.guidelines.number

    def clean_guidelines_version(self) -> GuidelinesVersion | None:
        """The version the page showed (without one, the version in force; None for one
        that does not exist). One published while the form was open is not the one in
        force: the member accepted what they read, and is asked about the newer one on
        their first page."""
        number = self.cleaned_data.get("guidelines_version")
        if number is None or (self.guidelines and number == self.guidelines.number):
            return self.guidelines
        return GuidelinesVersion.objects.filter(number=number).first()

    def clean_accepts_guidelines(self) -> bool:
        if self.guidelines is not None and self.cleaned_data.get("guidelines_version") is None:
            # The page comes back with the version in force, to read and tick again.
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            data[self.add_prefix("guidelines_version")] = str(self.guidelines.number)
            data.pop(self.add_prefix("accepts_guidelines"), None)
            self.data = data
            raise forms.ValidationError(VERSION_GONE)
        return True

    def custom_signup(self, request: HttpRequest, user: User) -> None:
        """allauth calls this once the new account is saved."""
        super().custom_signup(request, user)  # type: ignore[misc]  # allauth's SignupForm, after this class
        record_sign_up(member=user, accepted=self.cleaned_data.get("guidelines_version"))


class AcceptGuidelinesForm(forms.Form):
    """The "I accept" form, for the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)

    def clean_version(self) -> GuidelinesVersion:
        version = GuidelinesVersion.objects.filter(number=self.cleaned_data["version"]).first()
        if version is None:
            raise forms.ValidationError(
                _("That version of the guidelines doesn't exist. Please read the current one.")
            )
        return version


class PublishGuidelinesForm(forms.ModelForm[GuidelinesVersion]):
    """The admin's "add": a new version, starting from the text in force."""

    class Meta:
        model = GuidelinesVersion
        fields = ["body", "what_changed"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 30, "cols": 100}),
            "what_changed": forms.Textarea(attrs={"rows": 3, "cols": 100}),
        }

    def clean_body(self) -> str:
        body: str = self.cleaned_data["body"]
        try:
            render_guidelines(body)
        except SourceTooLong as error:
            raise forms.ValidationError(str(error)) from error
        current = current_guidelines()
        if current is not None and current.body.strip() == body.strip():
            raise forms.ValidationError(
                _("This is the text already in force. Change it, or leave it as it is.")
            )
        return body

    def clean_what_changed(self) -> str:
        what_changed: str = self.cleaned_data["what_changed"].strip()
        if not what_changed:
            raise forms.ValidationError(_("Say in a sentence or two what changed."))
        return what_changed[:WHAT_CHANGED_MAX_LENGTH]
