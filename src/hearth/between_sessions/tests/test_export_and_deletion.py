"""A member can take all of their toolkit with them, and delete all of it."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.between_sessions import services
from hearth.between_sessions.models import TOOLKIT_MODELS
from hearth.between_sessions.tests.conftest import (
    MARKER,
    FakeProviders,
    FilledToolkit,
    fill_toolkit,
)
from hearth.core.providers import PostExcerpt

pytestmark = pytest.mark.django_db


def rows_of(member: User) -> int:
    return sum(model._default_manager.filter(owner=member).count() for model in TOOLKIT_MODELS)


def test_the_json_export_contains_every_item(
    filled_toolkit: FilledToolkit,
    client_for: Callable[[User], Client],
    fake_providers: FakeProviders,
) -> None:
    owner = filled_toolkit.owner
    fake_providers.excerpts[(owner.pk, 5)] = PostExcerpt(5, f"Thread {MARKER}", "Text", True)
    excerpt, _is_new = services.add_forum_excerpt(owner=owner, post_id=5)
    services.mark_session_note_discussed(note=filled_toolkit.note, discussed=True)

    response = client_for(owner).get(reverse("between_sessions:export_json"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["format"] == "hearth-toolkit"
    assert {entry["id"] for entry in data["journal_entries"]} == {
        filled_toolkit.check_in.pk, filled_toolkit.entry.pk,
    }  # fmt: skip
    entry = next(e for e in data["journal_entries"] if e["id"] == filled_toolkit.entry.pk)
    assert entry["text"] == f"entry text {MARKER}"
    assert entry["feelings"][0] == {"feeling": "hurt.abandoned", "intensity": 8,
                                    "label": "Hurt: left behind"}  # fmt: skip
    assert entry["helpful_cards"] == ["builtin:breathing", filled_toolkit.card.ref]
    assert {note["id"] for note in data["session_notes"]} == {filled_toolkit.note.pk, excerpt.pk}
    assert data["next_session_on"] is not None
    assert data["coping_plan"]["what_matters"] == f"matters {MARKER}"
    assert {card["id"] for card in data["cards"]} == {
        filled_toolkit.card.pk,
        filled_toolkit.words.pk,
    }
    assert [b["id"] for b in data["therapist_breaks"]] == [filled_toolkit.therapist_break.pk]
    # Every row of the toolkit is somewhere in the export.
    exported = (
        len(data["journal_entries"]) + len(data["session_notes"]) + len(data["cards"])
        + len(data["therapist_breaks"]) + 1 + 1  # the plan and the next-session date
    )  # fmt: skip
    assert exported == rows_of(owner)


def test_the_printable_export_shows_every_text(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    page = client_for(filled_toolkit.owner).get(reverse("between_sessions:export_print"))

    text = page.content.decode()
    for expected in [
        "check-in note", "entry text", "trigger detail", "what helped", "question",
        "card front", "card words", "card action", "words ", "warning", "on my own",
        "distraction", "person", "arrangement", "service", "safer", "matters",
        "break plan", "break people", "break ",
    ]:  # fmt: skip
        assert f"{expected} {MARKER}".replace("  ", " ") in text, expected
    assert "site-header" not in text


def test_deleting_everything_needs_a_confirmation(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    response = client_for(filled_toolkit.owner).post(reverse("between_sessions:delete_everything"))

    assert response.status_code == 400
    assert "Tick the box to confirm" in response.content.decode()
    assert rows_of(filled_toolkit.owner) > 0


def test_deleting_everything_leaves_no_row_behind_and_touches_nobody_else(
    filled_toolkit: FilledToolkit, other_member: User, client_for: Callable[[User], Client]
) -> None:
    fill_toolkit(other_member, marker="someone else's")
    others_rows = rows_of(other_member)

    response = client_for(filled_toolkit.owner).post(
        reverse("between_sessions:delete_everything"), {"confirm": "on"}
    )

    assert response.status_code == 302
    assert rows_of(filled_toolkit.owner) == 0
    assert others_rows > 0
    assert rows_of(other_member) == others_rows


def test_deleting_the_account_deletes_the_whole_toolkit(filled_toolkit: FilledToolkit) -> None:
    owner_pk = filled_toolkit.owner.pk

    filled_toolkit.owner.delete()

    for model in TOOLKIT_MODELS:
        assert not model._default_manager.filter(owner_id=owner_pk).exists(), model.__name__
