"""The export says what it does with every model that points at a member: a new model (or a
new member relation on a model) that no section exports and nothing explains fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

import hearth
from hearth.member_data.coverage import models_referencing_members
from hearth.member_data.export import NOT_EXPORTED, RELATIONS_NOT_EXPORTED, SECTIONS


def _covered() -> dict[str, set[str]]:
    covered: dict[str, set[str]] = {}
    for section in SECTIONS:
        for label, fields in section.covers.items():
            covered.setdefault(label, set()).update(fields)
    return covered


def _relations() -> list[tuple[str, str]]:
    return sorted(
        (label, name) for label, names in models_referencing_members().items() for name in names
    )


@pytest.mark.parametrize(("label", "field"), _relations())
def test_every_member_relation_is_exported_or_explained(label: str, field: str) -> None:
    exported = field in _covered().get(label, set())
    explained = label in NOT_EXPORTED or f"{label}.{field}" in RELATIONS_NOT_EXPORTED

    assert exported or explained, (
        f"{label}.{field} points at a member: export it in a section of "
        "hearth.member_data.export.SECTIONS, or say why not in NOT_EXPORTED / "
        "RELATIONS_NOT_EXPORTED"
    )
    assert not (exported and explained), f"{label}.{field} is both exported and explained away"


def test_the_checklist_finds_models_of_every_kind() -> None:
    """The check above is only as good as the list it walks: it must see our apps' models
    and the third-party ones (allauth, the admin), so that it can fail."""
    relations = set(_relations())

    assert ("forum.Post", "author") in relations
    assert ("conversations.Message", "author") in relations
    assert ("between_sessions.JournalEntry", "owner") in relations
    assert ("account.EmailAddress", "user") in relations
    assert ("admin.LogEntry", "user") in relations


def test_a_new_model_pointing_at_members_would_fail_the_check() -> None:
    """A model the export knows nothing about shows up in the checklist, uncovered."""

    class Scribble(models.Model):
        author = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "member_data"

        def __str__(self) -> str:
            return "scribble"

    try:
        relations = models_referencing_members()
        assert relations["member_data.Scribble"] == ["author"]
        assert "member_data.Scribble" not in _covered()
        assert "member_data.Scribble" not in NOT_EXPORTED
    finally:
        del apps.all_models["member_data"]["scribble"]
        apps.clear_cache()


def test_every_entry_names_a_real_model_and_relation() -> None:
    """No stale entries: what the export says it covers or leaves out exists."""
    relations = set(_relations())
    labels = {label for label, _field in relations}

    for label, fields in _covered().items():
        for name in fields:
            assert (label, name) in relations, f"{label}.{name}"
    for label in NOT_EXPORTED:
        assert label in labels, label
    for dotted in RELATIONS_NOT_EXPORTED:
        label, name = dotted.rsplit(".", 1)
        assert (label, name) in relations, dotted
        assert label in _covered(), f"{label} is left out whole: say so in NOT_EXPORTED"


def test_section_keys_are_unique_and_every_reason_is_written_out() -> None:
    keys = [section.key for section in SECTIONS]

    assert len(keys) == len(set(keys))
    assert all(
        len(reason) > 40 for reason in [*NOT_EXPORTED.values(), *RELATIONS_NOT_EXPORTED.values()]
    )


def test_the_docs_describe_every_section() -> None:
    docs = (Path(hearth.__file__).resolve().parents[2] / "docs" / "member-data.md").read_text()
    downloading = docs.split("## Downloading your data", 1)[1].split("\n## ", 1)[0]

    missing = [section.key for section in SECTIONS if f"| `{section.key}` |" not in downloading]

    assert missing == [], "docs/member-data.md, Downloading your data: describe these sections"
