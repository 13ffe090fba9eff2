"""The pseudo-locale "qps": every message recognisable, right to left, pages still whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from hearth.accounts.forms import ProfileForm
from hearth.core.catalogues import DOMAINS, load_mo, read_po
from hearth.core.javascript_catalog import catalogue_url
from hearth.core.pseudo_locale import PSEUDO_LANGUAGE, is_date_format, pseudo_translate
from hearth.core.testing import ClientFor, MakeMember


@pytest.mark.parametrize(
    ("text", "pseudo"),
    [
        ("Search the forum", "⟦Šéárçh thé förüm⟧"),
        ("%(count)s new replies", "⟦%(count)s ñéw réplíéš⟧"),
        ("50%% done, %s left, %d days", "⟦50%% döñé, %s léft, %d dáýš⟧"),
        ('See <a href="%(url)s">the rules</a>', '⟦Šéé <a href="%(url)s">thé rüléš</a>⟧'),
        ("Tea &amp; cake&nbsp;now", "⟦Téá &amp; çáké&nbsp;ñöw⟧"),
        ("Read https://example.org/care.", "⟦Réád https://example.org/care.⟧"),
        ("Hello {name}", "⟦Héllö {name}⟧"),
    ],
)
def test_letters_are_accented_and_wrapped_and_the_rest_kept(text: str, pseudo: str) -> None:
    assert pseudo_translate(text) == pseudo


@pytest.mark.parametrize(
    ("context", "text", "expected"),
    [
        ("date format", "j F Y", True),
        ("day and time, this year", "l j F, H:i", True),
        ("a compact date another year", "j M Y", True),
        ("a compact time: just now", "now", False),
        ("a compact time: hours ago", "%(count)d h", False),
        (None, "j M Y", False),
    ],
)
def test_date_formats_are_recognised(context: str | None, text: str, expected: bool) -> None:
    assert is_date_format(context, text) is expected


@pytest.mark.database_neutral
def test_the_built_catalogues_hold_every_message_pseudo_translated(
    pseudo_locale_directory: Path, catalogue_extraction: dict[str, Path]
) -> None:
    for domain in DOMAINS:
        messages_dir = pseudo_locale_directory / PSEUDO_LANGUAGE / "LC_MESSAGES"
        compiled = load_mo(messages_dir / f"{domain}.mo")
        for message in read_po(catalogue_extraction[domain].read_text())[1:]:
            key = (
                message.msgid
                if message.context is None
                else f"{message.context}\x04{message.msgid}"
            )
            if message.msgid_plural is not None:  # both forms
                assert compiled[(key, 0)] == pseudo_translate(message.msgid)
                assert compiled[(key, 1)] == pseudo_translate(message.msgid_plural)
            elif is_date_format(message.context, message.msgid):
                assert compiled[key] == message.msgid
            else:
                assert compiled[key] == pseudo_translate(message.msgid)


@pytest.mark.django_db
def test_a_page_in_the_pseudo_locale_is_all_pseudo_text_and_right_to_left(
    pseudo_locale: str, client: Client
) -> None:
    page = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=pseudo_locale)

    assert page.status_code == 200
    assert '<html lang="qps"' in page.content.decode()
    assert "⟦Šígñ íñ⟧" in page.content.decode()
    with translation.override(pseudo_locale):
        bidi = Template("{% get_current_language_bidi as bidi %}{{ bidi }}").render(Context())
    assert bidi == "True"


@pytest.mark.django_db
def test_a_member_reading_the_pseudo_locale_gets_its_scripts_catalogue(
    pseudo_locale: str, make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member(language=pseudo_locale)

    page = client_for(member).get(reverse("home")).content.decode()
    script = client_for(member).get(catalogue_url(pseudo_locale)).content.decode()

    assert catalogue_url(pseudo_locale) in page
    # The catalogue is JSON, which writes "⟦Líñk çöpíéd ...⟧" with escapes.
    assert json.dumps("⟦Líñk çöpíéd tö ýöür çlípböárd.⟧") in script


def test_the_language_chooser_offers_it_by_its_own_name(pseudo_locale: str) -> None:
    choices = dict(ProfileForm().fields["language"].choices)  # type: ignore[attr-defined]  # a ChoiceField

    assert choices == {"en": "English", "de": "Deutsch", pseudo_locale: "Ƥšéüðö"}
