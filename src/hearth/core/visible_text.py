"""Text as a reader sees it: without invisible and control characters.

A title or a name made only of zero-width spaces, direction marks or control
characters looks empty on the page; these helpers let forms refuse it.
"""

from __future__ import annotations

import unicodedata


def visible_text(value: str) -> str:
    """The text with invisible and control characters removed (format, control,
    unassigned, private-use and separators other than the plain space)."""
    kept = []
    for character in unicodedata.normalize("NFKC", value):
        category = unicodedata.category(character)
        if category[0] == "C" or (category[0] == "Z" and character != " "):
            continue
        kept.append(character)
    return " ".join("".join(kept).split())


def has_visible_letters(value: str) -> bool:
    return any(character.isalnum() for character in visible_text(value))
