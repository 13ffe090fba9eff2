"""The signed-in member from the cache: no database round trip when the cached row is
current, and every change to a member seen by the very next request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.accounts.member_cache import load_member
from hearth.accounts.models import Role, User
from hearth.accounts.sessions import end_sessions_of
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.testing import MakeReply, MakeThread

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _member_cache_on(settings: Settings) -> None:
    settings.HEARTH_MEMBER_CACHE = True


CaptureCommits = Callable[..., Any]


def _queries_for_the_member(client: Client, member: User) -> int:
    """How many queries one signed-in page made that read the member's row."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("accounts:edit_profile")).status_code == 200
    table = User._meta.db_table
    return sum(
        1
        for query in captured.captured_queries
        if f'FROM "{table}"' in query["sql"] and str(member.pk) in query["sql"]
    )


def test_a_signed_in_request_reads_the_member_from_the_cache_once_it_is_there(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member()
    client = client_for(member)

    first = _queries_for_the_member(client, member)
    second = _queries_for_the_member(client, member)

    assert first >= 1
    assert second == 0


def test_without_the_cache_every_request_reads_the_member(
    make_member: MakeMember, client_for: ClientFor, settings: Settings
) -> None:
    settings.HEARTH_MEMBER_CACHE = False
    member = make_member()
    client = client_for(member)

    assert _queries_for_the_member(client, member) >= 1
    assert _queries_for_the_member(client, member) >= 1


def test_a_change_through_update_is_seen_by_the_next_request(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member()
    client = client_for(member)
    client.get(reverse("accounts:edit_profile"))

    User.objects.filter(pk=member.pk).update(display_name="Renamed Heron")

    assert "Renamed Heron" in client.get(reverse("accounts:edit_profile")).content.decode()


def test_a_change_through_save_is_seen_by_the_next_request(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member()
    client = client_for(member)
    client.get(reverse("accounts:edit_profile"))

    member.bio = "Saved through the model."
    member.save(update_fields=["bio"])

    assert (
        "Saved through the model." in client.get(reverse("accounts:edit_profile")).content.decode()
    )


def test_a_deactivated_account_is_signed_out_at_once(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member()
    client = client_for(member)
    assert client.get(reverse("accounts:edit_profile")).status_code == 200

    User.objects.filter(pk=member.pk).update(is_active=False)

    assert client.get(reverse("accounts:edit_profile")).status_code == 302


def test_the_bell_counts_a_notification_delivered_after_the_member_was_cached(
    make_member: MakeMember, client_for: ClientFor, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    starter = make_member()
    thread = make_thread(author=starter)
    client = client_for(starter)
    bell = '<span class="badge">1<span class="visually-hidden"> unread'
    assert bell not in client.get(reverse("accounts:edit_profile")).content.decode()

    make_reply(thread)
    run_due_tasks()

    assert bell in client.get(reverse("accounts:edit_profile")).content.decode()


def test_a_new_role_is_seen_at_once(make_member: MakeMember, client_for: ClientFor) -> None:
    member = make_member()
    client = client_for(member)
    assert client.get(reverse("moderation:queue")).status_code in {403, 404}

    User.objects.filter(pk=member.pk).update(role=Role.MODERATOR)

    assert client.get(reverse("moderation:queue")).status_code == 200


def test_a_suspension_is_seen_at_once(make_member: MakeMember, client_for: ClientFor) -> None:
    member = make_member()
    client = client_for(member)
    assert client.get(reverse("home")).status_code == 200

    User.objects.filter(pk=member.pk).update(
        suspended_until=timezone.now() + timedelta(days=1), suspension_is_partial=False
    )

    assert client.get(reverse("home"))["Location"].startswith("/suspended/")


def test_a_new_password_signs_out_the_other_sessions(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member()
    elsewhere = client_for(member)
    assert elsewhere.get(reverse("accounts:edit_profile")).status_code == 200

    member.set_password("a completely new passphrase")
    member.save()

    assert elsewhere.get(reverse("accounts:edit_profile")).status_code == 302


def test_a_row_cached_during_a_write_is_not_trusted_after_the_commit(
    make_member: MakeMember, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    """Another process may read the old row after the write's first token and before its
    commit, and cache it under that token: the token set at the commit outdates it."""
    member = make_member(display_name="Before")
    with django_capture_on_commit_callbacks(execute=True):
        User.objects.filter(pk=member.pk).update(display_name="After")
        # What the other process cached, between the first token and the commit:
        stale = User.objects.get(pk=member.pk)
        stale.display_name = "Before"
        token = cache.get(f"member-version:{member.pk}")
        cache.set(f"member-row:{member.pk}", ((token,), stale))
        assert load_member(member.pk).display_name == "Before"  # type: ignore[union-attr]

    loaded = load_member(member.pk)

    assert loaded is not None
    assert loaded.display_name == "After"


def test_a_lost_version_token_means_the_row_is_read_again(make_member: MakeMember) -> None:
    member = make_member(display_name="Kept")
    assert load_member(member.pk) is not None
    User.objects.filter(pk=member.pk).update(display_name="Changed")
    cache.delete(f"member-version:{member.pk}")  # evicted, as a full cache may

    loaded = load_member(member.pk)

    assert loaded is not None
    assert loaded.display_name == "Changed"


def test_a_deleted_member_is_nobody(make_member: MakeMember, client_for: ClientFor) -> None:
    member = make_member()
    client = client_for(member)
    client.get(reverse("accounts:edit_profile"))

    User.objects.filter(pk=member.pk).delete()

    assert load_member(member.pk) is None
    assert client.get(reverse("accounts:edit_profile")).status_code == 302


def test_ending_a_members_sessions_ends_their_cached_copies_too(
    make_member: MakeMember, client_for: ClientFor, settings: Settings
) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    member = make_member()
    client = client_for(member)
    assert client.get(reverse("accounts:edit_profile")).status_code == 200

    assert end_sessions_of(member.pk) == 1

    assert client.get(reverse("accounts:edit_profile")).status_code == 302


def test_an_unreachable_cache_means_the_database_is_asked(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member(display_name="Still Here")
    client = client_for(member)
    broken = ConnectionError("the cache is down")
    with (
        mock.patch.object(caches["default"], "get_many", side_effect=broken),
        mock.patch.object(caches["default"], "set_many", side_effect=broken),
    ):
        page = client.get(reverse("accounts:edit_profile"))
        User.objects.filter(pk=member.pk).update(bio="Written while the cache was down.")

    assert page.status_code == 200
    assert "Still Here" in page.content.decode()
