"""The search box's text is parsed into words and phrases, never passed on as syntax."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hearth.core.text.search_terms import (
    MAX_QUERY_LENGTH,
    QueryError,
    Term,
    fold,
    matches_in_memory,
    parse_search_terms,
)

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral


def test_words_phrases_left_out_words_and_author() -> None:
    terms = parse_search_terms('endings "hard week" -advice author:"Willow Tree"')

    assert terms.wanted == (Term(("endings",)), Term(("hard", "week")))
    assert terms.left_out == (Term(("advice",), is_excluded=True),)
    assert terms.author == "Willow Tree"
    assert str(terms) == 'endings "hard week" -advice author:"Willow Tree"'


@pytest.mark.parametrize(
    ("typed", "wanted"),
    [
        ('"unbalanced quote', ("unbalanced quote",)),
        ("NEAR(a b) OR c*", ("NEAR a", "b", "OR", "c")),
        ("self-harm", ("self harm",)),
        ("a\x00b", ("a", "b")),
        ("grief grief", ("grief",)),
        ("* ( ) :", ()),
    ],
)
def test_syntax_becomes_plain_words(typed: str, wanted: tuple[str, ...]) -> None:
    assert tuple(term.text for term in parse_search_terms(typed).wanted) == wanted


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("x" * (MAX_QUERY_LENGTH + 1), "at most 200 characters"),
        (" ".join(f"w{n}" for n in range(13)), "at most 12 words"),
        ("-alone", "not only words to leave out"),
    ],
)
def test_what_cannot_be_searched_gets_a_message(typed: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_search_terms(typed)


def test_folding_removes_case_accents_and_punctuation() -> None:
    assert fold("Café-au-LAIT, naïve!") == "cafe au lait naive"


def test_matching_in_memory_is_by_word_start() -> None:
    text = "I felt anxious at the Café, not hopeless."
    assert matches_in_memory(parse_search_terms("anx cafe"), text)
    assert matches_in_memory(parse_search_terms('"at the cafe"'), text)
    assert not matches_in_memory(parse_search_terms("xious"), text)
    assert not matches_in_memory(parse_search_terms("cafe -hopeless"), text)


@given(st.text(max_size=MAX_QUERY_LENGTH + 20))
def test_any_text_parses_into_plain_words_or_says_why(text: str) -> None:
    refusal, words = "", []
    try:
        words = [word for term in parse_search_terms(text).terms for word in term.words]
    except QueryError as error:
        refusal = str(error)

    assert not refusal or refusal.startswith("Please")
    assert all(word.isalnum() or "_" in word for word in words)
