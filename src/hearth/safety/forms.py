"""Forms for care preferences."""

from __future__ import annotations

from typing import Any

from django import forms

from hearth.safety.models import ContentNoteLabel, NoteChoice
from hearth.safety.seeded_text import in_readers_language


class NotePreferencesForm(forms.Form):
    """One choice per active label: fold away (default), always show, or hide from lists."""

    def __init__(self, *args: Any, labels: list[ContentNoteLabel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.labels = labels
        for label in labels:
            self.fields[f"label_{label.pk}"] = forms.ChoiceField(
                label=in_readers_language(label.name),
                help_text=in_readers_language(label.description),
                choices=NoteChoice.choices,
                initial=NoteChoice.COLLAPSE,
                widget=forms.RadioSelect,
            )

    def choices(self) -> list[tuple[ContentNoteLabel, NoteChoice]]:
        return [
            (label, NoteChoice(self.cleaned_data[f"label_{label.pk}"])) for label in self.labels
        ]
