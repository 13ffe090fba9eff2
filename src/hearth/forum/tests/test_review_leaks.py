"""Regression tests for the leaks the second wave's review found, each named after it.

The hidden-post routes (history, quote, edit form, who reacted) and the walk of
every URL that takes a post or thread id are in ``test_url_walk_leaks.py``.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.sites import site
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from hearth.accounts.admin import MemberAdmin
from hearth.accounts.models import Role, User
from hearth.core.mail_backend import DataDirEmailBackend
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.forms import anonymity_refused_message
from hearth.forum.models import Category, Post, ReactionKind, Thread
from hearth.forum.services import reply_to_thread, start_thread, toggle_reaction
from hearth.forum.testing import MakeCategory, MakeThread
from hearth.moderation.models import AuditEntry
from hearth.moderation.services import hide_post, reveal_author

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_category(make_category: MakeCategory) -> Category:
    return make_category("Hard things", allow_anonymous=True)


# --- 3. Anonymous intent is never downgraded ---------------------------------------------


def test_anonymous_reply_is_refused_not_published_under_the_real_name_when_anonymity_is_off(
    anonymous_category: Category, make_thread: MakeThread, client_for: ClientFor, member: User
) -> None:
    thread = make_thread(category=anonymous_category)
    composer = client_for(member)
    Category.objects.filter(pk=anonymous_category.pk).update(allow_anonymous=False)

    response = composer.post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": "Only say this under a pseudonym.", "anonymous": "on", "request_key": "k1"},
    )

    assert response.status_code == 400
    assert not Post.objects.filter(thread=thread, position__gt=1).exists()
    text = response.content.decode()
    assert "Only say this under a pseudonym." in text  # the text is kept
    assert "anonymous posts now" in text


def test_crafted_anonymous_reply_to_a_category_without_anonymity_is_refused(
    make_thread: MakeThread, client_for: ClientFor, member: User
) -> None:
    thread = make_thread()

    response = client_for(member).post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": "Crafted.", "anonymous": "on", "request_key": "k2"},
    )

    assert response.status_code == 400
    assert Post.objects.filter(thread=thread).count() == 1


def test_anonymous_reply_after_the_thread_moved_to_a_category_without_anonymity_is_refused(
    anonymous_category: Category,
    make_category: MakeCategory,
    make_thread: MakeThread,
    member: User,
) -> None:
    thread = make_thread(category=anonymous_category)
    plain = make_category("Everyday")
    stale = Thread.objects.select_related("category").get(pk=thread.pk)  # the form's view
    Thread.objects.filter(pk=thread.pk).update(category=plain)

    with pytest.raises(PermissionDenied, match="anonymous"):
        reply_to_thread(
            author=member, thread=stale, body="Moved meanwhile.", request_key="k3", anonymous=True
        )

    assert not Post.objects.filter(thread=thread, author=member).exists()


def test_new_anonymous_thread_is_refused_when_the_category_stopped_taking_anonymity(
    anonymous_category: Category, client_for: ClientFor, member: User
) -> None:
    Category.objects.filter(pk=anonymous_category.pk).update(allow_anonymous=False)

    response = client_for(member).post(
        reverse("forum:new_thread", args=[anonymous_category.slug]),
        {"title": "A hard week", "body": "Words.", "anonymous": "on", "request_key": "k4"},
    )

    assert response.status_code == 400
    assert anonymity_refused_message()[:40] in response.content.decode().replace("&#x27;", "'")
    assert not Thread.objects.exists()


# --- 4. Anonymous reactions and look-alike names -------------------------------------------


def test_reactions_by_an_anonymous_poster_show_their_pseudonym_in_that_thread(
    anonymous_category: Category, make_member: MakeMember, member_client: Client
) -> None:
    secret = make_member(display_name="Secret Sparrow")
    thread = start_thread(
        author=make_member(), category=anonymous_category, title="T", body="B", request_key="t"
    )
    reply = reply_to_thread(
        author=secret, thread=thread, body="Me, anonymously.", request_key="r", anonymous=True
    )
    opening = Post.objects.get(thread=thread, position=1)
    toggle_reaction(member=secret, post=opening, kind=ReactionKind.HUG)

    page = member_client.get(reverse("forum:reactors", args=[opening.pk])).content.decode()

    assert "Secret Sparrow" not in page
    assert reply.author_name in page  # "Anonymous Wren", say


@pytest.mark.parametrize(
    "name",
    [
        "Anonymous Wren",
        "anonymous heron 2",
        "The Moderators",
        "Site admin",
        "Hearth",
        "\u200b\u200b",
    ],
)
def test_display_names_that_imitate_pseudonyms_staff_or_nothing_are_refused(
    name: str, member: User, member_client: Client
) -> None:
    response = member_client.post(
        reverse("accounts:edit_profile"),
        {"display_name": name, "bio": "", "time_zone": "UTC", "language": "en", "country": "GB"},
    )

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.display_name != name


# --- 5. The audit log is scoped -------------------------------------------------------------


def test_audit_log_of_a_category_moderator_leaves_out_other_categories(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_category_moderator: object,
    moderator: User,
    client_for: ClientFor,
) -> None:
    private = make_category("Moderators' room")
    mine = make_category("Mine")
    secret_thread = make_thread(category=private, title="Secret title")
    secret_post = Post.objects.get(thread=secret_thread, position=1)
    hide_post(moderator=moderator, post=secret_post, reason="Private reason")
    Post.objects.filter(pk=secret_post.pk).update(is_anonymous=True)
    secret_post.refresh_from_db()
    reveal_author(moderator=moderator, post=secret_post, reason="Reveal reason")
    own_post = Post.objects.get(thread=make_thread(category=mine, title="Visible title"))
    hide_post(moderator=moderator, post=own_post, reason="Own reason")
    local = make_category_moderator(mine)  # type: ignore[operator]

    page = client_for(local).get(reverse("moderation:audit")).content.decode()

    assert "Own reason" in page
    for leaked in ("Private reason", "Reveal reason", "Secret title", "author_id"):
        assert leaked not in page


def test_audit_entries_name_their_category(make_thread: MakeThread, moderator: User) -> None:
    thread = make_thread()

    hide_post(moderator=moderator, post=Post.objects.get(thread=thread), reason="Why")

    assert AuditEntry.objects.get().category_id == thread.category_id


# --- 6. The admin's delete-member page reveals nothing private ------------------------------


def test_admin_delete_member_page_lists_no_pseudonyms_or_read_states(
    anonymous_category: Category, make_member: MakeMember, make_thread: MakeThread
) -> None:
    secret = make_member()
    start_thread(
        author=secret,
        category=anonymous_category,
        title="T",
        body="B",
        request_key="a",
        anonymous=True,
    )
    other = make_thread()
    signed_in = Client()
    signed_in.force_login(secret)
    signed_in.get(other.get_absolute_url())  # leaves a read marker
    admin = make_member(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    request = RequestFactory().get("/")
    request.user = admin

    deleted, counts, _permissions, _protected = MemberAdmin(User, site).get_deleted_objects(
        [secret], request
    )

    shown = repr(deleted) + repr(counts)
    assert "Anonymous" not in shown
    assert "read state" not in shown.lower()
    assert secret.display_name in shown  # the page still names whom it deletes


# --- 8. Files are private ------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_directory_is_0700() -> None:
    assert _mode(Path(settings.DATA_DIR)) == 0o700


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file only exists on SQLite")
def test_sqlite_database_and_wal_are_0600() -> None:
    connection.ensure_connection()
    name = Path(str(connection.settings_dict["NAME"]))
    for path in (name, Path(f"{name}-wal")):
        if path.exists():
            assert _mode(path) == 0o600, path


def test_mail_files_are_0600(tmp_path: Path) -> None:
    backend = DataDirEmailBackend(file_path=str(tmp_path / "mail"))

    backend.send_messages([EmailMessage("Subject", "Body", "a@example.org", ["b@example.org"])])

    (written,) = (tmp_path / "mail").iterdir()
    assert _mode(written) == 0o600
    assert _mode(tmp_path / "mail") == 0o700


# --- 9. Signed-in pages stay out of the disk cache ------------------------------------------


def test_signed_in_pages_are_no_store(member_client: Client) -> None:
    assert member_client.get("/")["Cache-Control"] == "private, no-store"
