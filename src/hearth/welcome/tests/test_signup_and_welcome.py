"""Signing up asks for the guidelines; verifying signs the member in, in the same browser,
and they land on the welcome page -- once, whichever browser they verified in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember
from hearth.forum.models import Visibility
from hearth.forum.testing import MakeCategory
from hearth.welcome.models import GuidelinesAcceptance, GuidelinesVersion, Welcome
from hearth.welcome.selectors import current_guidelines
from hearth.welcome.services import publish_guidelines

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "quietfox",
    "display_name": "Quiet Fox",
    "email": "quietfox@example.org",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
    "guidelines_version": "1",
    "accepts_guidelines": "on",
}
WELCOME = reverse("welcome:welcome")


def _sign_up(client: Client, **changes: str) -> User:
    response = client.post(reverse("account_signup"), {**SIGNUP, **changes})
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username=SIGNUP["username"])


def _confirmation_path() -> str:
    run_due_tasks()
    match = re.search(r"/accounts/confirm-email/[^/\s]+/", str(mail.outbox[-1].body))
    assert match
    return match.group(0)


def _sign_in(client: Client) -> None:
    response = client.post(
        reverse("account_login"), {"login": SIGNUP["username"], "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


# --- Sign-up ------------------------------------------------------------------------------


def test_the_sign_up_form_shows_the_guidelines_and_asks_to_accept_them() -> None:
    page = Client().get(reverse("account_signup")).content.decode()

    region = page.split('class="guidelines-at-signup__text"', 1)[1].split("</form>", 1)[0]
    assert 'role="region" tabindex="0"' in region
    assert "Peer support, not a crisis service" in region
    assert 'href="/guidelines/" target="_blank"' in page
    assert 'name="guidelines_version" value="1"' in page
    assert "I have read the community guidelines and will follow them" in page
    # The guidelines come just before the box that accepts them.
    assert page.index("Peer support, not a crisis service") < page.index(
        'name="accepts_guidelines"'
    )


def test_sign_up_is_refused_without_accepting_and_keeps_what_was_typed() -> None:
    fields = {key: value for key, value in SIGNUP.items() if key != "accepts_guidelines"}

    response = Client().post(reverse("account_signup"), fields)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Please read the community guidelines above and tick the box" in page
    assert 'value="quietfox"' in page
    assert 'value="Quiet Fox"' in page
    assert 'value="quietfox@example.org"' in page
    assert not User.objects.filter(username="quietfox").exists()


def test_sign_up_records_the_accepted_version_and_a_welcome_owed() -> None:
    member = _sign_up(Client())

    acceptance = GuidelinesAcceptance.objects.get(member=member)
    assert acceptance.version.number == 1
    assert acceptance.at_sign_up
    welcome = Welcome.objects.get(member=member)
    assert welcome.shown_at is None


def test_a_version_published_while_the_form_was_open_is_asked_about_at_once() -> None:
    client = Client()
    first = current_guidelines()
    assert first is not None
    publish_guidelines(body=first.body + "\n\nMore.", what_changed="More.", published_by=None)

    member = _sign_up(client, guidelines_version="1")
    client.post(_confirmation_path())

    assert GuidelinesAcceptance.objects.get(member=member).version.number == 1
    response = client.get("/")
    assert response["Location"].startswith(reverse("welcome:accept"))


def test_an_unknown_version_comes_back_with_the_current_one_to_accept() -> None:
    response = Client().post(reverse("account_signup"), {**SIGNUP, "guidelines_version": "77"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "tell which version of the guidelines you read" in page
    assert 'name="guidelines_version" value="1"' in page
    assert not User.objects.filter(username="quietfox").exists()


def test_with_no_guidelines_published_sign_up_asks_nothing_of_them() -> None:
    GuidelinesVersion.objects.all().delete()
    fields = {key: value for key, value in SIGNUP.items() if "guidelines" not in key}

    member = _sign_up(Client(), **fields)

    assert not GuidelinesAcceptance.objects.filter(member=member).exists()
    assert Welcome.objects.filter(member=member).exists()


def test_a_taken_address_records_nothing_and_tells_nothing(make_member: MakeMember) -> None:
    make_member(username="existing", email="taken@example.org")

    response = Client().post(reverse("account_signup"), {**SIGNUP, "email": "taken@example.org"})

    assert response["Location"] == reverse("account_email_verification_sent")
    assert not Welcome.objects.exists()


# --- Verifying, and the welcome -----------------------------------------------------------


def test_verifying_in_the_same_browser_signs_in_and_lands_on_the_welcome_once() -> None:
    client = Client()
    member = _sign_up(client)

    confirmed = client.post(_confirmation_path())

    assert client.session["_auth_user_id"] == str(member.pk)
    landing = client.get(confirmed["Location"])
    assert landing["Location"] == WELCOME
    page = client.get(WELCOME)
    assert page.status_code == 200
    assert "Welcome to Hearth, Quiet Fox" in page.content.decode()
    assert Welcome.objects.get(member=member).shown_at is not None
    # Never twice: not on the next page, nor after signing in again.
    assert client.get("/").status_code == 200
    client.post(reverse("account_logout"))
    _sign_in(client)
    assert client.get("/").status_code == 200


def test_verifying_in_another_browser_signs_in_normally_and_welcomes_once() -> None:
    signed_up_here, verified_there = Client(), Client()
    member = _sign_up(signed_up_here)

    confirmed = verified_there.post(_confirmation_path())

    assert "_auth_user_id" not in verified_there.session
    assert confirmed.status_code == 302
    _sign_in(verified_there)
    first_page = verified_there.get("/c/somewhere/")
    assert first_page["Location"] == f"{WELCOME}?next=%2Fc%2Fsomewhere%2F"
    assert verified_there.get(first_page["Location"]).status_code == 200
    assert verified_there.get("/").status_code == 200
    # The first browser signs in later: the welcome was shown already.
    _sign_in(signed_up_here)
    assert signed_up_here.get("/").status_code == 200
    assert Welcome.objects.get(member=member).shown_at is not None


def test_skip_takes_the_member_to_the_forum_and_the_welcome_does_not_come_back() -> None:
    client = Client()
    _sign_up(client)
    client.post(_confirmation_path())

    page = client.get(f"{WELCOME}?next=/c/somewhere/").content.decode()

    skip = re.search(r'<a href="([^"]+)" class="welcome-skip">Skip, take me to the forum</a>', page)
    assert skip
    assert skip.group(1) == "/c/somewhere/"
    assert client.get("/").status_code == 200


def test_the_welcome_says_what_hearth_is_and_is_not_with_the_moderation_hours(
    member_client: Client, settings: Settings
) -> None:
    settings.HEARTH_MODERATION_HOURS = "mon-fri 09:00-17:00"

    page = member_client.get(WELCOME).content.decode()

    assert "peer-support community for people in long-term therapy" in page
    assert "It is not a crisis service, and it is not therapy." in page
    assert "call your local emergency number" in page
    assert "Moderators are on duty Mon-Fri 09:00-17:00" in page
    for name in [
        "safety:content_note_preferences",
        "accounts:mutes",
        "between_sessions:home",
        "between_sessions:plan",
        "welcome:guidelines",
    ]:
        assert f'href="{reverse(name)}"' in page, name


def test_the_welcome_invites_introductions_where_an_administrator_said(
    member_client: Client, make_category: MakeCategory, settings: Settings
) -> None:
    category = make_category("Introductions", slug="hello")
    assert "Introduce yourself" not in member_client.get(WELCOME).content.decode()

    settings.HEARTH_INTRODUCTIONS_CATEGORY = "hello"
    page = member_client.get(WELCOME).content.decode()

    assert f'<a href="{category.get_absolute_url()}" class="button">Introduce yourself</a>' in page


@pytest.mark.parametrize("slug", ["moderators-only", "no-such-category"])
def test_no_introductions_link_to_a_category_the_member_cannot_see(
    member_client: Client, make_category: MakeCategory, settings: Settings, slug: str
) -> None:
    make_category("Moderators", slug="moderators-only", visibility=Visibility.MODERATORS)
    settings.HEARTH_INTRODUCTIONS_CATEGORY = slug

    page = member_client.get(WELCOME).content.decode()

    assert "Introduce yourself" not in page
    assert "Moderators</" not in page


def test_members_made_without_the_sign_up_form_are_owed_no_welcome(
    member_client: Client,
) -> None:
    assert member_client.get("/").status_code == 200


def test_visitors_are_asked_to_sign_in_for_the_welcome() -> None:
    response = Client().get(WELCOME)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
