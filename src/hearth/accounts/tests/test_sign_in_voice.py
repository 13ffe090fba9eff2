"""The sign-in pages and their mail speak in Hearth's voice (issue 18).

Every allauth page Hearth exposes is rendered through its real flow: headings in
sentence case, no "contact us" without saying who; every mail allauth sends here
goes through the real flow too, from HEARTH_SITE_NAME's sender, in Hearth's words.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

import hearth
from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import TEST_PASSWORD, MakeMember
from hearth.settings.mail import default_sender

pytestmark = pytest.mark.django_db

PROJECT_ROOT = Path(hearth.__file__).resolve().parents[2]

SIGNUP = {
    "username": "quietfox",
    "display_name": "Quiet Fox",
    "email": "quietfox@example.org",
    "password1": "a long enough passphrase",
    "password2": "a long enough passphrase",
    "accepts_guidelines": "on",
}
MFA_SECRET = "JBSWY3DPEHPK3PXP"


class _Headings(HTMLParser):
    """Collect the page's title and h1-h3 texts."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._open: str | None = None
        self._parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"title", "h1", "h2", "h3"}:
            self._open, self._parts = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            text = " ".join("".join(self._parts).split())
            if tag == "title":  # "Sign in · Hearth": the page's own part
                text = text.rsplit(" · ", 1)[0]
            self.texts.append(text)
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._parts.append(data)


def _text(response: HttpResponseBase) -> str:
    assert isinstance(response, HttpResponse), response
    return response.content.decode()


def _headings(response: HttpResponseBase) -> list[str]:
    parser = _Headings()
    parser.feed(_text(response))
    return parser.texts


def _is_sentence_case(heading: str) -> bool:
    """Only the first word, "I" and the community's name start with a capital."""
    proper = {"I", *str(settings.HEARTH_SITE_NAME).split()}
    words = re.findall(r"[^\W\d_][\w'\u2019-]*", heading)
    return all(word[0].islower() or word in proper for word in words[1:])


def _h1(response: HttpResponseBase) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", _text(response), re.DOTALL)
    assert match, _text(response)
    return " ".join(re.sub(r"<[^>]+>", "", match.group(1)).split())


def _signed_in(member: User) -> Client:
    """Sign in through allauth's own form, as a member does."""
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": member.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()
    assert client.session.get("_auth_user_id") == str(member.pk)
    return client


def _link(body: str, path_start: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(path_start)}\S*)", body)
    assert match, body
    return match.group(1)


