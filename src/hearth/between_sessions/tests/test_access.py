"""Who can reach what: the toolkit is its owner's alone, by construction.

Personas: the owner, another member, a moderator, an administrator (staff
superuser) and an anonymous visitor. Every address that names an object is
404 for everyone but its owner; every address without one shows the
viewer their *own* toolkit, never the owner's; anonymous visitors are sent
to sign in. A test also checks that every URL of the app is in this matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from hearth.accounts.models import User
from hearth.between_sessions import selectors
from hearth.between_sessions import urls as toolkit_urls
from hearth.between_sessions.tests.conftest import MARKER, FilledToolkit

pytestmark = pytest.mark.django_db

NON_OWNERS = ["other_member", "moderator", "administrator"]

# (url name, the object it names, POST data that the owner could validly send)
OBJECT_GETS: list[tuple[str, str]] = [
    ("entry", "entry"),
    ("entry_edit", "entry"),
    ("entry_delete", "entry"),
    ("member_card", "card"),
    ("member_card_edit", "card"),
    ("member_card_delete", "card"),
    ("session_note_edit", "note"),
    ("break_edit", "therapist_break"),
    ("break_delete", "therapist_break"),
    ("break_check_ins", "therapist_break"),
]
OBJECT_POSTS: list[tuple[str, str, dict[str, Any]]] = [
    ("entry_edit", "check_in", {"feeling_1": "glad", "intensity_1": "2", "note": "taken over"}),
    ("entry_bring", "entry", {"bring": "0"}),
    ("entry_discussed", "entry", {"discussed": "1"}),
    ("entry_delete", "entry", {}),
    ("session_note_edit", "note", {"text": "taken over"}),
    ("session_note_discussed", "note", {"discussed": "1"}),
    ("session_note_delete", "note", {}),
    ("member_card_edit", "card", {"kind": "coping", "front": "taken over"}),
    ("member_card_pin", "card", {"pinned": "1"}),
    ("member_card_delete", "card", {}),
    ("break_edit", "therapist_break", {"kind": "other", "starts_on": "2026-01-01"}),
    ("break_delete", "therapist_break", {}),
    ("break_check_ins_withdraw", "therapist_break", {}),
]
COLLECTION_GETS: list[tuple[str, list[str]]] = [
    ("home", []),
    ("search", []),
    ("check_in", []),
    ("entries", []),
    ("entry_new", []),
    ("entry_calendar", []),
    ("entry_chart", []),
    ("next_session", []),
    ("next_session_discussed", []),
    ("next_session_print", []),
    ("next_session_text", []),
    ("plan", []),
    ("plan_edit", []),
    ("plan_print", []),
    ("cards", []),
    ("member_card_new", []),
    ("built_in_card", ["breathing"]),
    ("breaks", []),
    ("break_new", []),
    ("export", []),
    ("export_json", []),
    ("export_print", []),
    ("delete_everything", []),
]
COLLECTION_POSTS: list[tuple[str, list[str], dict[str, Any]]] = [
    ("check_in", [], {"feeling_1": "calm", "intensity_1": "3"}),
    ("entry_new", [], {"text": "mine"}),
    ("session_note_add", [], {"section": "questions", "text": "mine"}),
    ("session_note_excerpt", [], {"post": "1"}),
    ("next_session_date", [], {"session_on": "2030-01-01"}),
    ("plan_edit", [], {"warning_signs": "mine"}),
    ("plan_reviewed", [], {}),
    ("built_in_card_pin", ["breathing"], {"pinned": "1"}),
    ("member_card_new", [], {"kind": "coping", "front": "mine"}),
    ("break_new", [], {"kind": "holiday", "starts_on": "2030-01-01"}),
    ("delete_everything", [], {"confirm": "on"}),
    ("remove_examples", [], {}),
]
# The one page that is the same for everyone and holds nothing: where "Leave quickly" goes.
PUBLIC_NEUTRAL_PAGE = "neutral"


def _object_url(filled: FilledToolkit, name: str, attribute: str) -> str:
    return reverse(f"between_sessions:{name}", args=[getattr(filled, attribute).pk])


@pytest.fixture
def persona(request: pytest.FixtureRequest) -> User:
    user: User = request.getfixturevalue(request.param)
    return user


def test_every_toolkit_address_is_in_the_access_matrix() -> None:
    names = {
        pattern.name for pattern in toolkit_urls.urlpatterns if isinstance(pattern, URLPattern)
    }
    covered = (
        {name for name, _ in OBJECT_GETS}
        | {name for name, _, _ in OBJECT_POSTS}
        | {name for name, _ in COLLECTION_GETS}
        | {name for name, _, _ in COLLECTION_POSTS}
        | {PUBLIC_NEUTRAL_PAGE}
    )

    assert names == covered


@pytest.mark.parametrize(("name", "attribute"), OBJECT_GETS)
def test_the_owner_can_open_each_of_their_things(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client], name: str, attribute: str
) -> None:
    response = client_for(filled_toolkit.owner).get(_object_url(filled_toolkit, name, attribute))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("persona", NON_OWNERS, indirect=True)
@pytest.mark.parametrize(("name", "attribute"), OBJECT_GETS)
def test_nobody_else_can_open_the_owners_things(
    filled_toolkit: FilledToolkit,
    client_for: Callable[[User], Client],
    persona: User,
    name: str,
    attribute: str,
) -> None:
    response = client_for(persona).get(_object_url(filled_toolkit, name, attribute))

    assert response.status_code == 404
    assert MARKER not in response.content.decode()


@pytest.mark.parametrize("persona", NON_OWNERS, indirect=True)
@pytest.mark.parametrize(("name", "attribute", "data"), OBJECT_POSTS)
def test_nobody_else_can_change_or_delete_the_owners_things(
    filled_toolkit: FilledToolkit,
    client_for: Callable[[User], Client],
    persona: User,
    name: str,
    attribute: str,
    data: dict[str, Any],
) -> None:
    before = selectors.toolkit_export_for(filled_toolkit.owner)

    response = client_for(persona).post(_object_url(filled_toolkit, name, attribute), data)

    assert response.status_code == 404
    after = selectors.toolkit_export_for(filled_toolkit.owner)
    assert {**after, "exported_at": None} == {**before, "exported_at": None}


@pytest.mark.parametrize(("name", "attribute", "data"), OBJECT_POSTS)
def test_the_owner_can_change_their_things(
    filled_toolkit: FilledToolkit,
    client_for: Callable[[User], Client],
    name: str,
    attribute: str,
    data: dict[str, Any],
) -> None:
    response = client_for(filled_toolkit.owner).post(
        _object_url(filled_toolkit, name, attribute), data
    )

    assert response.status_code == 302


@pytest.mark.parametrize("persona", ["owner", *NON_OWNERS], indirect=True)
@pytest.mark.parametrize(("name", "args"), COLLECTION_GETS)
def test_each_page_shows_the_viewer_only_their_own_toolkit(
    filled_toolkit: FilledToolkit,
    client_for: Callable[[User], Client],
    persona: User,
    name: str,
    args: list[str],
) -> None:
    response = client_for(persona).get(reverse(f"between_sessions:{name}", args=args))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    shows_marker = MARKER in response.content.decode()
    if persona == filled_toolkit.owner and name in {
        "home", "entries", "next_session", "next_session_print", "next_session_text", "plan",
        "plan_edit", "plan_print", "cards", "breaks", "export_json", "export_print",
    }:  # fmt: skip
        assert shows_marker
    if persona != filled_toolkit.owner:
        assert not shows_marker


@pytest.mark.parametrize("persona", NON_OWNERS, indirect=True)
@pytest.mark.parametrize(("name", "args", "data"), COLLECTION_POSTS)
def test_what_others_do_in_their_own_toolkit_never_touches_the_owners(
    filled_toolkit: FilledToolkit,
    client_for: Callable[[User], Client],
    fake_providers: object,
    persona: User,
    name: str,
    args: list[str],
    data: dict[str, Any],
) -> None:
    before = selectors.toolkit_export_for(filled_toolkit.owner)

    response = client_for(persona).post(reverse(f"between_sessions:{name}", args=args), data)

    assert response.status_code in {302, 400}
    after = selectors.toolkit_export_for(filled_toolkit.owner)
    assert {**after, "exported_at": None} == {**before, "exported_at": None}


def _every_address(filled: FilledToolkit) -> list[tuple[str, str]]:
    addresses = [("get", _object_url(filled, name, attribute)) for name, attribute in OBJECT_GETS]
    addresses += [
        ("post", _object_url(filled, name, attribute)) for name, attribute, _ in OBJECT_POSTS
    ]
    addresses += [
        ("get", reverse(f"between_sessions:{name}", args=args)) for name, args in COLLECTION_GETS
    ]
    addresses += [
        ("post", reverse(f"between_sessions:{name}", args=args))
        for name, args, _ in COLLECTION_POSTS
    ]
    return addresses


def test_anonymous_visitors_are_sent_to_sign_in_from_every_address(
    filled_toolkit: FilledToolkit,
) -> None:
    client = Client()
    for method, url in _every_address(filled_toolkit):
        response = getattr(client, method)(url)

        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login") + "?next="), url
    assert len(selectors.toolkit_export_for(filled_toolkit.owner)["journal_entries"]) == 2


def test_the_neutral_page_is_the_same_blank_page_for_everyone(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    url = reverse("between_sessions:neutral")
    anonymous = Client().get(url)
    signed_in = client_for(filled_toolkit.owner).get(url)

    assert anonymous.status_code == signed_in.status_code == 200
    for response in (anonymous, signed_in):
        page = response.content.decode()
        assert "<title>Notes</title>" in page
        assert MARKER not in page
        assert "site-header" not in page
        assert "no-store" in response["Cache-Control"]
