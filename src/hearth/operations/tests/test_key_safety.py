"""A lost or wrong toolkit key stops Hearth with a message; it is never replaced silently."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core import encryption
from hearth.core.key_safety import why_keys_cannot_serve
from hearth.core.testing import FillToolkit


@pytest.fixture
def own_data_dir(settings: Settings, tmp_path: Path) -> Iterator[Path]:
    """A data directory with no key file yet (keys from the file, not the environment)."""
    settings.DATA_DIR = tmp_path
    settings.HEARTH_TOOLKIT_KEYS = []
    encryption.reset_cache()
    yield tmp_path
    encryption.reset_cache()


@pytest.fixture
def write_private_text(toolkit_filler: FillToolkit) -> Callable[[User], object]:
    return lambda owner: toolkit_filler(owner, marker="private")


def test_a_fresh_install_gets_a_key_file_only_it_can_read(own_data_dir: Path, db: None) -> None:
    assert encryption.create_key_file_for_fresh_install() is True

    key_file = own_data_dir / "toolkit_keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert why_keys_cannot_serve() is None
    assert encryption.create_key_file_for_fresh_install() is False  # never a second key


def test_a_missing_key_file_beside_encrypted_text_stops_start_up_and_is_not_replaced(
    own_data_dir: Path, member: User, write_private_text: Callable[[User], object]
) -> None:
    write_private_text(member)
    (own_data_dir / "toolkit_keys").unlink()
    encryption.reset_cache()

    assert "is missing" in (why_keys_cannot_serve() or "")
    with pytest.raises(CommandError, match=r"toolkit key file .* is missing"):
        call_command("worker", "--batch")
    with pytest.raises(encryption.ToolkitKeyError, match="will not make a new key"):
        write_private_text(member)
    with pytest.raises(encryption.ToolkitKeyError, match="is missing"):
        encryption.create_key_file_for_fresh_install()  # what `hearth init` calls
    assert not (own_data_dir / "toolkit_keys").exists()


def test_a_wrong_key_stops_start_up_with_a_message(
    own_data_dir: Path, member: User, write_private_text: Callable[[User], object]
) -> None:
    write_private_text(member)
    (own_data_dir / "toolkit_keys").write_text(encryption.generate_key() + "\n")
    encryption.reset_cache()

    assert "cannot decrypt" in (why_keys_cannot_serve() or "")
    with pytest.raises(CommandError, match="not the keys this database was written with"):
        call_command("worker", "--batch")
    with pytest.raises(SystemCheckError, match=r"core\.E101"):
        call_command("check", "--database", "default")


def test_a_wrong_key_in_the_environment_is_found_too(
    own_data_dir: Path,
    member: User,
    write_private_text: Callable[[User], object],
    settings: Settings,
) -> None:
    write_private_text(member)
    settings.HEARTH_TOOLKIT_KEYS = [encryption.generate_key()]
    encryption.reset_cache()

    assert "HEARTH_TOOLKIT_KEYS cannot decrypt" in (why_keys_cannot_serve() or "")
