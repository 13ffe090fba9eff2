"""The restore drill: build a community, back it up, restore it elsewhere, compare.

Runs on SQLite and PostgreSQL (the suite runs on both). ``hearth restore`` runs
in its own process against a fresh data directory, as an operator would run it.
"""

from __future__ import annotations

import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from hearth.accounts.models import User
from hearth.core.testing import FillToolkit, MakeMember
from hearth.forum.models import Post, Thread
from hearth.forum.services import reply_to_thread
from hearth.forum.testing import MakeReply, MakeThread
from hearth.member_data.deletion import delete_account
from hearth.member_data.models import PostsChoice
from hearth.member_data.tombstones import recorded_deletions
from hearth.operations.archive import unpack_and_verify
from hearth.operations.database_copy import postgresql_tool
from hearth.operations.tests.conftest import FreshSite
from hearth.operations.tests.drill import (
    key_file_cipher,
    model_tables,
    one_value,
    reader,
    run_hearth,
    source_target,
)

pytestmark = pytest.mark.django_db(transaction=True)

SECRET_NOTE = "Tell Dr. Okafor about the nightmares (drill)"


def build_community(
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    toolkit_filler: FillToolkit,
) -> User:
    """Members, a thread with replies, a full toolkit, a media file and a tombstone."""
    owner = make_member("drill_owner")
    thread = make_thread(author=owner)
    for _ in range(3):
        make_reply(thread)
    toolkit_filler(owner, marker=SECRET_NOTE)
    media = Path(settings.MEDIA_ROOT) / "drill" / "picture.bin"
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_bytes(bytes(range(256)) * 4)
    leaving = make_member("drill_leaving")
    delete_account(leaving.pk, posts=PostsChoice.KEEP)
    return owner


def test_a_backup_restored_into_a_fresh_site_holds_every_row_and_readable_toolkit(
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    toolkit_filler: FillToolkit,
    fresh_site: FreshSite,
    passphrase_file: Path,
    tmp_path: Path,
) -> None:
    owner = build_community(make_member, make_thread, make_reply, toolkit_filler)
    archive = tmp_path / "hearth.tar.gz"
    call_command("backup", str(archive), passphrase_file=str(passphrase_file), verbosity=0)

    restored = run_hearth(
        "restore", str(archive), data_dir=fresh_site.data_dir, database=fresh_site.database
    )

    assert restored.returncode == 0, restored.stderr
    assert "0 deletions replayed" in restored.stdout
    with reader(source_target()) as source_rows, reader(fresh_site.target) as restored_rows:
        for table, pk in model_tables():
            assert restored_rows(table, pk) == source_rows(table, pk), table
    token = one_value(
        fresh_site.target,
        "SELECT note FROM between_sessions_journalentry WHERE owner_id = %s AND note <> '' "
        "ORDER BY id LIMIT 1",
        owner.pk,
    )
    assert SECRET_NOTE not in token
    cipher = key_file_cipher(fresh_site.data_dir / "toolkit_keys")
    assert SECRET_NOTE in cipher.decrypt(token.encode()).decode()
    picture = fresh_site.data_dir / "media" / "drill" / "picture.bin"
    assert picture.read_bytes() == bytes(range(256)) * 4
    assert (fresh_site.data_dir / "static").is_dir()


def test_every_reply_acknowledged_before_the_backup_started_is_in_it(
    make_member: MakeMember, make_thread: MakeThread, tmp_path: Path
) -> None:
    author = make_member("busy_writer")
    thread = make_thread(author=author)
    acknowledged: list[int] = []
    stop = threading.Event()

    def write_replies() -> None:
        try:
            number = 0
            while not stop.is_set():
                number += 1
                post = reply_to_thread(
                    author=author,
                    thread=Thread.objects.get(pk=thread.pk),
                    body=f"Reply {number} while the backup runs",
                    request_key=f"busy-{number}",
                )
                acknowledged.append(post.pk)
        finally:
            connections.close_all()

    writer = threading.Thread(target=write_replies)
    writer.start()
    try:
        while len(acknowledged) < 20:
            time.sleep(0.01)
        before_backup = list(acknowledged)
        call_command("backup", str(tmp_path / "busy.tar.gz"), verbosity=0)
        time.sleep(0.2)  # writes go on after the backup too
    finally:
        stop.set()
        writer.join()

    unpacked = unpack_and_verify(tmp_path / "busy.tar.gz", _staging(tmp_path))
    archived_ids = _post_ids_in(unpacked.member(unpacked.manifest["database"]["file"]))
    assert set(before_backup) <= archived_ids
    assert archived_ids <= set(Post.objects.values_list("pk", flat=True))
    assert len(acknowledged) > len(before_backup)


def test_a_restore_from_an_older_backup_deletes_again_whoever_left_since(
    make_member: MakeMember,
    make_thread: MakeThread,
    fresh_site: FreshSite,
    passphrase_file: Path,
    tmp_path: Path,
) -> None:
    leaving = make_member("leaves_after_backup")
    make_thread(author=leaving)
    archive = tmp_path / "older.tar.gz"
    call_command("backup", str(archive), passphrase_file=str(passphrase_file), verbosity=0)
    delete_account(leaving.pk, posts=PostsChoice.REMOVE)
    assert leaving.pk in {tombstone.member_id for tombstone in recorded_deletions()}

    restored = run_hearth(
        "restore",
        str(archive),
        data_dir=fresh_site.data_dir,
        database=fresh_site.database,
        # The list of deleted accounts survives apart from the database and its backups.
        extra={"HEARTH_DELETED_ACCOUNTS_FILE": str(settings.HEARTH_DELETED_ACCOUNTS_FILE)},
    )

    assert restored.returncode == 0, restored.stderr
    assert "1 deletions replayed" in restored.stdout
    with reader(fresh_site.target) as restored_rows:
        member_ids = {row[0] for row in restored_rows(User._meta.db_table, "id")}
    assert leaving.pk not in member_ids


def _staging(tmp_path: Path) -> Path:
    staging = tmp_path / "staging"
    staging.mkdir()
    return staging


def _post_ids_in(database: Path) -> set[int]:
    if connection.vendor == "sqlite":
        with sqlite3.connect(database) as archived:
            return {row[0] for row in archived.execute("SELECT id FROM forum_post")}
    listing = subprocess.run(  # noqa: S603 - a PostgreSQL client
        [
            postgresql_tool("pg_restore"),
            "--data-only",
            "--table=forum_post",
            "--file=-",
            str(database),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids, copying = set(), False
    for line in listing.splitlines():
        if line.startswith("COPY public.forum_post "):
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying:
            ids.add(int(line.split("\t", 1)[0]))
    return ids
