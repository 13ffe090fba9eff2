"""A restore refuses a damaged, mismatched or locked archive before it changes anything."""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from hearth.accounts.models import User
from hearth.core import encryption
from hearth.core.testing import MakeMember
from hearth.forum.models import Post
from hearth.forum.testing import MakeThread
from hearth.operations.tests.drill import rewrite_archive

pytestmark = pytest.mark.django_db(transaction=True)


def _fingerprint() -> tuple[Any, ...]:
    """What a refused restore must leave as it was: rows, media, keys, tombstones."""
    media = sorted(
        (str(path), hashlib.sha256(path.read_bytes()).hexdigest())
        for path in Path(settings.MEDIA_ROOT).rglob("*")
        if path.is_file()
    )
    keys = encryption.key_file_path().read_bytes() if encryption.key_file_path().exists() else b""
    tombstones = Path(settings.HEARTH_DELETED_ACCOUNTS_FILE)
    return (
        sorted(User.objects.values_list("pk", "username")),
        sorted(Post.objects.values_list("pk", "body")),
        media,
        keys,
        tombstones.read_bytes() if tombstones.exists() else b"",
    )


def _flip_a_byte(good: Path, bad: Path) -> None:
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))


def _truncate(good: Path, bad: Path) -> None:
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


def _without_manifest(good: Path, bad: Path) -> None:
    rewrite_archive(good, bad, drop="manifest.json")


def _other_vendor(good: Path, bad: Path) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    rewrite_archive(good, bad, manifest_change=lambda m: m["database"].update(vendor=other))


def _newer_migrations(good: Path, bad: Path) -> None:
    rewrite_archive(
        good, bad, manifest_change=lambda m: m["migrations"].update(forum="9999_from_the_future")
    )


def _changed_checksum(good: Path, bad: Path) -> None:
    def change(manifest: dict[str, Any]) -> None:
        name = manifest["database"]["file"]
        manifest["files"][name]["sha256"] = "0" * 64

    rewrite_archive(good, bad, manifest_change=change)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_flip_a_byte, "damaged|checksum"),
        (_truncate, "damaged or truncated"),
        (_without_manifest, "no manifest.json"),
        (_other_vendor, "configured for"),
        (_newer_migrations, "newer Hearth"),
        (_changed_checksum, "does not match its checksum"),
    ],
)
def test_a_damaged_or_mismatched_archive_is_refused_and_nothing_changes(
    damage: Callable[[Path, Path], None],
    message: str,
    make_thread: MakeThread,
    passphrase_file: Path,
    tmp_path: Path,
) -> None:
    make_thread(body="Still here after a refused restore")
    good, bad = tmp_path / "good.tar.gz", tmp_path / "bad.tar.gz"
    call_command("backup", str(good), passphrase_file=str(passphrase_file), verbosity=0)
    damage(good, bad)
    before = _fingerprint()

    with pytest.raises(CommandError, match=f"nothing was changed: .*({message})"):
        call_command(
            "restore", str(bad), "--force", passphrase_file=str(passphrase_file), verbosity=0
        )

    assert _fingerprint() == before
    assert not list(Path(settings.DATA_DIR).glob(".hearth-restore-*"))


def test_a_wrong_passphrase_is_refused_before_anything_is_replaced(
    make_thread: MakeThread, passphrase_file: Path, tmp_path: Path
) -> None:
    make_thread()
    archive = tmp_path / "sealed.tar.gz"
    call_command("backup", str(archive), passphrase_file=str(passphrase_file), verbosity=0)
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all")
    before = _fingerprint()

    with pytest.raises(CommandError, match="wrong passphrase"):
        call_command("restore", str(archive), "--force", passphrase_file=str(wrong), verbosity=0)

    assert _fingerprint() == before


def test_a_database_with_members_is_replaced_only_with_force(
    make_member: MakeMember, passphrase_file: Path, tmp_path: Path
) -> None:
    make_member("already_here")
    archive = tmp_path / "any.tar.gz"
    call_command("backup", str(archive), passphrase_file=str(passphrase_file), verbosity=0)
    before = _fingerprint()

    with pytest.raises(CommandError, match=r"holds \d+ members .*--force"):
        call_command("restore", str(archive), passphrase_file=str(passphrase_file), verbosity=0)

    assert _fingerprint() == before


def test_without_a_passphrase_the_keys_stay_out_with_a_warning(
    make_member: MakeMember, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_member()
    archive = tmp_path / "open.tar.gz"

    call_command("backup", str(archive))

    output = capsys.readouterr()
    assert "keys NOT included" in output.out
    assert "WARNING: No passphrase given" in output.err
    with tarfile.open(archive) as tar:
        assert "secrets.sealed" not in tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["secrets"] == "left-out"
    assert "NOT in this backup" in manifest["warnings"][0]


def test_a_backup_that_fails_leaves_no_archive(
    tmp_path: Path, passphrase_file: Path, db: None
) -> None:
    short = tmp_path / "short"
    short.write_text("too short")

    with pytest.raises(CommandError, match="shorter than"):
        call_command("backup", str(tmp_path / "never.tar.gz"), passphrase_file=str(short))

    assert list(tmp_path.glob("*never*")) == []
