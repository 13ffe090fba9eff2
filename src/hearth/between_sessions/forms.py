"""Forms for the toolkit. Each re-renders with what was typed when something is wrong."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.between_sessions.models import (
    COPING_PLAN_STEPS,
    WHAT_MATTERS_HELP,
    WHAT_MATTERS_TITLE,
    MemberCard,
    SessionNote,
    TherapistBreak,
)
from hearth.between_sessions.selectors import CardLink
from hearth.between_sessions.services import PLAN_TEXT_FIELDS, BreakDetails, EntryContent
from hearth.between_sessions.vocabulary import (
    BODY_SENSATIONS,
    INTENSITY_MAX,
    INTENSITY_MIN,
    MAX_FEELINGS_PER_ENTRY,
    FeelingRating,
    Trigger,
    feeling_choices,
)

NOTE_MAX_LENGTH = 280
SHORT_TEXT_MAX_LENGTH = 200
LONG_TEXT_MAX_LENGTH = 20_000
ITEM_TEXT_MAX_LENGTH = 4_000
CARD_TEXT_MAX_LENGTH = 1_000
INTENSITY_CHOICES = [(str(value), str(value)) for value in range(INTENSITY_MIN, INTENSITY_MAX + 1)]
SLOTS = range(1, MAX_FEELINGS_PER_ENTRY + 1)
ONE_A_LINE = _("One thing a line. Leave it empty if it doesn't fit you.")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _card_choices(card_links: list[CardLink]) -> list[tuple[str, str]]:
    return [(link.ref, link.title) for link in card_links]


class CheckInForm(forms.Form):
    """Up to three feelings with how strong each is, body sensations and a line of note."""

    feelings_required = True
    slot_legends = (_("A feeling"), _("Another feeling (optional)"), _("A third (optional)"))

    body_sensations = forms.MultipleChoiceField(
        label=_("In my body (optional)"),
        choices=BODY_SENSATIONS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("A line about it (optional)"),
        max_length=NOTE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = feeling_choices()
        slot_fields: dict[str, forms.Field] = {}
        for slot in SLOTS:
            slot_fields[f"feeling_{slot}"] = forms.ChoiceField(
                label=_("Feeling"), choices=choices, required=False
            )
            slot_fields[f"intensity_{slot}"] = forms.ChoiceField(
                label=_("How strong is it?"),
                help_text=_("0 is barely there, 10 is as strong as it gets."),
                choices=INTENSITY_CHOICES,
                required=False,
                widget=forms.RadioSelect(attrs={"class": "scale"}),
            )
        self.fields = {**slot_fields, **self.fields}

    def feeling_slots(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """Each slot's legend and its two fields, for the template."""
        return [
            (str(self.slot_legends[slot - 1]), self[f"feeling_{slot}"], self[f"intensity_{slot}"])
            for slot in SLOTS
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ratings: list[FeelingRating] = []
        seen: set[str] = set()
        for slot in SLOTS:
            feeling = cleaned.get(f"feeling_{slot}") or ""
            intensity = cleaned.get(f"intensity_{slot}") or ""
            if not feeling:
                continue  # a number picked without a feeling is ignored: radios cannot be cleared
            if feeling in seen:
                self.add_error(f"feeling_{slot}", _("You already chose this feeling above."))
                continue
            if intensity == "":
                self.add_error(
                    f"intensity_{slot}", _("How strong is it? Choose a number from 0 to 10.")
                )
                continue
            seen.add(feeling)
            ratings.append(FeelingRating(feeling=feeling, intensity=int(intensity)))
        if self.feelings_required and not ratings and not self.errors:
            self.add_error("feeling_1", _("Choose at least one feeling."))
        cleaned["ratings"] = tuple(ratings)
        return cleaned

    def content(self) -> EntryContent:
        data = self.cleaned_data
        return EntryContent(
            feelings=data["ratings"],
            body_sensations=tuple(data["body_sensations"]),
            note=data.get("note", ""),
        )


class JournalEntryForm(CheckInForm):
    """A fuller entry: what set it off, feelings, free text, what helped, bring to session."""

    feelings_required = False
    slot_legends = (
        _("A feeling (optional)"),
        _("Another feeling (optional)"),
        _("A third (optional)"),
    )

    trigger = forms.ChoiceField(
        label=_("What set it off?"),
        choices=[("", _("Nothing in particular, or I'm not sure")), *Trigger.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    trigger_detail = forms.CharField(
        label=_("In a few words (optional)"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    text = forms.CharField(
        label=_("What's on my mind"),
        max_length=LONG_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    what_helped = forms.CharField(
        label=_("What helped, even a little (optional)"),
        max_length=ITEM_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    helpful_cards = forms.MultipleChoiceField(
        label=_("Cards that helped (optional)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    bring_to_session = forms.BooleanField(label=_("Bring this to my next session"), required=False)

    def __init__(self, *args: Any, card_links: list[CardLink], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["note"]
        helpful_cards = self.fields["helpful_cards"]
        assert isinstance(helpful_cards, forms.MultipleChoiceField)
        helpful_cards.choices = _card_choices(card_links)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.errors and not (
            cleaned["ratings"] or cleaned.get("text", "").strip() or cleaned.get("trigger")
        ):
            raise forms.ValidationError(
                _("Choose a feeling, say what set it off, or write something before saving.")
            )
        return cleaned

    def content(self) -> EntryContent:
        data = self.cleaned_data
        return EntryContent(
            feelings=data["ratings"],
            body_sensations=tuple(data["body_sensations"]),
            trigger=data["trigger"],
            trigger_detail=data["trigger_detail"],
            text=data["text"],
            what_helped=data["what_helped"],
            helpful_cards=tuple(data["helpful_cards"]),
            bring_to_session=data["bring_to_session"],
        )


class SessionNoteForm(forms.Form):
    section = forms.ChoiceField(
        choices=[
            choice for choice in SessionNote.Section.choices
            if choice[0] != SessionNote.Section.FROM_FORUM
        ],
        widget=forms.HiddenInput,
    )  # fmt: skip
    text = forms.CharField(
        label=_("Add a note"),
        max_length=ITEM_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SessionNoteEditForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=ITEM_TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )


POST_LINK = re.compile(r"/p/(\d+)/?")


class ForumExcerptForm(forms.Form):
    post = forms.CharField(
        label=_("Link or number of the post"),
        help_text=_(
            "One of your own posts, or a reply you received. Other members' names are removed."
        ),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )

    def clean_post(self) -> int:
        value = self.cleaned_data["post"].strip()
        if value.isdigit():
            return int(value)
        if match := POST_LINK.search(value):
            return int(match.group(1))
        raise forms.ValidationError(
            _("Paste the post's link (it contains /p/ and a number), or just its number.")
        )


class NextSessionDateForm(forms.Form):
    session_on = forms.DateField(
        label=_("Date of my next session (optional)"), required=False, widget=DateInput()
    )


class CopingPlanForm(forms.Form):
    """Every step of the plan, each optional, in the plan's order."""

    last_reviewed_on = forms.DateField(
        label=_("Last reviewed (optional)"), required=False, widget=DateInput()
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        step_fields: dict[str, forms.Field] = {}
        for step in COPING_PLAN_STEPS:
            for name in step.fields:
                step_fields[name] = forms.CharField(
                    label=step.title,
                    help_text=step.help_text,
                    max_length=ITEM_TEXT_MAX_LENGTH,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
        step_fields["therapist_arrangement"].label = _(
            "What I've agreed with my therapist for between sessions"
        )
        step_fields["therapist_arrangement"].help_text = ONE_A_LINE
        step_fields["other_services"].label = _("Other professionals and services I can contact")
        step_fields["other_services"].help_text = _(
            "For example your doctor, a community team, or a service you know. One a line."
        )
        step_fields["what_matters"] = forms.CharField(
            label=WHAT_MATTERS_TITLE,
            help_text=WHAT_MATTERS_HELP,
            max_length=ITEM_TEXT_MAX_LENGTH,
            required=False,
            widget=forms.Textarea(attrs={"rows": 4}),
        )
        assert set(step_fields) == set(PLAN_TEXT_FIELDS)
        self.fields = {**step_fields, **self.fields}

    def steps(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in PLAN_TEXT_FIELDS}


class MemberCardForm(forms.Form):
    kind = forms.ChoiceField(choices=MemberCard.Kind.choices, widget=forms.HiddenInput)
    front = forms.CharField(
        label=_("Front: the situation, or the thought that comes up"),
        max_length=CARD_TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    back_words = forms.CharField(
        label=_("Back: what I'll tell myself"),
        max_length=CARD_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    back_action = forms.CharField(
        label=_("Back: one thing I'll do"),
        max_length=CARD_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind == MemberCard.Kind.WORDS:
            self.fields["front"].label = _("The words to remember")
            self.fields["back_words"].label = _(
                "Where they come from, or when they help (optional)"
            )
            del self.fields["back_action"]

    def clean_kind(self) -> str:
        return str(self.cleaned_data["kind"])


class TherapistBreakForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of break"), choices=TherapistBreak.Kind.choices, widget=forms.RadioSelect
    )
    label = forms.CharField(
        label=_("A name for it (optional)"),
        max_length=SHORT_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    starts_on = forms.DateField(label=_("First day of the break"), widget=DateInput())
    back_on = forms.DateField(
        label=_("First session after the break (optional)"),
        help_text=_("Leave it empty if you don't know yet."),
        required=False,
        widget=DateInput(),
    )
    what_ill_do = forms.CharField(
        label=_("What I'll do"),
        help_text=ONE_A_LINE,
        max_length=ITEM_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    who_ill_reach = forms.CharField(
        label=_("Who I'll reach out to"),
        help_text=ONE_A_LINE,
        max_length=ITEM_TEXT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    helpful_cards = forms.MultipleChoiceField(
        label=_("Cards that help (optional)"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, card_links: list[CardLink], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        helpful_cards = self.fields["helpful_cards"]
        assert isinstance(helpful_cards, forms.MultipleChoiceField)
        helpful_cards.choices = _card_choices(card_links)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, back_on = cleaned.get("starts_on"), cleaned.get("back_on")
        if starts_on and back_on and back_on <= starts_on:
            self.add_error("back_on", _("This must be after the first day of the break."))
        return cleaned

    def details(self) -> BreakDetails:
        data = self.cleaned_data
        return BreakDetails(
            kind=data["kind"],
            starts_on=data["starts_on"],
            back_on=data["back_on"],
            label=data["label"],
            what_ill_do=data["what_ill_do"],
            who_ill_reach=data["who_ill_reach"],
            helpful_cards=tuple(data["helpful_cards"]),
        )


class DeleteEverythingForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, delete everything in my toolkit. I understand this cannot be undone."),
        error_messages={"required": _("Tick the box to confirm, or go back.")},
    )
