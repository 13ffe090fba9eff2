"""When the database is locked or away, members get a 503 that keeps their text, and
reading never fails because of a write the page could do without."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.urls import reverse

from hearth.accounts.models import User
from hearth.core.database_trouble import maintenance_response
from hearth.core.testing import ClientFor
from hearth.forum.models import Post, ReadState
from hearth.forum.testing import MakeThread

on_sqlite = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="holds SQLite's write lock from a second connection"
)


@contextmanager
def sqlite_write_lock_held() -> Iterator[None]:
    """Another connection holds the database's write lock (as a long write would)."""
    other = sqlite3.connect(str(connection.settings_dict["NAME"]), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


@contextmanager
def short_busy_timeout() -> Iterator[None]:
    """This test's connection waits 0.2 s for a lock instead of 5 s (the outcome is the same)."""
    connection.ensure_connection()
    raw: Any = connection.connection
    raw.execute("PRAGMA busy_timeout = 200")
    try:
        yield
    finally:
        raw.execute("PRAGMA busy_timeout = 5000")


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_a_reply_during_a_long_lock_is_a_503_that_keeps_the_text_and_the_request_key(
    make_thread: MakeThread, client_for: ClientFor, member: User
) -> None:
    thread = make_thread()
    client = client_for(member)
    form = {"body": "Words I must not lose.", "request_key": "kept-key-123"}

    with short_busy_timeout(), sqlite_write_lock_held():
        response = client.post(reverse("forum:reply", args=[thread.pk]), form)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "Words I must not lose." in page
    assert 'name="request_key" value="kept-key-123"' in page
    assert f'action="{reverse("forum:reply", args=[thread.pk])}"' in page
    assert not Post.objects.filter(thread=thread, author=member).exists()
    # Sending the kept form again, once the lock is gone, posts it once.
    resent = client.post(reverse("forum:reply", args=[thread.pk]), form)
    assert resent.status_code == 302
    assert Post.objects.filter(thread=thread, author=member).count() == 1


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_reading_a_thread_during_a_long_lock_still_shows_the_page(
    make_thread: MakeThread, client_for: ClientFor, member: User
) -> None:
    thread = make_thread(title="A thread to read")
    client = client_for(member)

    with short_busy_timeout(), sqlite_write_lock_held():
        response = client.get(thread.get_absolute_url())

    assert response.status_code == 200
    assert "A thread to read" in response.content.decode()
    assert not ReadState.objects.filter(member=member).exists()  # skipped, not failed
    client.get(thread.get_absolute_url())
    assert ReadState.objects.filter(member=member).exists()  # written on the next view


@pytest.mark.django_db
def test_a_database_outage_in_any_view_is_the_maintenance_page_not_a_500(
    member_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hearth.forum import selectors  # noqa: PLC0415

    def database_away(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(selectors, "get_home_page", database_away)

    response = member_client.get("/")

    assert response.status_code == 503
    assert "We'll be back in a moment" in response.content.decode().replace("&#x27;", "'")
    assert response["Retry-After"] == "30"


def test_the_maintenance_page_keeps_the_text_but_never_writes_back_a_password() -> None:
    posted = RequestFactory().post(
        "/accounts/login/", {"login": "fern", "password": "secret words here", "body": "Kept."}
    )

    page = maintenance_response(posted).content.decode()

    assert "secret words here" not in page
    assert "Kept." in page
    assert 'name="login" value="fern"' in page


@pytest.mark.django_db
def test_readyz_checks_the_database(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    assert client.get("/readyz").content == b"ready\n"

    def broken_cursor(*args: object, **kwargs: object) -> None:
        raise OperationalError("the database is away")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/readyz")

    assert response.status_code == 503
    assert b"database unreachable" in response.content


def test_healthz_is_liveness_without_the_database(client: Client) -> None:
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_a_session_change_while_reading_is_skipped_when_the_database_is_away(
    member_client: Client, make_thread: MakeThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415

    thread = make_thread(title="Read while the database hiccups")
    session = member_client.session
    session["hearth_crisis_panel"] = {"post_id": 1, "thread_id": thread.pk, "item_id": 1}
    session.save()

    def locked(*args: object, **kwargs: object) -> None:
        raise OperationalError("database is locked")

    monkeypatch.setattr(SessionStore, "save", locked)
    response = member_client.get(thread.get_absolute_url())  # takes the note out of the session

    assert response.status_code == 200
    assert "Read while the database hiccups" in response.content.decode()
