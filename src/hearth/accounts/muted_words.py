"""Muted words: a member's words and phrases, and whether a text contains one.

Matching is on folded text (``hearth.core.text.search_terms.fold``: lower case,
accents removed, punctuation as spaces), whole words only: "art" does not match
"party", "café" matches "Cafe", and "feeling low" matches "Feeling... low" but not
"feeling lower". Which words a member muted is private to them; what a fold says
never names the word.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from hearth.accounts.models import User
from hearth.core.text.search_terms import fold

MOST_MUTED_WORDS = 50
MUTED_WORD_MAX_LENGTH = 60


@dataclass(frozen=True, slots=True)
class MutedWords:
    """A member's muted words, folded and padded with spaces (" feeling low ")."""

    padded: tuple[str, ...]

    def found_in_folded(self, folded: str) -> bool:
        """Whether text already passed through ``fold`` contains one of the words."""
        haystack = f" {folded} "
        return any(word in haystack for word in self.padded)

    def found_in(self, text: str) -> bool:
        return self.found_in_folded(fold(text))


@lru_cache(maxsize=4096)
def _matcher(words: tuple[str, ...]) -> MutedWords | None:
    padded = tuple(dict.fromkeys(f" {folded} " for word in words if (folded := fold(word))))
    return MutedWords(padded) if padded else None


def muted_words_of(member: User | None) -> MutedWords | None:
    """The member's muted words ready to match, or None when they muted none (no query:
    they are in the member's row)."""
    if member is None or not member.muted_words:
        return None
    return _matcher(tuple(member.muted_words))


def contains_muted_word(member: User | None, text: str) -> bool:
    words = muted_words_of(member)
    return words is not None and words.found_in(text)
