"""The coping plan: the member's own words, in order, one tap away from every page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.between_sessions import selectors
from hearth.between_sessions.models import COPING_PLAN_STEPS, CopingPlan
from hearth.between_sessions.tests.conftest import MARKER, FakeProviders, FilledToolkit
from hearth.core.providers import CrisisContacts, CrisisLine

pytestmark = pytest.mark.django_db

PLAN = reverse("between_sessions:plan")
STEP_TITLES = [
    "My warning signs",
    "Things I can do on my own",
    "People and places that take my mind off things",
    "People I can ask for help",
    "Professionals and services",
    "Making my surroundings safer",
    "What matters to me",
]


def test_the_steps_appear_in_order_with_the_members_words(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client], no_providers: None
) -> None:
    page = client_for(filled_toolkit.owner).get(PLAN).content.decode()

    positions = [page.index(title) for title in STEP_TITLES]
    assert positions == sorted(positions)
    words = ["warning", "on my own", "distraction", "person", "arrangement", "service",
             "safer", "matters"]  # fmt: skip
    word_positions = [page.index(f"{word} {MARKER}") for word in words]
    assert word_positions == sorted(word_positions)


def test_an_empty_plan_shows_every_step_and_reading_it_creates_nothing(
    owner: User, client_for: Callable[[User], Client], no_providers: None
) -> None:
    page = client_for(owner).get(PLAN).content.decode()

    for title in STEP_TITLES:
        assert title in page
    assert "Write my plan" in page
    assert not CopingPlan.objects.filter(owner=owner).exists()


def test_any_step_may_be_left_empty(owner: User, client_for: Callable[[User], Client]) -> None:
    response = client_for(owner).post(
        reverse("between_sessions:plan_edit"), {"what_matters": "My cat\n\n  The sea  \n"}
    )

    assert response.status_code == 302
    plan = selectors.get_coping_plan(owner)
    assert plan.what_matters == "My cat\nThe sea"
    assert plan.warning_signs == ""


def test_an_overlong_step_is_refused_and_everything_typed_is_kept(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(owner).post(
        reverse("between_sessions:plan_edit"),
        {"warning_signs": "w" * 4001, "people_to_ask": f"Sam 0700 {MARKER}"},
    )

    assert response.status_code == 400
    assert f"Sam 0700 {MARKER}" in response.content.decode()
    assert not CopingPlan.objects.filter(owner=owner).exists()


def test_crisis_lines_come_after_the_emergency_number_with_their_checked_date(
    filled_toolkit: FilledToolkit,
    client_for: Callable[[User], Client],
    fake_providers: FakeProviders,
) -> None:
    fake_providers.crisis = CrisisContacts(
        country_code="GB",
        country_name="United Kingdom",
        emergency_number="999",
        lines=(
            CrisisLine(
                name="Example Listening Line", phone="116 000", text="", chat_url="",
                website_url="https://listening.example.org/", hours="24 hours",
                verified_on=datetime.date(2026, 9, 1),
                source_url="https://listening.example.org/contact",
            ),
        ),
    )  # fmt: skip

    page = client_for(filled_toolkit.owner).get(PLAN).content.decode()

    assert "999" in page
    assert page.index("999") < page.index("Example Listening Line")
    assert page.index(f"arrangement {MARKER}") < page.index("999")
    assert "Details checked on 1 September 2026" in page
    assert 'href="tel:116000"' in page
    assert "not set up on this site" not in page


def test_without_a_directory_the_plan_says_so_and_points_to_the_emergency_number(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client], no_providers: None
) -> None:
    page = client_for(filled_toolkit.owner).get(PLAN).content.decode()

    assert (
        "The crisis-line directory is not set up on this site. "
        "If you are in danger now, call your local emergency number."
    ) in page


def test_the_safer_surroundings_step_has_only_a_generic_prompt(
    owner: User, client_for: Callable[[User], Client], no_providers: None
) -> None:
    prompt = str(COPING_PLAN_STEPS[5].help_text)
    page = client_for(owner).get(PLAN).content.decode()
    form = client_for(owner).get(reverse("between_sessions:plan_edit")).content.decode()

    assert prompt.replace("'", "&#x27;") in page
    assert prompt.replace("'", "&#x27;") in form
    for word in ("pill", "medication", "tablet", "knife", "blade", "rope", "ligature",
                 "firearm", "gun", "poison", "lock away", "means"):  # fmt: skip
        assert not re.search(rf"\b{word}", prompt, re.IGNORECASE), word


def test_the_plan_encourages_review_with_a_therapist_without_nagging(
    owner: User, client_for: Callable[[User], Client], no_providers: None
) -> None:
    client = client_for(owner)

    response = client.post(reverse("between_sessions:plan_reviewed"))

    assert response.status_code == 302
    assert selectors.get_coping_plan(owner).last_reviewed_on == timezone.localdate()
    page = client.get(PLAN).content.decode()
    assert "with your therapist" in page
    assert "not a promise to anyone" in page
    assert "Last reviewed:" in page


@pytest.mark.parametrize(
    "url_name", ["home", "accounts:edit_profile", "between_sessions:cards", "between_sessions:home"]
)
def test_my_plan_is_one_tap_away_on_every_page(
    member: User, client_for: Callable[[User], Client], url_name: str
) -> None:
    page = client_for(member).get(reverse(url_name)).content.decode()

    header = page[page.index('<header class="site-header">') : page.index("</header>")]
    assert f'<a href="{PLAN}" class="nav-plan">My plan</a>' in header


def test_the_plan_link_is_on_the_members_profile_page_too(
    member: User, client_for: Callable[[User], Client]
) -> None:
    page = client_for(member).get(member.get_absolute_url()).content.decode()

    assert f'href="{PLAN}"' in page


def test_visitors_who_are_not_signed_in_see_no_plan_link() -> None:
    page = Client().get(reverse("account_login")).content.decode()

    assert PLAN not in page


def test_the_printable_plan(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client], no_providers: None
) -> None:
    page = (
        client_for(filled_toolkit.owner)
        .get(reverse("between_sessions:plan_print"))
        .content.decode()
    )

    assert f"warning {MARKER}" in page
    assert "site-header" not in page
    assert "<title>Notes</title>" in page


def test_pinning_cards_lists_them_under_things_i_can_do(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client], no_providers: None
) -> None:
    client = client_for(filled_toolkit.owner)
    client.post(reverse("between_sessions:built_in_card_pin", args=["grounding"]), {"pinned": "1"})
    client.post(
        reverse("between_sessions:member_card_pin", args=[filled_toolkit.card.pk]), {"pinned": "1"}
    )

    page = client.get(PLAN).content.decode()
    pinned = page[page.index("Cards I've pinned") : page.index("People and places")]
    assert "5-4-3-2-1 grounding" in pinned
    assert f"card front {MARKER}" in pinned

    client.post(reverse("between_sessions:built_in_card_pin", args=["grounding"]), {"pinned": "0"})
    assert selectors.get_coping_plan(filled_toolkit.owner).pinned_cards == [filled_toolkit.card.ref]
