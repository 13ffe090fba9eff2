"""The demo member's example toolkit: clearly examples, idempotent, removable."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.between_sessions import selectors
from hearth.between_sessions.models import TOOLKIT_MODELS
from hearth.core.testing import MakeMember

pytestmark = pytest.mark.django_db


def load_demo() -> list[str]:
    config = apps.get_app_config("between_sessions")
    lines: list[str] = config.load_demo_data()  # type: ignore[attr-defined]
    return lines


def rows(member: User) -> int:
    return selectors.toolkit_row_count(member)


@pytest.fixture
def willow(make_member: MakeMember) -> User:
    return make_member(username="willow", display_name="Willow")


def test_the_demo_gives_willow_a_small_example_toolkit_once(willow: User) -> None:
    lines = load_demo()
    created = rows(willow)
    load_demo()

    assert "willow" in lines[0]
    assert 10 <= created == rows(willow)
    for model in TOOLKIT_MODELS:
        assert not model._default_manager.filter(owner=willow, is_example=False).exists()
    export = selectors.toolkit_export_for(willow)
    assert all(e["note"].startswith("(Example)") or e["text"].startswith("(Example)")
               for e in export["journal_entries"])  # fmt: skip
    assert export["coping_plan"]["warning_signs"].startswith("(Example)")


def test_without_willow_the_demo_does_nothing(db: None) -> None:
    assert load_demo() == []


def test_the_demo_toolkit_shows_a_break_and_can_be_removed(
    willow: User, client_for: Callable[[User], Client]
) -> None:
    load_demo()
    client = client_for(willow)
    home = client.get(reverse("between_sessions:home")).content.decode()
    assert "Your therapist is away until" in home
    assert "Remove the examples" in home

    client.post(reverse("between_sessions:remove_examples"))

    assert rows(willow) == 0
    assert (
        "Remove the examples" not in client.get(reverse("between_sessions:home")).content.decode()
    )


def test_examples_the_member_edited_are_theirs_and_stay(
    willow: User, client_for: Callable[[User], Client]
) -> None:
    load_demo()
    client = client_for(willow)
    client.post(reverse("between_sessions:plan_edit"), {"warning_signs": "My own words now"})

    client.post(reverse("between_sessions:remove_examples"))

    assert rows(willow) == 1
    assert selectors.get_coping_plan(willow).warning_signs == "My own words now"


def test_delete_everything_removes_the_examples_too(
    willow: User, client_for: Callable[[User], Client]
) -> None:
    load_demo()

    client_for(willow).post(reverse("between_sessions:delete_everything"), {"confirm": "on"})

    assert rows(willow) == 0
