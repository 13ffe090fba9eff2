"""Whatever is typed, search answers with results or a clear message, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from hearth.core.tasks import run_due_tasks
from hearth.forum.testing import MakeThread

pytestmark = pytest.mark.django_db

SYNTAX = [
    '"unbalanced quote',
    'NEAR(a b) OR "',
    "a AND OR NOT b",
    "title:x body:y",
    "* ^ - ( ) : ' \" \\",
    "a & b | !c <-> d",
    "'); DROP TABLE forum_post; --",
    "author:",
    'author:"',
    "-",
    "x" * 10_000,
    "🙂 💛",
    "ﬁnancial Straße İstanbul",
]


@pytest.mark.parametrize("text", SYNTAX)
def test_query_syntax_is_never_read_as_syntax(
    text: str, make_thread: MakeThread, member_client: Client
) -> None:
    make_thread(body="A and b, or not: near the title.")
    run_due_tasks()

    response = member_client.get(reverse("search:search"), {"q": text})

    assert response.status_code in {200, 400}
    if response.status_code == 400:
        assert 'class="errorlist' in response.content.decode()


def test_a_nul_byte_is_refused_with_a_message(member_client: Client) -> None:
    response = member_client.get(reverse("search:search"), {"q": "a\x00b"})

    assert response.status_code == 400


def test_a_long_query_keeps_what_was_typed_and_says_why(member_client: Client) -> None:
    response = member_client.get(reverse("search:search"), {"q": "grief " * 50})

    assert response.status_code == 400
    page = response.content.decode()
    assert "at most 200 characters" in page
    assert "grief grief grief" in page  # still in the box


@pytest.mark.parametrize(
    "filters",
    [
        {"after": "nonsense"},
        {"after": "nan_5"},
        {"after": "1e999_5"},
        {"after": "9" * 40},
        {"thread": "0"},
        {"thread": "abc"},
        {"thread": "9" * 30},
        {"date_from": "2026-13-45"},
        {"date_from": "2026-12-05", "date_to": "2026-12-01"},
        {"category": "no-such-category"},
        {"sort": "sideways"},
    ],
)
def test_bad_filters_are_a_400_with_a_message(
    filters: dict[str, str], member_client: Client
) -> None:
    response = member_client.get(reverse("search:search"), {"q": "grief", **filters})

    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
        max_size=220,
    ),
    sort=st.sampled_from(["", "relevance", "newest"]),
)
def test_any_text_gets_results_or_a_message(q: str, sort: str, member_client: Client) -> None:
    response = member_client.get(reverse("search:search"), {"q": q, "sort": sort})

    assert response.status_code in {200, 400}


def test_searching_too_often_is_slowed_down(
    settings: Settings, make_thread: MakeThread, member_client: Client
) -> None:
    settings.HEARTH_SEARCH_RATE_LIMIT = "3/60"
    statuses = [
        member_client.get(reverse("search:search"), {"q": f"word{n}"}).status_code for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
