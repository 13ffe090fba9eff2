"""Members choose among the languages with a complete catalogue; crisis rules keep every
language members may write in."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.accounts.testing import profile_form
from hearth.core.testing import MakeMember
from hearth.safety.models import CrisisRule

pytestmark = pytest.mark.django_db

OFFERED = {code for code, _ in settings.LANGUAGES}


def test_only_english_and_german_are_offered() -> None:
    assert OFFERED == {"en", "de"}  # noqa: SIM300 - reads as the sentence


def test_the_settings_page_offers_each_language_by_its_own_name(member_client: Client) -> None:
    page = member_client.get(reverse("accounts:edit_profile")).content.decode()

    assert '<option value="de" lang="de">Deutsch</option>' in page
    assert '<option value="en" selected lang="en">English</option>' in page
    assert 'value="fr"' not in page


@pytest.mark.parametrize("language", ["fr", "es", "nl"])
def test_a_withdrawn_language_cannot_be_chosen(
    member: User, member_client: Client, language: str
) -> None:
    response = member_client.post(
        reverse("accounts:edit_profile"), profile_form(member, language=language)
    )

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.language == "en"


def test_members_who_chose_a_withdrawn_language_read_the_site_language(
    make_member: MakeMember,
) -> None:
    spanish, german = make_member(language="es"), make_member(language="de")
    migration = importlib.import_module("hearth.accounts.migrations.0006_offered_languages")

    migration.move_withdrawn_languages_to_the_default(apps, connection.schema_editor())

    spanish.refresh_from_db()
    german.refresh_from_db()
    assert (spanish.language, german.language) == (settings.LANGUAGE_CODE, "de")


def test_crisis_rules_keep_languages_hearth_does_not_offer() -> None:
    languages = dict(CrisisRule._meta.get_field("language").choices or [])

    assert {"en", "de", "fr", "es", "nl", "pl", "tr"} <= set(languages)
    rule = CrisisRule(language="fr", name="Vouloir mourir", pattern="je veux mourir")
    rule.full_clean()  # a French rule is still a valid rule
