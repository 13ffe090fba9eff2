"""The labels and crisis lines Hearth seeds read in the reader's language until an
administrator rewrites them (safety/seeded_text.py)."""

from __future__ import annotations

import pytest
from django.utils import translation

from hearth.accounts.models import User
from hearth.core.pseudo_locale import pseudo_translate
from hearth.core.testing import MakeMember
from hearth.safety.models import ContentNoteLabel, CrisisResource
from hearth.safety.selectors import crisis_contacts_for_member, labels_with_choices

pytestmark = pytest.mark.django_db


def test_a_seeded_label_reads_in_the_readers_language(pseudo_locale: str) -> None:
    suicide = ContentNoteLabel.objects.get(slug="suicide")

    with translation.override(pseudo_locale):
        names = labels_with_choices(None).names

        offered = dict(labels_with_choices(None).offered)
        shown = str(suicide)

    assert names[suicide.pk] == offered[suicide.pk] == shown == pseudo_translate("Suicide")


def test_a_label_an_administrator_renamed_reads_as_they_wrote_it(pseudo_locale: str) -> None:
    ContentNoteLabel.objects.filter(slug="suicide").update(name="Suizid")
    suicide = ContentNoteLabel.objects.get(slug="suicide")

    with translation.override(pseudo_locale):
        names = labels_with_choices(None).names

    assert names[suicide.pk] == "Suizid"
    assert str(suicide) == "Suizid"


def test_a_seeded_crisis_lines_hours_read_in_the_readers_language(
    pseudo_locale: str, make_member: MakeMember
) -> None:
    reader: User = make_member(country="GB")
    CrisisResource.objects.filter(name="Shout").update(hours="Jederzeit")

    with translation.override(pseudo_locale):
        contacts = crisis_contacts_for_member(reader)

    assert contacts is not None
    lines = {line.name: line for line in contacts.lines}
    assert lines["Samaritans"].hours == pseudo_translate("24 hours a day, every day of the year")
    assert lines["Shout"].text == pseudo_translate("Text SHOUT to 85258")
    assert lines["Shout"].hours == "Jederzeit"
