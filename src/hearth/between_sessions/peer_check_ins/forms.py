"""The asker's form: whom to ask (a name each) and on which days. It comes back with
what was typed when something is wrong."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hearth.between_sessions.peer_check_ins.services import MOST_DAYS, Arrangement

NAME_MAX_LENGTH = 150
HELPER_LABELS = (_("First member"), _("Second member"), _("Third member"))


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ArrangeCheckInsForm(forms.Form):
    """``places``: how many more members may be asked; ``first``/``last``: the days the
    break allows (the date pickers' range; the service checks again)."""

    def __init__(
        self,
        *args: Any,
        places: int,
        first: datetime.date,
        last: datetime.date | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.places = places
        for slot in range(1, places + 1):
            self.fields[f"helper_{slot}"] = forms.CharField(
                label=HELPER_LABELS[slot - 1],
                max_length=NAME_MAX_LENGTH,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
            )
        range_attrs = {"min": first.isoformat()}
        if last is not None:
            range_attrs["max"] = last.isoformat()
        for slot in range(1, MOST_DAYS + 1):
            self.fields[f"day_{slot}"] = forms.DateField(
                label=_("Day %(number)s") % {"number": slot},
                required=False,
                widget=DayInput(attrs=range_attrs),
            )

    def helper_fields(self) -> list[forms.BoundField]:
        return [self[f"helper_{slot}"] for slot in range(1, self.places + 1)]

    def day_fields(self) -> list[forms.BoundField]:
        return [self[f"day_{slot}"] for slot in range(1, MOST_DAYS + 1)]

    def arrangement(self) -> Arrangement:
        data = self.cleaned_data
        return Arrangement(
            names=tuple(
                data[f"helper_{slot}"]
                for slot in range(1, self.places + 1)
                if data[f"helper_{slot}"].strip()
            ),
            days=tuple(
                data[f"day_{slot}"]
                for slot in range(1, MOST_DAYS + 1)
                if data[f"day_{slot}"] is not None
            ),
        )
