"""A member searches their own toolkit: decrypted in memory for that request, never indexed.

Only the searcher's own items can come back, bad input gets a message (never a
500), member text in excerpts stays escaped, and a search writes nothing:
no row, no session entry, no log line with the words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape
from pytest_django import DjangoAssertNumQueries

from hearth.accounts.models import User
from hearth.between_sessions import services
from hearth.between_sessions.models import JournalEntry
from hearth.between_sessions.search import RESULTS_PER_KIND, SearchGroup, search_toolkit
from hearth.between_sessions.tests.conftest import MARKER, FilledToolkit, fill_toolkit
from hearth.core.testing import FillToolkit
from hearth.core.text.search_terms import parse_search_terms

pytestmark = pytest.mark.django_db

SEARCH = reverse("between_sessions:search")


def write_entry(owner: User, text: str) -> JournalEntry:
    return services.write_journal_entry(
        owner=owner, content=services.EntryContent(feelings=(), text=text)
    )


def search_as(client: Client, query: str, *, method: str = "get") -> Any:
    return getattr(client, method)(SEARCH, {"q": query})


def found(response: Any) -> dict[str, SearchGroup]:
    return {group.kind: group for group in response.context["groups"] or []}


def test_a_search_finds_the_words_in_every_kind_of_item(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    filled = filled_toolkit

    response = search_as(client_for(filled.owner), MARKER)

    assert response.status_code == 200
    groups = found(response)
    assert {kind: group.match_count for kind, group in groups.items()} == {
        "entries": 2,  # the check-in and the fuller entry
        "next_session": 1,
        "plan": 7,  # six steps and "what matters to me"
        "cards": 2,
        "breaks": 1,
    }
    page = response.content.decode()
    for url in [
        reverse("between_sessions:entry", args=[filled.entry.pk]),
        reverse("between_sessions:entry", args=[filled.check_in.pk]),
        reverse("between_sessions:next_session") + "#section-questions",
        reverse("between_sessions:plan"),
        reverse("between_sessions:member_card", args=[filled.card.pk]),
        reverse("between_sessions:member_card", args=[filled.words.pk]),
        reverse("between_sessions:breaks"),
    ]:
        assert f'href="{url}"' in page, url
    assert "<mark>zq-private-marker-7731</mark>" in page


def test_words_match_at_the_start_of_words_whatever_their_case_and_accents(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    entry = write_entry(owner, "Un CAFÉ au lait with my sister, then anxious all evening")
    client = client_for(owner)

    for query in ["cafe", "Café", "café AU", "anx", "ANXIOUS"]:
        response = search_as(client, query)
        assert [hit.url for hit in found(response)["entries"].hits] == [
            reverse("between_sessions:entry", args=[entry.pk])
        ], query
    assert "entries" not in found(search_as(client, "xious"))  # not the middle of a word
    assert "Un <mark>CAFÉ</mark> au lait" in search_as(client, "cafe").content.decode()


def test_a_quoted_phrase_keeps_its_words_together_and_a_minus_leaves_a_word_out(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    weekend = write_entry(owner, "The long weekend alone was hard")
    work = write_entry(owner, "Alone at work, and the weekend is far away")
    client = client_for(owner)

    def entry_urls(query: str) -> list[str]:
        return [hit.url for hit in found(search_as(client, query))["entries"].hits]

    assert entry_urls('"weekend alone"') == [reverse("between_sessions:entry", args=[weekend.pk])]
    assert entry_urls("alone -work") == [reverse("between_sessions:entry", args=[weekend.pk])]
    assert entry_urls("alone weekend") == [
        reverse("between_sessions:entry", args=[work.pk]),  # newest first
        reverse("between_sessions:entry", args=[weekend.pk]),
    ]
    page = search_as(client, '"weekend alone"').content.decode()
    assert "The long <mark>weekend alone</mark> was hard" in page


def test_feelings_and_what_set_them_off_can_be_found_by_their_words(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    response = search_as(client_for(filled_toolkit.owner), "lonely")

    assert [hit.url for hit in found(response)["entries"].hits] == [
        reverse("between_sessions:entry", args=[filled_toolkit.check_in.pk])
    ]


def test_another_members_toolkit_never_appears_even_with_the_same_words(
    owner: User,
    other_member: User,
    toolkit_filler: FillToolkit,
    client_for: Callable[[User], Client],
) -> None:
    mine = toolkit_filler(owner, marker="shared words")
    theirs = toolkit_filler(other_member, marker="shared words")
    assert isinstance(mine, FilledToolkit)
    assert isinstance(theirs, FilledToolkit)

    response = search_as(client_for(owner), "shared words")

    groups = found(response)
    assert sum(group.match_count for group in groups.values()) == 13
    page = response.content.decode()
    for item in [theirs.entry, theirs.check_in]:
        assert reverse("between_sessions:entry", args=[item.pk]) not in page
    for card in [theirs.card, theirs.words]:
        assert reverse("between_sessions:member_card", args=[card.pk]) not in page
    assert reverse("between_sessions:entry", args=[mine.entry.pk]) in page


@pytest.mark.parametrize(
    "query",
    [
        "\x00",
        "calm\x00 day",
        "x" * 10_240,
        '"unbalanced quote',
        'NEAR(a b) OR "',
        "calm* AND (day OR",
        "\"'; DROP TABLE between_sessions_journalentry; --",
        '"',
        "-calm",
        "author:",
        "author:someone",
        "%_\\",
        "😶‍🌫️ ∞ ∑",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_any_text_gets_results_or_a_clear_message_never_an_error(
    owner: User, client_for: Callable[[User], Client], query: str, method: str
) -> None:
    write_entry(owner, "A calm day")

    response = search_as(client_for(owner), query, method=method)

    assert response.status_code in {200, 400}
    page = response.content.decode()
    if method == "get" and "\x00" in query:
        # Refused before any view (core's UnstorableInputMiddleware), with its own message;
        # the toolkit's own box posts, so a member typing one reaches the page below.
        assert response.status_code == 400
        assert "We couldn't understand that request" in page
        return
    if response.status_code == 400:
        assert '<ul class="errorlist"' in page
        assert response.context["error"]
    shown = query.replace("\x00", "")
    assert response.context["query"] == shown
    if shown.strip():
        assert f'value="{escape(shown)}"' in page  # what they typed is still in the box


def test_a_very_long_search_is_refused_with_a_message_and_kept_in_the_box(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    query = "word " * 2_000

    response = search_as(client_for(owner), query)

    assert response.status_code == 400
    assert "at most 200 characters" in response.content.decode()
    assert f'value="{query}"' in response.content.decode()


def test_only_punctuation_asks_for_a_word(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    response = search_as(client_for(owner), '" ) ( *')

    assert response.status_code == 400
    assert "Please type a word or two to look for." in response.content.decode()


def test_author_is_ignored_in_ones_own_notes_and_the_page_says_so(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    entry = write_entry(owner, "A calm day")

    response = search_as(client_for(owner), "calm author:someone")

    assert response.status_code == 200
    assert 'Everything here is yours, so "author:" is left out' in response.content.decode()
    assert [hit.url for hit in found(response)["entries"].hits] == [
        reverse("between_sessions:entry", args=[entry.pk])
    ]


def test_an_empty_search_shows_the_form_only(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    for query in ["", "   "]:
        response = search_as(client_for(filled_toolkit.owner), query)

        assert response.status_code == 200
        assert response.context["groups"] is None
        page = response.content.decode()
        assert '<label for="id_q">' in page
        assert MARKER not in page
        assert "Nothing in your notes matches" not in page


def test_a_search_with_no_match_says_so(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    response = search_as(client_for(filled_toolkit.owner), "giraffe")

    assert response.status_code == 200
    assert "Nothing in your notes matches those words." in response.content.decode()


def test_excerpts_escape_member_text(owner: User, client_for: Callable[[User], Client]) -> None:
    write_entry(owner, 'calm <script>alert("x")</script> <b onmouseover=alert(1)>bold</b>')

    page = search_as(client_for(owner), "script").content.decode()

    assert "<script>alert" not in page
    assert "<b onmouseover" not in page
    assert "&lt;<mark>script</mark>&gt;alert(&quot;x&quot;)&lt;/<mark>script</mark>&gt;" in page
    assert "&lt;b onmouseover=alert(1)&gt;bold&lt;/b&gt;" in page


def test_a_long_entry_is_shown_as_a_short_excerpt_around_the_first_match(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    write_entry(owner, "before " * 300 + "the needle is here " + "after " * 300)

    response = search_as(client_for(owner), "needle")

    excerpt = str(found(response)["entries"].hits[0].excerpt)
    assert excerpt.startswith("…")
    assert excerpt.endswith("…")
    assert "the <mark>needle</mark> is here" in excerpt
    assert len(excerpt) < 400


def test_each_kind_shows_at_most_a_fixed_number_of_results_and_says_how_many_more(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    for number in range(RESULTS_PER_KIND + 2):
        write_entry(owner, f"evening number {number}")

    response = search_as(client_for(owner), "evening")

    entries = found(response)["entries"]
    assert len(entries.hits) == RESULTS_PER_KIND
    assert entries.match_count == RESULTS_PER_KIND + 2
    assert entries.hits[0].excerpt == f"<mark>evening</mark> number {RESULTS_PER_KIND + 1}"
    assert "2 more matched; add a word to narrow the search." in response.content.decode()


def test_a_search_reads_each_kind_once_whatever_the_toolkit_holds(
    owner: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    terms = parse_search_terms("marker")
    write_entry(owner, "marker")

    with django_assert_num_queries(5):  # entries, session notes, plan, cards, breaks
        search_toolkit(owner, terms)

    for _ in range(10):
        write_entry(owner, "marker")
    fill_toolkit(owner, marker="marker")
    with django_assert_num_queries(5):
        groups = search_toolkit(owner, terms)
    assert sum(group.match_count for group in groups) == 11 + 13


def test_the_search_page_makes_the_same_queries_for_one_item_or_many(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(owner)
    write_entry(owner, "marker")
    search_as(client, "marker")  # warm up: the first request loads the site and session

    with CaptureQueriesContext(connection) as one:
        search_as(client, "marker")
    for _ in range(10):
        write_entry(owner, "marker")
    with CaptureQueriesContext(connection) as eleven:
        response = search_as(client, "marker")

    assert found(response)["entries"].match_count == 11
    assert len(one) == len(eleven)


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_search_writes_nothing_and_keeps_nothing(
    filled_toolkit: FilledToolkit,
    client_for: Callable[[User], Client],
    caplog: pytest.LogCaptureFixture,
    method: str,
) -> None:
    client = client_for(filled_toolkit.owner)
    client.get(reverse("between_sessions:home"))  # settle the session and CSRF cookie
    session_before = dict(client.session.items())
    caplog.set_level(logging.DEBUG)
    forced = connection.force_debug_cursor
    connection.force_debug_cursor = True  # Django's SQL log, with its parameters
    try:
        with CaptureQueriesContext(connection) as queries:
            response = search_as(client, "zq-private quietly-unique-words", method=method)
            search_as(client, '"quietly-unique-words', method=method)
    finally:
        connection.force_debug_cursor = forced

    assert response.status_code == 200
    statements = [query["sql"].lstrip().split()[0].upper() for query in queries]
    assert set(statements) <= {"SELECT"}, statements
    assert all("quietly" not in query["sql"] for query in queries)
    assert "quietly" not in caplog.text
    assert dict(client.session.items()) == session_before
    assert "quietly" not in str(response.cookies)


def test_search_pages_are_never_stored(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    response = search_as(client_for(filled_toolkit.owner), MARKER)

    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("method", ["get", "post"])
def test_visitors_are_sent_to_sign_in(filled_toolkit: FilledToolkit, method: str) -> None:
    response = search_as(Client(), MARKER, method=method)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")
    if method == "post":  # the words of a posted search go nowhere, not even into ?next=
        assert MARKER not in response["Location"]


@pytest.mark.parametrize(
    "name", ["home", "entries", "next_session", "plan", "cards", "breaks", "export"]
)
def test_the_toolkits_pages_offer_a_labelled_search_box(
    owner: User, client_for: Callable[[User], Client], name: str
) -> None:
    page = client_for(owner).get(reverse(f"between_sessions:{name}")).content.decode()

    assert '<label for="toolkit-search-words">Search my notes</label>' in page
    assert f'action="{SEARCH}"' in page
