"""Cards: a small built-in set with credits, and the member's own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.between_sessions import selectors, services
from hearth.between_sessions.builtin_cards import BUILT_IN_CARDS, BUILT_IN_CARDS_BY_SLUG
from hearth.between_sessions.models import MemberCard
from hearth.between_sessions.tests.conftest import MARKER, FilledToolkit

pytestmark = pytest.mark.django_db

STATIC = Path(__file__).resolve().parent.parent / "static" / "between_sessions"


def test_the_built_in_set_is_the_one_care_md_asks_for() -> None:
    assert list(BUILT_IN_CARDS_BY_SLUG) == [
        "breathing",
        "grounding",
        "senses",
        "cooling-down",
        "finding-now",
        "while-away",
    ]


@pytest.mark.parametrize("card", BUILT_IN_CARDS, ids=lambda card: card.slug)
def test_every_built_in_card_credits_its_source_and_is_in_our_own_words(card: object) -> None:
    credit = str(card.credit)  # type: ignore[attr-defined]

    assert len(card.steps) >= 3  # type: ignore[attr-defined]
    assert "our own" in credit


def test_credits_name_the_people_and_traditions_the_ideas_come_from() -> None:
    credit_by_slug = {card.slug: str(card.credit) for card in BUILT_IN_CARDS}

    assert "Marsha M. Linehan" in credit_by_slug["senses"]
    assert "Marsha M. Linehan" in credit_by_slug["cooling-down"]
    assert "Pete Walker" in credit_by_slug["finding-now"]
    assert "trauma-informed therapy" in credit_by_slug["grounding"]


def test_the_intense_feelings_card_carries_the_medical_caution_first(
    member: User, client_for: Callable[[User], Client]
) -> None:
    page = (
        client_for(member)
        .get(reverse("between_sessions:built_in_card", args=["cooling-down"]))
        .content.decode()
    )

    caution = page[page.index("A health note first") : page.index("skill-steps")]
    for condition in ("heart condition", "low blood pressure", "eating disorder", "pregnant"):
        assert condition in caution
    assert page.index("A health note first") < page.index("Cool your face")


def test_the_breathing_card_has_a_silent_visual_guide_that_respects_reduced_motion(
    member: User, client_for: Callable[[User], Client]
) -> None:
    page = (
        client_for(member)
        .get(reverse("between_sessions:built_in_card", args=["breathing"]))
        .content.decode()
    )
    css = (STATIC / "toolkit.css").read_text()

    assert 'class="breathing-circle" aria-hidden="true"' in page
    assert 'id="breathing-toggle"' in page
    assert "1, 2, 3, 4. Breathe out for six" in page  # the non-moving alternative
    assert "<audio" not in page
    assert "@keyframes hearth-breathe" in css
    assert "prefers-reduced-motion: reduce" in css
    motion = css[css.index("prefers-reduced-motion: no-preference") :]
    assert "animation: hearth-breathe" in motion


def test_making_a_coping_card_and_turning_it_over(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(owner)

    response = client.post(
        reverse("between_sessions:member_card_new"),
        {
            "kind": "coping",
            "front": "When they don't reply",
            "back_words": "It's not about me",
            "back_action": "Make tea",
        },
    )

    card = selectors.member_cards_for(owner).get()
    assert response["Location"] == reverse("between_sessions:member_card", args=[card.pk])
    page = client.get(response["Location"]).content.decode()
    assert "When they don&#x27;t reply" in page
    assert "What I&#x27;ll tell myself" not in page  # a translate tag: not escaped
    assert "What I'll tell myself" in page
    assert "Make tea" in page


def test_words_to_remember_have_no_action_on_the_back(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(owner)
    form = client.get(reverse("between_sessions:member_card_new") + "?kind=words")
    assert "The words to remember" in form.content.decode()
    assert "one thing I&#x27;ll do" not in form.content.decode().lower()

    client.post(
        reverse("between_sessions:member_card_new"),
        {"kind": "words", "front": "You are allowed to take up space.", "back_words": "March"},
    )

    card = selectors.member_cards_for(owner).get()
    assert (card.kind, card.front, card.back_action) == (
        "words",
        "You are allowed to take up space.",
        "",
    )


def test_a_card_without_a_front_is_refused_and_the_back_is_kept(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(owner).post(
        reverse("between_sessions:member_card_new"),
        {"kind": "coping", "front": "", "back_words": f"kept {MARKER}"},
    )

    assert response.status_code == 400
    assert f"kept {MARKER}" in response.content.decode()
    assert not MemberCard.objects.filter(owner=owner).exists()


def test_deleting_a_card_unpins_it_and_entries_stop_linking_to_it(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    owner, card = filled_toolkit.owner, filled_toolkit.card
    services.pin_card_to_plan(owner=owner, ref=card.ref, pinned=True)
    client = client_for(owner)

    response = client.post(reverse("between_sessions:member_card_delete", args=[card.pk]))

    assert response.status_code == 302
    assert selectors.get_coping_plan(owner).pinned_cards == []
    page = client.get(
        reverse("between_sessions:entry", args=[filled_toolkit.entry.pk])
    ).content.decode()
    assert "Slow breathing" in page
    assert f"card front {MARKER}" not in page


def test_entries_link_to_cards_that_helped_but_never_to_someone_elses(
    filled_toolkit: FilledToolkit, other_member: User, client_for: Callable[[User], Client]
) -> None:
    theirs = services.create_member_card(
        owner=other_member, kind="coping", front="theirs", back_words="", back_action=""
    )

    client = client_for(filled_toolkit.owner)
    url = reverse("between_sessions:entry_edit", args=[filled_toolkit.entry.pk])

    refused = client.post(url, {"text": "edited", "helpful_cards": [theirs.ref]})
    accepted = client.post(url, {"text": "edited", "helpful_cards": ["builtin:senses"]})

    assert refused.status_code == 400
    assert accepted.status_code == 302
    filled_toolkit.entry.refresh_from_db()
    assert filled_toolkit.entry.helpful_cards == ["builtin:senses"]
    # The service drops such references too, whoever calls it.
    assert services._existing_card_refs(filled_toolkit.owner, [theirs.ref, "builtin:nope"]) == []
