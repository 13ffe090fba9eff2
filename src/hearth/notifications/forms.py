"""The notification settings form: per-kind delivery, emails, quiet hours, digest, a break."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.accounts.models import User
from hearth.notifications.models import (
    LONGEST_BREAK_DAYS,
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
    def initial_for(cls, choices: NotificationSettings) -> dict[str, object]:
        initial: dict[str, object] = {
            f"{KIND_FIELD_PREFIX}{kind.value}": choices.delivery_for(kind) for kind in Kind
        }
        initial |= {
            "email_titles": choices.email_titles,
            "email_excerpts": choices.email_excerpts,
            "quiet_from": choices.quiet_from,
            "quiet_until": choices.quiet_until,
            "digest": choices.digest,
            "duty_hours": choices.duty_hours,
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
        return choices


class BreakForm(forms.Form):
    """Take a break from the forum until a day (its start, in the member's time zone)."""

    until = forms.DateField(
        label=_("Take a break until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Until the morning of this day the forum, its notifications and its emails pause "
            "for you. Your toolkit and support resources stay here. Others see nothing "
            "different, and you can come back early at any time."
        ),
    )

    def __init__(self, *args: Any, member: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.member = member
        today = timezone.now().astimezone(member_zone(member)).date()
        widget = self.fields["until"].widget
        widget.attrs["min"] = (today + timedelta(days=1)).isoformat()
        widget.attrs["max"] = (today + timedelta(days=LONGEST_BREAK_DAYS)).isoformat()

    def clean_until(self) -> date:
        until: date = self.cleaned_data["until"]
        today = timezone.now().astimezone(member_zone(self.member)).date()
        if until <= today:
            raise forms.ValidationError(_("Choose a day after today."), code="past")
        if until > today + timedelta(days=LONGEST_BREAK_DAYS):
            raise forms.ValidationError(
                _("Choose a day within a year from today; you can take another break then."),
                code="too_far",
            )
        return until

    def ends_at(self) -> datetime:
        """The moment the break ends: the start of the chosen day where the member lives."""
        until: date = self.cleaned_data["until"]
        return datetime.combine(until, time(0, 0), tzinfo=member_zone(self.member))


def member_zone(member: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(member.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")
