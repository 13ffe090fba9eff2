"""Therapist breaks: during one, the toolkit's overview shows the member's plan for it."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.between_sessions import selectors, services

pytestmark = pytest.mark.django_db

HOME = reverse("between_sessions:home")


def add_break(
    owner: User, start_offset: int, back_offset: int | None, kind: str = "holiday"
) -> None:
    today = timezone.localdate()
    services.add_therapist_break(
        owner=owner,
        details=services.BreakDetails(
            kind=kind,
            starts_on=today + datetime.timedelta(days=start_offset),
            back_on=today + datetime.timedelta(days=back_offset)
            if back_offset is not None
            else None,
            what_ill_do="Walk on Tuesdays",
            who_ill_reach="My brother",
            helpful_cards=("builtin:while-away",),
        ),
    )


def test_during_a_break_the_overview_shows_the_date_a_countdown_and_the_plan(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    add_break(owner, -3, 10)
    back_on = timezone.localdate() + datetime.timedelta(days=10)

    page = client_for(owner).get(HOME).content.decode()

    assert f"Your therapist is away until {back_on:%A} {back_on.day} {back_on:%B}" in page
    assert "10 days to go." in page
    assert "Walk on Tuesdays" in page
    assert "My brother" in page
    assert "When my therapist is away" in page


def test_the_last_day_before_therapy_resumes_counts_down_to_one(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    add_break(owner, -3, 1)

    assert "1 day to go." in client_for(owner).get(HOME).content.decode()


@pytest.mark.parametrize(("start", "back"), [(2, 9), (-9, -2), (-9, 0)])
def test_outside_a_break_nothing_is_shown(
    owner: User, client_for: Callable[[User], Client], start: int, back: int
) -> None:
    add_break(owner, start, back)

    assert "is away until" not in client_for(owner).get(HOME).content.decode()


def test_a_gap_between_therapists_with_no_end_date(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    add_break(owner, -20, None, kind="between_therapists")

    page = client_for(owner).get(HOME).content.decode()

    assert "You&#x27;re between therapists at the moment" in page or (
        "You're between therapists at the moment" in page
    )
    assert "to go." not in page


def test_a_return_date_before_the_start_is_refused_and_the_plan_is_kept(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(owner).post(
        reverse("between_sessions:break_new"),
        {
            "kind": "holiday",
            "starts_on": "2030-08-10",
            "back_on": "2030-08-01",
            "what_ill_do": "Swim on Saturdays",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This must be after the first day of the break." in page
    assert "Swim on Saturdays" in page
    assert not selectors.therapist_breaks_for(owner).exists()


def test_nobody_else_sees_the_break(
    owner: User, other_member: User, client_for: Callable[[User], Client]
) -> None:
    add_break(owner, -1, 5)

    assert "away until" not in client_for(other_member).get(HOME).content.decode()
    assert (
        "Walk on Tuesdays"
        not in client_for(other_member).get(reverse("between_sessions:breaks")).content.decode()
    )


def test_the_breaks_page_sorts_breaks_into_now_coming_up_and_past(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    add_break(owner, -1, 5)
    add_break(owner, 30, 44)
    add_break(owner, -60, -40)

    page = client_for(owner).get(reverse("between_sessions:breaks")).content.decode()

    assert page.index(">Now<") < page.index(">Coming up<") < page.index(">Past<")