def _signed_out_pages(make_member: MakeMember) -> Iterator[tuple[str, HttpResponseBase]]:
    visitor = Client()
    for name in (
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
        "account_inactive",
        "account_reset_password_from_key_done",
    ):
        yield name, visitor.get(reverse(name))
    with override_settings(HEARTH_SIGNUP_OPEN=False):
        yield "signup closed", visitor.get(reverse("account_signup"))

    # A real sign-up's confirmation link, and one that leads nowhere.
    newcomer = Client()
    newcomer.post(reverse("account_signup"), SIGNUP)
    run_due_tasks()
    confirm_path = _link(str(mail.outbox[-1].body), "/accounts/confirm-email/")
    yield "confirm email", newcomer.get(confirm_path)
    yield "confirm email, unknown key", visitor.get("/accounts/confirm-email/not-a-key/")

    # A real reset link: allauth moves the key into the session, then shows the form.
    heron = make_member(username="heron", email="heron@example.org")
    resetter = Client()
    resetter.post(reverse("account_reset_password"), {"email": heron.email})
    run_due_tasks()
    reset_path = _link(str(mail.outbox[-1].body), "/accounts/password/reset/key/")
    yield "reset from key", resetter.get(reset_path, follow=True)
    yield "reset from key, bad link", visitor.get("/accounts/password/reset/key/1-not-a-key/")

    # The second step of signing in with two-factor authentication.
    guarded = make_member(username="wren")
    TOTP.activate(guarded, MFA_SECRET)
    RecoveryCodes.activate(guarded)
    two_step = Client()
    response = two_step.post(reverse("account_login"), {"login": "wren", "password": TEST_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    yield "mfa_authenticate", two_step.get(reverse("mfa_authenticate"))


def _member_pages(make_member: MakeMember) -> Iterator[tuple[str, HttpResponseBase]]:
    member = make_member(username="tern", display_name="Tern at Dusk")
    client = _signed_in(member)
    for name in (
        "account_logout",
        "account_email",
        "account_change_password",
        "account_reauthenticate",
        "account_reset_password",
        "mfa_index",
    ):
        yield name, client.get(reverse(name))
    yield (
        "account_request_reauthentication_code",
        client.get(reverse("account_request_reauthentication_code")),
    )
    client.post(reverse("account_request_reauthentication_code"), {"recipient": member.email})
    yield (
        "account_confirm_reauthentication_code",
        client.get(reverse("account_confirm_reauthentication_code")),
    )
    _recently_signed_in(client)  # allauth asks again before two-factor changes
    yield "mfa_activate_totp", client.get(reverse("mfa_activate_totp"))

    without_password = make_member(username="plover")
    without_password.set_unusable_password()
    without_password.save(update_fields=["password"])
    keyless = Client()
    keyless.force_login(without_password)
    yield "account_set_password", keyless.get(reverse("account_set_password"))

    guarded = make_member(username="kite")
    TOTP.activate(guarded, MFA_SECRET)
    RecoveryCodes.activate(guarded)
    guarded_client = Client()
    guarded_client.force_login(guarded)  # signed in, but not recently: asked again
    yield "mfa_reauthenticate", guarded_client.get(reverse("mfa_reauthenticate"))
    yield "reauthenticate with mfa", guarded_client.get(reverse("account_reauthenticate"))
    _recently_signed_in(guarded_client)
    for name in ("mfa_index", "mfa_deactivate_totp", "mfa_view_recovery_codes"):
        yield name, guarded_client.get(reverse(name))
    yield "mfa_generate_recovery_codes", guarded_client.get(reverse("mfa_generate_recovery_codes"))


def _recently_signed_in(client: Client) -> None:
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()


def _all_pages(make_member: MakeMember) -> Iterator[tuple[str, HttpResponseBase]]:
    yield from _signed_out_pages(make_member)
    yield from _member_pages(make_member)


def test_every_sign_in_page_has_sentence_case_headings_and_no_contact_us(
    make_member: MakeMember,
) -> None:
    seen = []
    for name, response in _all_pages(make_member):
        assert response.status_code == 200, (name, response.status_code)
        page = _text(response)
        headings = _headings(response)
        assert headings, name
        for heading in headings:
            assert heading, (name, headings)
            assert _is_sentence_case(heading), (name, heading)
        assert "contact us" not in page.lower(), name
        seen.append(name)
    assert len(seen) == 29


@pytest.mark.parametrize(
    ("url_name", "heading"),
    [
        ("account_login", "Sign in"),
        ("account_reset_password", "Reset your password"),
        ("account_reset_password_done", "Check your email"),
        ("account_email_verification_sent", "Check your email"),
        ("account_inactive", "This account is closed"),
    ],
)
def test_the_entrance_pages_say_what_they_are_for(url_name: str, heading: str) -> None:
    response = Client().get(reverse(url_name))

    assert _h1(response) == heading


def test_where_allauth_said_contact_us_a_visitor_is_told_plainly_who_to_ask() -> None:
    visitor = Client()
    for url_name in (
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
        "account_inactive",
    ):
        page = visitor.get(reverse(url_name)).content.decode()
        # Signed out, nobody can write to the moderators: the people who run the site can help.
        assert "ask the people who run Hearth" in page, url_name
        assert reverse("moderation:write") not in page, url_name


def test_a_signed_in_member_is_pointed_to_the_moderators(make_member: MakeMember) -> None:
    client = _signed_in(make_member())

    page = client.get(reverse("account_reset_password")).content.decode()

    assert f'href="{reverse("moderation:write")}"' in page
    assert "Write to the moderators" in page


def test_verified_email_required_page_names_who_to_ask() -> None:
    # No Hearth route uses allauth's verified_email_required decorator yet; the page is
    # still Hearth's, should one start to.
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    page = render_to_string("account/verified_email_required.html", request=request)

    assert "contact us" not in page.lower()
    assert "ask the people who run Hearth" in page
    assert "<h1>Confirm your email address</h1>" in page


def test_signed_in_as_shows_the_display_name_not_the_username(make_member: MakeMember) -> None:
    member = make_member(username="tern", display_name="Tern at Dusk")
    client = Client()

    response = client.post(
        reverse("account_login"), {"login": "tern", "password": TEST_PASSWORD}, follow=True
    )

    page = response.content.decode()
    assert "Signed in as Tern at Dusk." in page
    assert "as tern" not in page
    # ... and where allauth says so on a page.
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "You are already signed in as Tern at Dusk." in page
    assert member.username not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_the_confirmation_page_names_the_account_by_its_display_name() -> None:
    newcomer = Client()
    newcomer.post(reverse("account_signup"), SIGNUP)
    run_due_tasks()

    page = newcomer.get(_link(str(mail.outbox[-1].body), "/accounts/confirm-email/"))

    text = page.content.decode()
    assert "Quiet Fox" in text
    assert "for user quietfox" not in text


# Mail --------------------------------------------------------------------------------

# Each mail allauth sends in Hearth's configuration (account notifications are off):
# subject without the "[Hearth] " prefix, and a sentence only Hearth's text has.
EXPECTED_MAIL = {
    "signup": ("Confirm your email address", "Welcome to Hearth. To finish joining"),
    "another address": ("Confirm your email address", "To confirm this email address"),
    "reset": ("Reset your password", "To choose a new password for Hearth"),
    "reset, no account": ("Someone asked to reset a password", "but no account uses it"),
    "address has an account": ("This address already has an account", "already has an account"),
    "username taken": ("That username is taken", "already belongs to another member"),
    "code to confirm it's you": ("Your code", "Here is the code you asked for"),
}


def _mail_from_each_flow(make_member: MakeMember) -> dict[str, mail.EmailMessage]:
    sent: dict[str, mail.EmailMessage] = {}

    def collect(flow: str) -> None:
        run_due_tasks()
        assert len(mail.outbox) == 1, (flow, [m.subject for m in mail.outbox])
        sent[flow] = mail.outbox.pop()

    Client().post(reverse("account_signup"), SIGNUP)
    collect("signup")

    member = make_member(username="heron", email="heron@example.org")
    client = _signed_in(member)
    client.post(reverse("account_email"), {"action_add": "", "email": "heron@example.net"})
    collect("another address")

    client.post(reverse("account_request_reauthentication_code"), {"recipient": member.email})
    collect("code to confirm it's you")

    Client().post(reverse("account_reset_password"), {"email": "heron@example.org"})
    collect("reset")

    Client().post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    collect("reset, no account")

    taken_address = {**SIGNUP, "username": "someoneelse", "email": "heron@example.org"}
    Client().post(reverse("account_signup"), taken_address)
    collect("address has an account")

    taken_username = {**SIGNUP, "username": "heron", "email": "new@example.org"}
    Client().post(reverse("account_signup"), taken_username)
    collect("username taken")
    return sent


def test_every_account_mail_is_hearths_from_its_sender_under_its_name(
    make_member: MakeMember,
) -> None:
    sent = _mail_from_each_flow(make_member)

    assert sent.keys() == EXPECTED_MAIL.keys()
    host = urlsplit(settings.SITE_URL).hostname
    for flow, message in sent.items():
        subject, sentence = EXPECTED_MAIL[flow]
        assert message.subject == f"[Hearth] {subject}", flow
        assert _is_sentence_case(subject), flow
        assert message.from_email == f"Hearth <noreply@{host}>", flow
        body = str(message.body)
        assert body.startswith("Hello from Hearth,"), flow
        assert sentence in body, (flow, body)
        # Not the library's text, nor the host standing in for the community's name.
        for stock in ("You're receiving this", "Thank you for using", "example.com"):
            assert stock not in body, (flow, stock)
        assert "testserver" not in re.sub(r"https?://\S+", "", body), (flow, body)
        assert "contact us" not in body.lower(), flow


def test_the_sender_is_the_community_name_at_a_no_reply_address() -> None:
    assert default_sender("Hearth", "hearth.example.org") == "Hearth <noreply@hearth.example.org>"
    # A name with a comma or quotes stays one sender, not two broken addresses.
    assert default_sender("Oak, Leeds", "example.org") == '"Oak, Leeds" <noreply@example.org>'
    assert default_sender('The "Oak"', "example.org") == '"The \\"Oak\\"" <noreply@example.org>'


def _mail_settings_with(environment: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    """DEFAULT_FROM_EMAIL and the subject prefix, as the settings read them at start-up."""
    kept = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}}
    code = (
        "import json; from hearth.settings import base as s; "
        "print(json.dumps([s.DEFAULT_FROM_EMAIL, s.ACCOUNT_EMAIL_SUBJECT_PREFIX]))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", code],
        env=kept
        | {"PYTHONPATH": str(PROJECT_ROOT / "src"), "HEARTH_DATA_DIR": str(tmp_path)}
        | environment,
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    sender, prefix = json.loads(result.stdout)
    return sender, prefix


def test_the_sender_and_subjects_take_the_configured_name_not_the_host(tmp_path: Path) -> None:
    named = {"HEARTH_SITE_NAME": "Oak, Leeds", "SITE_URL": "https://oak.example"}

    assert _mail_settings_with(named, tmp_path) == (
        '"Oak, Leeds" <noreply@oak.example>',
        "[Oak, Leeds] ",
    )
    explicit = named | {"DEFAULT_FROM_EMAIL": "Oak <post@oak.example>"}
    assert _mail_settings_with(explicit, tmp_path)[0] == "Oak <post@oak.example>"


def test_the_sender_of_account_mail_follows_an_explicit_setting(make_member: MakeMember) -> None:
    make_member(username="heron", email="heron@example.org")

    with override_settings(DEFAULT_FROM_EMAIL="Oak Room <mail@oak.example>"):
        Client().post(reverse("account_reset_password"), {"email": "heron@example.org"})
        run_due_tasks()

    assert mail.outbox[-1].from_email == "Oak Room <mail@oak.example>"


def test_a_confirmation_sent_at_sign_in_does_not_name_the_account(
    make_member: MakeMember,
) -> None:
    member = make_member(username="heron", email="heron@example.org")
    EmailAddress.objects.filter(user=member).update(verified=False)
    client = Client()

    # Signing in unverified sends the confirmation again (allauth's mandatory verification).
    client.post(reverse("account_login"), {"login": "heron", "password": TEST_PASSWORD})
    run_due_tasks()

    message = mail.outbox[-1]
    assert message.subject == "[Hearth] Confirm your email address"
    assert "heron" not in str(message.body).replace("heron@example.org", "")
