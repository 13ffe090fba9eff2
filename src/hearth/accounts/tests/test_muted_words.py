"""Muted words: how they match, and the settings where a member keeps them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.accounts.muted_words import (
    MOST_MUTED_WORDS,
    MUTED_WORD_MAX_LENGTH,
    contains_muted_word,
)
from hearth.accounts.services import set_muted_words
from hearth.core.testing import ClientFor
from hearth.member_data.export import _preferences, source_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("muted", "text", "matches"),
    [
        ("art", "I went to the party", False),
        ("art", "Art therapy helped", True),
        ("art", "art-therapy", True),
        ("café", "We met at the Cafe", True),
        ("Cafe", "un café noir", True),
        ("CAFÉ", "cafés", False),
        ("feeling low", "Feeling... low today", True),
        ("feeling low", "feeling lower", False),
        ("feeling low", "low feeling", False),
        ("self-harm", "thoughts of self harm", True),
        ("ßtraße", "SSTRASSE", True),
    ],
)
def test_matching_ignores_case_and_accents_and_keeps_to_whole_words(
    muted: str, text: str, matches: bool
) -> None:
    member = User(muted_words=[muted])

    assert contains_muted_word(member, text) is matches


def test_a_member_without_muted_words_matches_nothing() -> None:
    assert not contains_muted_word(User(), "anything at all")
    assert not contains_muted_word(None, "anything at all")


def test_the_settings_page_keeps_the_words_tidied(member: User, client_for: ClientFor) -> None:
    client = client_for(member)

    response = client.post(
        reverse("accounts:muted_words"),
        {"words": "Café\r\n\r\n  feeling   low \r\ncafe\r\nrelapse"},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.muted_words == ["Café", "feeling low", "relapse"]
    page = client.get(reverse("accounts:mutes")).content.decode()
    assert "feeling low" in page
    assert "Muted words" in page


def test_an_empty_list_unmutes_every_word(member: User, client_for: ClientFor) -> None:
    set_muted_words(member=member, words=["grief"])

    client_for(member).post(reverse("accounts:muted_words"), {"words": ""})

    member.refresh_from_db()
    assert member.muted_words == []


@pytest.mark.parametrize(
    ("words", "message"),
    [
        ("\n".join(f"word{number}" for number in range(MOST_MUTED_WORDS + 1)), "up to 50"),
        ("x" * (MUTED_WORD_MAX_LENGTH + 1), "at most 60 characters"),
        ("fine\n:-(", "has no letters or numbers"),
    ],
)
def test_a_list_outside_the_limits_is_refused_and_what_was_typed_comes_back(
    words: str, message: str, member: User, client_for: ClientFor
) -> None:
    set_muted_words(member=member, words=["kept"])

    response = client_for(member).post(reverse("accounts:muted_words"), {"words": words})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert words.splitlines()[-1].replace("(", "") in page.replace("(", "")
    member.refresh_from_db()
    assert member.muted_words == ["kept"]


def test_exactly_the_limits_are_allowed(member: User, client_for: ClientFor) -> None:
    words = [f"word{number}" for number in range(MOST_MUTED_WORDS - 1)]
    words.append("y" * MUTED_WORD_MAX_LENGTH)

    response = client_for(member).post(reverse("accounts:muted_words"), {"words": "\n".join(words)})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.muted_words == words


def test_the_service_refuses_words_outside_the_limits(member: User) -> None:
    with pytest.raises(ValidationError):
        set_muted_words(member=member, words=["x" * (MUTED_WORD_MAX_LENGTH + 1)])

    member.refresh_from_db()
    assert member.muted_words == []


def test_muted_words_are_in_the_members_data_export(member: User) -> None:
    set_muted_words(member=member, words=["relapse"])

    preferences = _preferences(source_for(member, include_toolkit=False, now=timezone.now()))

    assert preferences["muted_words"] == ["relapse"]
