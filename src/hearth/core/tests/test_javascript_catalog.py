"""The scripts' translations: Django's JavaScript catalogue at an address that names the
language and the catalogue's version, cached for good (hearth.core.javascript_catalog)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from hearth.accounts.models import User
from hearth.core.catalogues import Message, compile_po, format_po
from hearth.core.javascript_catalog import CACHED_FOR_GOOD, catalogue_url
from hearth.core.testing import ClientFor, MakeMember
from hearth.moderation.services import suspend_member

pytestmark = pytest.mark.django_db

CATALOGUE_SCRIPT = re.compile(r'<script src="(/i18n/[^"]+/catalog\.js)" nonce="([^"]+)" defer>')
# Not the shipped translation, so the crafted catalogue differs from the real one.
GERMAN = "Der Link ist in der Zwischenablage (Testkatalog)."


@pytest.fixture
def german_scripts(tmp_path: Path) -> Path:
    """A German djangojs catalogue with one message translated."""
    messages_dir = tmp_path / "de" / "LC_MESSAGES"
    messages_dir.mkdir(parents=True)
    po = messages_dir / "djangojs.po"
    po.write_text(
        format_po(
            [
                Message(
                    msgid="",
                    msgstrs=(
                        "Content-Type: text/plain; charset=UTF-8\n"
                        "Plural-Forms: nplurals=2; plural=(n != 1);\n",
                    ),
                ),
                Message(msgid="Link copied to your clipboard.", msgstrs=(GERMAN,)),
            ]
        ),
        encoding="utf-8",
    )
    compile_po(po, messages_dir / "djangojs.mo")
    return tmp_path


def _catalogue_in(page: str) -> tuple[str, str]:
    found = CATALOGUE_SCRIPT.search(page)
    assert found, "the page loads no JavaScript catalogue"
    return found[1], found[2]


def test_a_page_loads_the_catalogue_of_its_language_first_with_its_nonce(client: Client) -> None:
    response = client.get(reverse("account_login"))
    page = response.content.decode()

    address, nonce = _catalogue_in(page)

    assert address.startswith("/i18n/en/")
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert page.index(address) < page.index("hearth/hearth.js")  # before every other script


def test_the_catalogue_is_javascript_kept_for_good(client: Client) -> None:
    address, _ = _catalogue_in(client.get(reverse("account_login")).content.decode())

    response = client.get(address)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == CACHED_FOR_GOOD
    script = response.content.decode()
    assert "django.gettext = function" in script
    assert "django.interpolate" in script
    assert '"DATE_INPUT_FORMATS"' in script  # the language's formats come with it


def test_a_visitor_gets_it_without_a_query(client: Client) -> None:
    address = catalogue_url("en")

    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)

    assert response.status_code == 200
    assert len(queries) == 0


def test_another_version_is_answered_but_not_kept(client: Client) -> None:
    response = client.get(reverse("javascript_catalog", args=["en", "0123456789abcdef"]))

    assert response.status_code == 200  # a page from another process's catalogue still works
    assert response["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("language", ["fr", "xx", "de-at"])
def test_a_language_not_offered_is_not_found(client: Client, language: str) -> None:
    response = client.get(reverse("javascript_catalog", args=[language, "0123456789abcdef"]))

    assert response.status_code == 404


def test_a_member_reading_german_gets_the_german_catalogue(
    make_member: MakeMember, client_for: ClientFor, german_scripts: Path
) -> None:
    member = make_member(language="de")
    english_address = catalogue_url("de")

    with override_settings(LOCALE_PATHS=[german_scripts, *settings.LOCALE_PATHS]):
        address, _ = _catalogue_in(client_for(member).get(reverse("home")).content.decode())
        script = client_for(member).get(address).content.decode()

    assert address.startswith("/i18n/de/")
    assert address != english_address  # a new catalogue, a new address
    assert GERMAN in script


def test_the_address_changes_with_the_language() -> None:
    assert catalogue_url("en") != catalogue_url("de")
    with translation.override("de"):
        assert catalogue_url(translation.get_language()).startswith("/i18n/de/")


def test_a_withdrawn_language_gets_the_site_language_catalogue() -> None:
    assert catalogue_url("fr") == catalogue_url(settings.LANGUAGE_CODE)


def test_a_fully_suspended_member_still_gets_it(
    make_member: MakeMember, administrator: User, client_for: ClientFor
) -> None:
    member = make_member()
    suspend_member(moderator=administrator, member=member, days=3, partial=False, reason="Pause")

    response = client_for(member).get(catalogue_url("en"), HTTP_SEC_FETCH_DEST="script")

    assert response.status_code == 200


def test_the_toolkit_print_pages_load_it_too(member_client: Client) -> None:
    page = member_client.get(reverse("between_sessions:plan_print")).content.decode()

    address, _ = _catalogue_in(page)

    assert page.index(address) < page.index("between_sessions/toolkit.js")
