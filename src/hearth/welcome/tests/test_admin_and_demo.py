"""Administrators publish new versions in the admin (never edit one); the demo members have
accepted the guidelines in force; a member's export says what they accepted."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from hearth.accounts.demo import DEMO_MEMBERS, create_demo_members
from hearth.accounts.models import Role, User
from hearth.core.testing import ClientFor, MakeMember
from hearth.welcome.demo import accept_guidelines_for_demo_members
from hearth.welcome.models import GuidelinesAcceptance, GuidelinesVersion
from hearth.welcome.selectors import accepted_number, current_guidelines, guidelines_record_of

pytestmark = pytest.mark.django_db

ADMIN = f"/{settings.HEARTH_ADMIN_PATH}welcome/guidelinesversion/"


@pytest.fixture
def admin_client(make_member: MakeMember, client_for: ClientFor) -> tuple[User, Client]:
    administrator = make_member(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    return administrator, client_for(administrator)


def test_an_administrator_publishes_a_new_version_from_the_text_in_force(
    admin_client: tuple[User, Client],
) -> None:
    administrator, client = admin_client
    first = current_guidelines()
    assert first is not None

    form = client.get(f"{ADMIN}add/").content.decode()
    response = client.post(
        f"{ADMIN}add/",
        {"body": first.body + "\n\n# Endings\n\nEndings are hard.", "what_changed": "Endings."},
    )

    assert "Peer support, not a crisis service" in form  # the text in force, to start from
    assert response.status_code == 302
    second = GuidelinesVersion.objects.get(number=2)
    assert second.published_by == administrator
    assert "<h3>Endings</h3>" in second.body_html
    assert accepted_number(administrator) == 2
    assert "Endings." in client.get(ADMIN).content.decode()


def test_the_admin_refuses_the_same_text_or_no_note_of_what_changed(
    admin_client: tuple[User, Client],
) -> None:
    _administrator, client = admin_client
    first = current_guidelines()
    assert first is not None

    same = client.post(f"{ADMIN}add/", {"body": first.body, "what_changed": "Nothing."})
    unexplained = client.post(f"{ADMIN}add/", {"body": "# New\n\nNew.", "what_changed": "  "})

    assert same.status_code == 200
    assert "This is the text already in force" in same.content.decode()
    assert unexplained.status_code == 200
    assert GuidelinesVersion.objects.count() == 1


def test_a_published_version_cannot_be_changed_or_deleted_in_the_admin(
    admin_client: tuple[User, Client],
) -> None:
    _administrator, client = admin_client
    first = current_guidelines()
    assert first is not None
    text = first.body

    page = client.get(f"{ADMIN}{first.pk}/change/")
    changed = client.post(
        f"{ADMIN}{first.pk}/change/", {"body": "Changed.", "what_changed": "Sneaky."}
    )
    deleted = client.post(f"{ADMIN}{first.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200  # readable
    assert 'name="_save"' not in page.content.decode()
    assert changed.status_code == 403
    assert deleted.status_code == 403
    first.refresh_from_db()
    assert first.body == text


def test_the_demo_members_have_accepted_the_guidelines_in_force() -> None:
    create_demo_members()

    lines = accept_guidelines_for_demo_members()
    accept_guidelines_for_demo_members()  # idempotent

    assert lines
    demo = User.objects.filter(username__in=[name for name, _, _ in DEMO_MEMBERS])
    assert demo.count() == len(DEMO_MEMBERS)
    for member in demo:
        assert GuidelinesAcceptance.objects.filter(member=member, version__number=1).count() == 1


def test_the_export_says_which_versions_a_member_accepted(member: User) -> None:
    record = guidelines_record_of(member)

    assert [entry["version"] for entry in record["community_guidelines_accepted"]] == [1]  # type: ignore[attr-defined]  # a list of dicts
    assert record["welcome_page_shown_at"] is None
