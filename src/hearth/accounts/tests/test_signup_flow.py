"""Signing up, verifying the address, signing in and out, over HTTP."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember

pytestmark = pytest.mark.django_db

SIGNUP = {
    "username": "quietfox",
    "display_name": "Quiet Fox",
    "email": "quietfox@example.org",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
    "accepts_guidelines": "on",
}


def _confirmation_path(message_body: str) -> str:
    match = re.search(r"/accounts/confirm-email/[^/\s]+/", message_body)
    assert match, message_body
    return match.group(0)


def test_a_new_member_signs_up_verifies_signs_in_and_out() -> None:
    client = Client()

    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    member = User.objects.get(username="quietfox")
    assert member.display_name == "Quiet Fox"
    assert not mail.outbox  # the worker sends it: the request never waits for the mail server
    run_due_tasks()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["quietfox@example.org"]
    # Hearth's own sender and words, not the library's stock "Hello from <domain>".
    assert mail.outbox[0].from_email.startswith("Hearth <")
    assert str(mail.outbox[0].body).startswith("Hello from Hearth,")
    assert "testserver" not in str(mail.outbox[0].body).split("http://")[0]

    # Not verified yet: signing in sends the member back to the verification step.
    client.post(reverse("account_logout"))
    response = client.post(
        reverse("account_login"), {"login": "quietfox", "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    run_due_tasks()
    confirm_path = _confirmation_path(str(mail.outbox[-1].body))
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=member).verified
    # Confirmed in the browser that signed up: signed in, and welcomed once (hearth.welcome).
    assert client.session["_auth_user_id"] == str(member.pk)
    assert client.get(reverse("home"))["Location"] == reverse("welcome:welcome")
    assert client.get(reverse("welcome:welcome")).status_code == 200
    client.post(reverse("account_logout"))

    response = client.post(
        reverse("account_login"), {"login": "quietfox@example.org", "password": SIGNUP["password1"]}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(member.pk)
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_signing_in_works_by_username_and_by_email(make_member: MakeMember) -> None:
    member = make_member(username="tern", email="tern@example.org")
    for login in ("tern", "tern@example.org"):
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": login, "password": "correct horse battery staple"}
        )
        assert response.status_code == 302, login
        assert client.session["_auth_user_id"] == str(member.pk)


def test_the_signup_page_asks_for_a_pseudonym_and_says_it_is_not_a_crisis_service() -> None:
    page = Client().get(reverse("account_signup")).content.decode()

    assert "not your real name" in page
    assert "not a crisis service" in page


def test_signing_up_with_a_taken_address_does_not_reveal_the_account(
    make_member: MakeMember,
) -> None:
    make_member(username="existing", email="taken@example.org")
    client = Client()

    response = client.post(reverse("account_signup"), {**SIGNUP, "email": "taken@example.org"})

    # Enumeration prevention: the same "check your inbox" step as for a new address.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not User.objects.filter(username="quietfox").exists()


def test_password_reset_mails_a_link_only_to_known_addresses(make_member: MakeMember) -> None:
    make_member(username="heron", email="heron@example.org")
    client = Client()

    for address in ("heron@example.org", "nobody@example.org"):
        response = client.post(reverse("account_reset_password"), {"email": address})
        assert response.status_code == 302
    run_due_tasks()

    reset_links = {
        message.to[0]: "/accounts/password/reset/key/" in message.body for message in mail.outbox
    }
    assert reset_links["heron@example.org"] is True
    assert reset_links.get("nobody@example.org", False) is False


def test_account_emails_speak_in_hearths_own_words(make_member: MakeMember) -> None:
    make_member(username="heron", email="heron@example.org")

    for address in ("heron@example.org", "nobody@example.org"):
        Client().post(reverse("account_reset_password"), {"email": address})
    run_due_tasks()

    bodies = {message.to[0]: str(message.body) for message in mail.outbox}
    assert "To choose a new password for Hearth, open this link:" in bodies["heron@example.org"]
    for body in bodies.values():
        assert body.startswith("Hello from Hearth,")
        assert "You're receiving this email" not in body
        assert "You are receiving this email" not in body
