"""The texts Hearth seeds (content-note labels, crisis lines' hours), in the reader's language.

The seeded rows are the administrators' to edit, so they hold plain text, not message
ids. While a text is still the one Hearth seeded (``data/seed_resources.py`` marks each
for the catalogue), a reader sees its translation; once an administrator has written
their own, it is shown as they wrote it.
"""

from __future__ import annotations

from django.utils.translation import gettext

from hearth.safety.data.seed_resources import CONTENT_NOTE_LABELS, RESOURCES

_LABEL_TEXTS = (
    text for _slug, name, description in CONTENT_NOTE_LABELS for text in (name, description)
)
_LINE_TEXTS = (str(line[key]) for line in RESOURCES for key in ("hours", "text") if key in line)
SEEDED_TEXTS = frozenset((*_LABEL_TEXTS, *_LINE_TEXTS))


def in_readers_language(text: str) -> str:
    """``text`` translated when it is a text Hearth seeded, else as it is."""
    return gettext(text) if text in SEEDED_TEXTS else text
