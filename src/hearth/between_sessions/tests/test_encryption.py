"""Free text is encrypted at rest with keys kept outside the database."""

from __future__ import annotations

import io
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import FieldError
from django.core.management import CommandError, call_command
from django.db import connection
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.between_sessions import selectors, services
from hearth.between_sessions.models import TOOLKIT_MODELS, JournalEntry, PrivateItem
from hearth.between_sessions.tests.conftest import MARKER, fill_toolkit
from hearth.between_sessions.vocabulary import FeelingRating
from hearth.core import encryption

pytestmark = pytest.mark.django_db


def raw_rows(model: type[PrivateItem], owner: User) -> list[tuple[object, ...]]:
    """Every column of the owner's rows, exactly as the database stores them."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE owner_id = %s", [owner.pk])  # noqa: S608 - table name from model meta
        return list(cursor.fetchall())


def write_check_in(owner: User, note: str) -> JournalEntry:
    return services.record_check_in(
        owner=owner,
        content=services.EntryContent(feelings=(FeelingRating("sad.lonely", 7),), note=note),
    )


def raw_note(entry: JournalEntry) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM between_sessions_journalentry WHERE id = %s", [entry.pk])
        return str(cursor.fetchone()[0])


def test_a_database_dump_reveals_no_toolkit_text_and_no_feelings(owner: User) -> None:
    fill_toolkit(owner)

    for model in TOOLKIT_MODELS:
        for row in raw_rows(model, owner):
            stored = " ".join(str(value) for value in row)
            assert MARKER not in stored, model.__name__
            assert "sad.lonely" not in stored
            assert "therapist_away" not in stored
            assert "builtin:" not in stored


def test_with_the_key_the_text_round_trips(owner: User) -> None:
    entry = write_check_in(owner, f"a line {MARKER} with ünïcödé ✓")

    reloaded = JournalEntry.objects.get(pk=entry.pk)

    assert reloaded.note == f"a line {MARKER} with ünïcödé ✓"
    assert reloaded.feelings == [{"feeling": "sad.lonely", "intensity": 7}]
    assert raw_note(entry).startswith("gAAAAA")  # a Fernet token


def test_the_same_text_is_stored_differently_each_time(owner: User) -> None:
    first = write_check_in(owner, "same words")
    second = write_check_in(owner, "same words")

    assert raw_note(first) != raw_note(second)


def test_encrypted_fields_cannot_be_searched(owner: User) -> None:
    write_check_in(owner, MARKER)

    with pytest.raises(FieldError):
        list(JournalEntry.objects.filter(note__icontains=MARKER))
    with pytest.raises(FieldError):
        list(JournalEntry.objects.filter(note=MARKER))


def test_the_key_file_is_created_on_first_use_readable_only_by_its_owner(
    owner: User, isolated_keys: Callable[[], None], settings: Settings
) -> None:
    key_file = Path(settings.DATA_DIR) / "toolkit_keys"
    assert not key_file.exists()

    write_check_in(owner, "first")

    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(encryption.current_keys()) == 1
    assert encryption.current_keys()[0] in key_file.read_text()


def test_rotating_the_key_re_encrypts_every_row_and_keeps_old_entries_readable(
    owner: User, isolated_keys: Callable[[], None], settings: Settings
) -> None:
    entry = write_check_in(owner, f"before rotation {MARKER}")
    old_token = raw_note(entry)
    old_key = encryption.current_keys()[0]

    call_command("rotate_toolkit_key", stdout=io.StringIO())

    keys = encryption.current_keys()
    assert len(keys) == 2
    assert keys[1] == old_key
    assert raw_note(entry) != old_token
    assert JournalEntry.objects.get(pk=entry.pk).note == f"before rotation {MARKER}"
    # A row still under the old key (a restored backup, say) stays readable.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE between_sessions_journalentry SET note = %s WHERE id = %s",
            [old_token, entry.pk],
        )
    assert JournalEntry.objects.get(pk=entry.pk).note == f"before rotation {MARKER}"


def test_rotation_re_encrypts_every_kind_of_item_in_a_full_toolkit(
    owner: User, isolated_keys: Callable[[], None]
) -> None:
    fill_toolkit(owner)
    before = selectors.toolkit_export_for(owner)
    output = io.StringIO()

    call_command("rotate_toolkit_key", stdout=output)
    call_command("rotate_toolkit_key", "--retire-old-keys", stdout=io.StringIO())

    text_rows = selectors.toolkit_row_count(owner) - 1  # the next-session date holds no text
    assert f"Re-encrypted {text_rows} toolkit rows" in output.getvalue()
    assert len(encryption.current_keys()) == 1
    after = selectors.toolkit_export_for(owner)
    assert {**after, "exported_at": None} == {**before, "exported_at": None}


def test_retiring_old_keys_keeps_only_the_current_one_after_re_encrypting(
    owner: User, isolated_keys: Callable[[], None]
) -> None:
    entry = write_check_in(owner, "kept")
    call_command("rotate_toolkit_key", stdout=io.StringIO())

    call_command("rotate_toolkit_key", "--retire-old-keys", stdout=io.StringIO())

    assert len(encryption.current_keys()) == 1
    assert JournalEntry.objects.get(pk=entry.pk).note == "kept"


def test_keys_from_the_environment_rotate_by_putting_a_new_key_first(
    owner: User, settings: Settings
) -> None:
    first, second = encryption.generate_key(), encryption.generate_key()
    settings.HEARTH_TOOLKIT_KEYS = [first]
    entry = write_check_in(owner, "under the first key")

    settings.HEARTH_TOOLKIT_KEYS = [second, first]
    call_command("rotate_toolkit_key", "--reencrypt", stdout=io.StringIO())
    settings.HEARTH_TOOLKIT_KEYS = [second]

    assert JournalEntry.objects.get(pk=entry.pk).note == "under the first key"


def test_without_the_right_key_the_text_cannot_be_read(owner: User, settings: Settings) -> None:
    settings.HEARTH_TOOLKIT_KEYS = [encryption.generate_key()]
    entry = write_check_in(owner, MARKER)

    settings.HEARTH_TOOLKIT_KEYS = [encryption.generate_key()]

    with pytest.raises(encryption.ToolkitKeyError) as raised:
        JournalEntry.objects.get(pk=entry.pk)
    assert MARKER not in str(raised.value)


def test_the_command_refuses_to_add_a_key_when_keys_come_from_the_environment(
    settings: Settings,
) -> None:
    settings.HEARTH_TOOLKIT_KEYS = [encryption.generate_key()]

    with pytest.raises(CommandError, match="HEARTH_TOOLKIT_KEYS"):
        call_command("rotate_toolkit_key", stdout=io.StringIO())


def test_the_command_can_print_a_new_key_without_changing_anything(
    isolated_keys: Callable[[], None], capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("rotate_toolkit_key", "--generate")

    printed = capsys.readouterr().out.strip()
    assert encryption.validate_keys([printed]) == []


def test_a_malformed_key_in_the_environment_fails_the_system_checks(settings: Settings) -> None:
    settings.HEARTH_TOOLKIT_KEYS = ["not-a-key"]

    errors = [message.id for message in run_checks(tags=["security"])]

    assert "between_sessions.E001" in errors


def test_a_key_file_others_can_read_is_warned_about(
    isolated_keys: Callable[[], None], settings: Settings, owner: User
) -> None:
    write_check_in(owner, "creates the file")
    (Path(settings.DATA_DIR) / "toolkit_keys").chmod(0o644)

    warnings = [message.id for message in run_checks(tags=["security"])]

    assert "between_sessions.W001" in warnings
