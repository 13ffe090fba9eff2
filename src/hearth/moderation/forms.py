"""Forms for moderators' actions and for members' reports."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from hearth.forum.models import Category
from hearth.moderation.services import MAX_SUSPENSION_DAYS
from hearth.safety.models import ContentNoteLabel, QueueItem, QueueKind, ReportReason, Resolution

REASON_HELP = _("The member is told this reason, and it is kept in the audit log.")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=REASON_HELP,
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
        help_text=REASON_HELP,
    )


class MoveForm(OptionalReasonForm):
    category = forms.ModelChoiceField(label=_("Move to"), queryset=Category.objects.none())

    def __init__(self, *args: Any, categories: QuerySet[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]


class ModeratorContentNoteForm(forms.Form):
    content_notes = forms.ModelMultipleChoiceField(
        label=_("Content note labels"),
        queryset=ContentNoteLabel.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    content_note_text = forms.CharField(
        label=_("Other content note"), max_length=120, required=False
    )
    note_to_author = forms.CharField(
        label=_("Private note to the author"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Say kindly why the note helps readers; it is also audited."),
    )


class SuspendForm(ReasonForm):
    days = forms.IntegerField(
        label=_("For how many days"), min_value=1, max_value=MAX_SUSPENSION_DAYS, initial=7
    )
    partial = forms.BooleanField(
        label=_("Partial: they can still read and write to the moderators"),
        required=False,
        initial=True,
    )
    field_order = ["days", "partial", "reason"]


class MessageMemberForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=4000
    )


class CloseItemForm(forms.Form):
    """How a queue item ended. No answer is chosen in advance: the moderator picks one,
    and a form sent without one comes back with the note they typed."""

    resolution = forms.ChoiceField(
        label=_("How it ended"),
        error_messages={
            "required": _("Choose how it ended before closing the item."),
            "invalid_choice": _("Choose one of the listed endings."),
        },
    )
    note = forms.CharField(
        label=_("Note for the audit log (optional)"), required=False, max_length=2000
    )

    def __init__(self, *args: Any, item: QueueItem, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"item-{item.pk}-%s")
        super().__init__(*args, **kwargs)
        endings = [Resolution.HANDLED, Resolution.NO_ACTION]
        if item.kind == QueueKind.CHECK_IN:
            # Only a check-in's rule can misfire; "not needed" counts against its rules.
            endings.insert(1, Resolution.NOT_NEEDED)
        self.fields["resolution"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose…")),
            *((ending.value, ending.label) for ending in endings),
        ]


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What's the concern?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Anything the moderators should know (optional)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("Only moderators see this. The member you report is never told who reported."),
    )


class WriteToModeratorsForm(forms.Form):
    text = forms.CharField(
        label=_("Your message to the moderators"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=4000,
        help_text=_("Only moderators read this."),
    )
