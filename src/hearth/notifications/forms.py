"""The notification settings form: per-kind delivery, emails, quiet hours, digest, a break."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import User
from hearth.notifications.models import (
    MODERATOR_KINDS,
    Delivery,
    Digest,
    Kind,
    NotificationSettings,
)
from hearth.safety.coverage import parse_hours

KIND_FIELD_PREFIX = "kind_"


class NotificationSettingsForm(forms.Form):
    email_titles = forms.BooleanField(
        label=_("Include thread titles in emails"),
        required=False,
        help_text=_("Off by default: a title can say a lot to whoever sees your inbox."),
    )
    email_excerpts = forms.BooleanField(
        label=_("Include the first lines of what was written in emails"),
        required=False,
        help_text=_(
            "Off by default. Posts behind a content note are never quoted, only named as such."
        ),
    )
    quiet_from = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("No emails between these times, in your time zone; they wait until after."),
    )
    quiet_until = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    digest = forms.ChoiceField(
        label=_("“While you were away” email"),
        choices=Digest.choices,
        help_text=_("A short list of what is new since the last one, if anything is."),
    )
    break_until = forms.DateField(
        label=_("Take a break from notifications until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Until the morning of this day nothing is emailed and no count is shown; what "
            "happens meanwhile waits here for you. Leave empty for no break."
        ),
    )

    def __init__(self, *args: Any, member: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        kinds = [
            kind
            for kind in Kind
            if member.is_moderator_or_administrator or kind not in MODERATOR_KINDS
        ]
        for kind in reversed(kinds):
            field = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, widget=forms.RadioSelect
            )
            self.fields = {f"{KIND_FIELD_PREFIX}{kind.value}": field, **self.fields}
        if member.is_moderator_or_administrator:
            self.fields["duty_hours"] = forms.CharField(
                label=_("My duty hours (moderators)"),
                required=False,
                max_length=200,
                help_text=_(
                    "When to email you about reports and check-ins, in your time zone, e.g. "
                    "“mon-fri 18:00-22:00; sat 10:00-12:00”. "
                    "Empty: the community's moderation hours."
                ),
            )

    @classmethod
    def initial_for(cls, choices: NotificationSettings, member: User) -> dict[str, object]:
        initial: dict[str, object] = {
            f"{KIND_FIELD_PREFIX}{kind.value}": choices.delivery_for(kind) for kind in Kind
        }
        paused = choices.paused_until
        initial |= {
            "email_titles": choices.email_titles,
            "email_excerpts": choices.email_excerpts,
            "quiet_from": choices.quiet_from,
            "quiet_until": choices.quiet_until,
            "digest": choices.digest,
            "duty_hours": choices.duty_hours,
            "break_until": paused.astimezone(_zone(member)).date()
            if paused and paused > timezone.now()
            else None,
        }
        return initial

    def clean_duty_hours(self) -> str:
        hours: str = self.cleaned_data.get("duty_hours", "").strip()
        try:
            parse_hours(hours)
        except ValueError:
            raise forms.ValidationError(
                _("Write the hours like “mon-fri 18:00-22:00”, with “;” between parts.")
            ) from None
        return hours

    def clean_break_until(self) -> date | None:
        until: date | None = self.cleaned_data.get("break_until")
        if until is not None and until <= timezone.now().astimezone(_zone(self.member)).date():
            raise forms.ValidationError(_("Choose a day after today."))
        return until

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("quiet_from")) != bool(cleaned.get("quiet_until")):
            self.add_error("quiet_until", _("Give both times, or neither."))
        return cleaned

    def apply_to(self, choices: NotificationSettings) -> NotificationSettings:
        data = self.cleaned_data
        deliveries = dict(choices.deliveries)
        for name, value in data.items():
            if name.startswith(KIND_FIELD_PREFIX):
                deliveries[name.removeprefix(KIND_FIELD_PREFIX)] = value
        choices.deliveries = deliveries
        choices.email_titles = data["email_titles"]
        choices.email_excerpts = data["email_excerpts"]
        choices.quiet_from = data["quiet_from"]
        choices.quiet_until = data["quiet_until"]
        choices.digest = data["digest"]
        if "duty_hours" in data:
            choices.duty_hours = data["duty_hours"]
        until = data["break_until"]
        choices.paused_until = (
            datetime.combine(until, time(0, 0), tzinfo=_zone(self.member)) if until else None
        )
        return choices


def _zone(member: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(member.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
