"""An audit entry's before and after, as lines a moderator reads.

"Hidden: no → yes", "Suspended until: — → Sunday 6 December, 17:51", "Title: “Old”
→ “New”": one formatter for every page that lists entries (the audit log, a
member's history, a post's), never a Python dictionary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hearth.moderation.models import AuditEntry
from hearth.safety.models import Resolution
from hearth.safety.time_words import day_and_time

NOTHING = "—"
QUOTED_TEXT_LENGTH = 200

# What each recorded field is called, in the order the lines are shown. A field
# not listed here (written by a future action) still reads as words, from its key.
FIELD_LABELS: dict[str, Promise] = {
    "title": gettext_lazy("Title"),
    "body": gettext_lazy("Text"),
    "is_hidden": gettext_lazy("Hidden"),
    "hidden_reason": gettext_lazy("Reason it was hidden"),
    "is_held": gettext_lazy("Waiting for approval"),
    "labels": gettext_lazy("Content-note labels"),
    "text": gettext_lazy("Content note"),
    "is_locked": gettext_lazy("Closed to replies"),
    "is_pinned": gettext_lazy("Pinned"),
    "category": gettext_lazy("Category"),
    "suspended_until": gettext_lazy("Suspended until"),
    "partial": gettext_lazy("Partial suspension"),
    "author_id": gettext_lazy("Author's account"),
    "resolution": gettext_lazy("How it ended"),
    "message_ids": gettext_lazy("Messages read"),
}


@dataclass(frozen=True)
class ChangeLine:
    """One field of an entry: ``label: before → after``, or ``label: after`` when the
    entry records no earlier value or the value did not change (``before`` is None)."""

    label: str
    before: str | None
    after: str


def _label(key: str) -> str:
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    return key.replace("_", " ").strip().capitalize()


def _moment(value: Any) -> str:
    try:
        return day_and_time(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _resolution(value: Any) -> str:
    try:
        return str(Resolution(value).label)
    except ValueError:
        return str(value)


def _ids(value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    return ", ".join(f"#{item}" for item in values)


# Fields whose values need more than their type to read well.
_READ_AS: dict[str, Callable[[Any], str]] = {
    "suspended_until": _moment,
    "resolution": _resolution,
    "author_id": _ids,
    "message_ids": _ids,
}


def _words(key: str, value: Any) -> str:
    """One recorded value as words: dates as dates, yes/no, quoted text, names."""
    if value is None or value in ("", []):
        return NOTHING
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in _READ_AS:
        return _READ_AS[key](value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str):
        quoted = Truncator(" ".join(value.split())).chars(QUOTED_TEXT_LENGTH)
        return _("“%(text)s”") % {"text": quoted}
    return str(value)


def describe_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[ChangeLine]:
    """Every field the entry recorded, known fields first in their usual order."""
    keys = [key for key in FIELD_LABELS if key in before or key in after]
    keys += sorted((set(before) | set(after)) - set(FIELD_LABELS))
    lines = []
    for key in keys:
        now = _words(key, after.get(key))
        if key not in before:
            lines.append(ChangeLine(label=_label(key), before=None, after=now))
            continue
        was = _words(key, before[key])
        unchanged = key in after and before[key] == after[key]
        lines.append(ChangeLine(label=_label(key), before=None if unchanged else was, after=now))
    return lines


def describe_entry(entry: AuditEntry) -> list[ChangeLine]:
    return describe_changes(entry.before or {}, entry.after or {})
