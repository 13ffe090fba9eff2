"""Generated faces for members without a photo: initials on a colour of their own.

A generated avatar is an inline SVG (no request, nothing for the CSP to allow):
the display name's initials on a disc whose colour is picked from ``PALETTE`` by
a stable hash of the member's id -- not of the name, so a member keeps their
colour when they rename themselves, and two members with the same name still
look different. Every colour holds white initials at well over the 4.5:1 that
WCAG AA asks of text, and the disc carries its own colours, so that holds in the
light and the dark theme alike.

An anonymous post gets a face of its pseudonym's own (``pseudonym_avatar``): the
hash and the initials come from the thread and the pseudonym, both public, and
never from the author, so the colour tells nothing about who wrote it.
"""

from __future__ import annotations

import hashlib
import unicodedata

from django.utils.html import format_html
from django.utils.safestring import SafeString

# Mid-dark, calm colours; each at least 5.9:1 against INITIALS_COLOUR (the tests
# compute it). Reordering it changes every member's colour: add at the end.
PALETTE = (
    "#9a4a1f",  # rust
    "#a3344f",  # berry
    "#8a3c8f",  # plum
    "#5b4bb0",  # indigo
    "#2f5fa8",  # blue
    "#1f6b80",  # teal blue
    "#1d6f5f",  # teal
    "#3f6f2f",  # green
    "#6b6520",  # olive
    "#8a5a14",  # ochre
    "#7a5540",  # walnut
    "#5a6070",  # slate
)
INITIALS_COLOUR = "#ffffff"
# Zero-width non-joiner: keeps two Arabic-script initials from joining into a word.
_NON_JOINER = "\u200c"
_VIRAMA = 9  # the canonical combining class of a virama (e.g. Devanagari "्")


def _first_letter(word: str, categories: str = "L") -> str:
    """The word's first letter (or, with ``categories="N"``, digit) with the marks that belong
    on it ("é", "नि"), or ""."""
    for index, character in enumerate(word):
        if unicodedata.category(character)[0] in categories:
            letter = character
            for mark in word[index + 1 :]:
                # A virama would join the letter to the next one: "प्" alone reads wrong.
                if unicodedata.category(mark)[0] != "M" or unicodedata.combining(mark) == _VIRAMA:
                    break
                letter += mark
            return letter
    return ""


def _capital(letter: str) -> str:
    upper = letter.upper()
    return upper if len(upper) == len(letter) else letter  # "ß" stays one letter


def initials(name: str) -> str:
    """One or two initials for ``name``: the first letters of its first and last words.

    Words that start with a digit count only when no word starts with a letter; symbols
    and emoji are skipped (they depend on the reader's fonts); a name written in wide
    characters (Chinese, Japanese, Korean) gives its first one only. A name with no letter
    or digit at all gives "".
    """
    words = unicodedata.normalize("NFC", name).split()
    letters = [letter for word in words if (letter := _first_letter(word))]
    if not letters:  # "42": a number is still better than no initial
        letters = [letter for word in words if (letter := _first_letter(word, "N"))]
    if not letters:
        return ""
    first = _capital(letters[0])
    if len(letters) == 1 or unicodedata.east_asian_width(letters[0][0]) in {"W", "F"}:
        return first
    last = _capital(letters[-1])
    if unicodedata.east_asian_width(last[0]) in {"W", "F"}:
        return first
    joiner = _NON_JOINER if unicodedata.bidirectional(first[0]) == "AL" else ""
    return f"{first}{joiner}{last}"


def palette_colour(seed: str) -> str:
    """The palette's colour for ``seed``: stable across processes and releases."""
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    return PALETTE[int.from_bytes(digest, "big") % len(PALETTE)]


def member_seed(member_id: int) -> str:
    return f"member:{member_id}"


def pseudonym_seed(thread_id: int, pseudonym: str) -> str:
    """A pseudonym's seed: public facts only, never its author."""
    return f"pseudonym:{thread_id}:{pseudonym}"


def avatar_svg(*, seed: str, name: str, size: int, css_class: str = "") -> SafeString:
    """The generated avatar: ``name``'s initials on ``seed``'s colour, ``size`` px square.

    Decoration beside the name it stands for, so hidden from assistive technology.
    """
    letters = initials(name)
    classes = f"avatar avatar--generated {css_class}".strip()
    colour = palette_colour(seed)
    if not letters:  # nothing to write: a plain figure on the colour
        return format_html(
            '<svg class="{}" width="{}" height="{}" viewBox="0 0 48 48" aria-hidden="true" '
            'focusable="false"><circle cx="24" cy="24" r="24" fill="{}"/>'
            '<circle cx="24" cy="19" r="8" fill="{}"/><path d="M9 41a15 13 0 0 1 30 0" fill="{}"/>'
            "</svg>",
            classes, size, size, colour, INITIALS_COLOUR, INITIALS_COLOUR,
        )  # fmt: skip
    font_size = 22 if len(letters) == 1 else 19
    return format_html(
        '<svg class="{}" width="{}" height="{}" viewBox="0 0 48 48" aria-hidden="true" '
        'focusable="false"><circle cx="24" cy="24" r="24" fill="{}"/>'
        '<text x="24" y="24" dy="0.35em" text-anchor="middle" fill="{}" font-size="{}" '
        'font-weight="600">{}</text></svg>',
        classes, size, size, colour, INITIALS_COLOUR, font_size, letters,
    )  # fmt: skip


def member_avatar(member_id: int, display_name: str, size: int) -> SafeString:
    """A member's generated avatar (when they have no photo)."""
    return avatar_svg(seed=member_seed(member_id), name=display_name, size=size)


def pseudonym_avatar(thread_id: int, pseudonym: str, size: int) -> SafeString:
    """The face of an anonymous post: from the thread and the pseudonym alone."""
    return avatar_svg(
        seed=pseudonym_seed(thread_id, pseudonym),
        name=pseudonym,
        size=size,
        css_class="avatar--anonymous",
    )
