"""What a member typed into a search box, parsed into words and phrases we control.

Neither search backend ever sees the member's text as query syntax: FTS5 and
PostgreSQL's ``tsquery`` both have operators, and a stray quote or bracket in
them is an error (or worse, a different query). Instead the text is parsed here
into a small, closed form -- words, "quoted phrases", ``-left out`` words and an
``author:`` filter -- and each backend writes its own syntax from that form, with
every word quoted as plain text.

The grammar is forgiving on purpose: someone searching at a hard moment should
get results, not a syntax lesson. An unbalanced quote runs to the end, stray
punctuation is dropped, and only what cannot be searched at all (nothing left,
far too long) is refused with a message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12

# A token: an optional "-", then a quoted phrase (the closing quote may be missing),
# an author:"quoted name", an author:name, or a run of anything but spaces.
_TOKEN = re.compile(
    r'(?P<minus>-)?(?:"(?P<phrase>[^"]*)"?|(?P<author>author:)(?:"(?P<quoted_name>[^"]*)"?|(?P<name>\S*))|(?P<bare>\S+))',
    re.IGNORECASE,
)
_WORD = re.compile(r"\w+")
_UNSEARCHABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class QueryError(ValueError):
    """The text cannot be searched; ``str(error)`` is the message for the member."""


@dataclass(frozen=True)
class Term:
    """A word, or several in a row (a phrase), that a post must (or must not) contain."""

    words: tuple[str, ...]
    is_excluded: bool = False

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def is_phrase(self) -> bool:
        return len(self.words) > 1


@dataclass(frozen=True)
class SearchTerms:
    terms: tuple[Term, ...] = ()
    author: str = ""  # from author:name, as typed (the view finds the member)

    @property
    def wanted(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.is_excluded)

    @property
    def left_out(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if term.is_excluded)

    @property
    def has_text(self) -> bool:
        return bool(self.wanted)

    def __str__(self) -> str:
        """The query written back in its canonical form (for the search box and links)."""
        parts = [
            ("-" if term.is_excluded else "") + (f'"{term.text}"' if term.is_phrase else term.text)
            for term in self.terms
        ]
        if self.author:
            parts.append(
                f'author:"{self.author}"' if " " in self.author else f"author:{self.author}"
            )
        return " ".join(parts)


def parse_search_terms(text: str) -> SearchTerms:
    """Parse a search box's text; raises QueryError with a message for the member."""
    text = _UNSEARCHABLE.sub(" ", text)
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("Please search for at most %(limit)s characters.") % {"limit": MAX_QUERY_LENGTH}
        )
    terms: list[Term] = []
    author = ""
    for match in _TOKEN.finditer(text):
        if match["author"] is not None:
            author = " ".join((match["quoted_name"] or match["name"] or "").split())
            continue
        words = tuple(
            _WORD.findall(match["phrase"] if match["phrase"] is not None else match["bare"])
        )
        if words:
            term = Term(words=words, is_excluded=match["minus"] is not None)
            if term not in terms:
                terms.append(term)
    if len(terms) > MAX_TERMS:
        raise QueryError(
            _("Please search for at most %(limit)s words or phrases.") % {"limit": MAX_TERMS}
        )
    found = SearchTerms(terms=tuple(terms), author=author)
    if found.left_out and not found.has_text:
        raise QueryError(_("Please add a word to look for, not only words to leave out."))
    return found


def fold(text: str) -> str:
    """Text as matching sees it: lower case, accents removed, punctuation as spaces
    ("Café-au-lait" -> "cafe au lait"), so "cafe" finds "Café"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(character for character in decomposed if not unicodedata.combining(character))
    return " ".join(_WORD.findall(bare.casefold()))


def matches_in_memory(terms: SearchTerms, text: str) -> bool:
    """Whether already-decrypted text matches (for the private toolkit, which has no index):
    every wanted word or phrase starts a word there ("anx" finds "anxious"), and no
    left-out one does."""
    haystack = f" {fold(text)}"

    def contains(term: Term) -> bool:
        return f" {fold(term.text)}" in haystack

    return all(contains(term) for term in terms.wanted) and not any(
        contains(term) for term in terms.left_out
    )
