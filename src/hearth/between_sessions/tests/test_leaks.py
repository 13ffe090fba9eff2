"""Nothing from the toolkit shows up anywhere else.

A unique marker goes into every kind of toolkit item (through the real pages
and through the services). Then every other page of the site that needs no
parameters, the member's public profile, the Django admin (index, app list,
member list, the member's change and delete pages), every email sent and
every log record - including the SQL that Django logs with its parameters -
must not contain it. New pages of other apps (search, feeds, ...) are
picked up automatically from the URL configuration.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from hearth.accounts.models import User
from hearth.between_sessions.tests.conftest import MARKER, fill_toolkit
from hearth.core.tasks import run_due_tasks

pytestmark = pytest.mark.django_db


def parameterless_paths(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "/"
) -> Iterator[str]:
    """Every path in the URL configuration that takes no parameters."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        regex = pattern.pattern.regex
        if regex.groups or "<" in route:
            continue
        route = route.removeprefix("^").removesuffix("$").replace("\\", "")
        if isinstance(pattern, URLResolver):
            yield from parameterless_paths(pattern.url_patterns, prefix + route)
        else:
            yield prefix + route


def pages_outside_the_toolkit() -> list[str]:
    paths = []
    for path in sorted(set(parameterless_paths())):
        try:
            match = resolve(path)
        except Exception:  # noqa: S112 - a pattern that does not resolve on its own
            continue
        if match.namespace != "between_sessions":
            paths.append(path)
    return paths


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger at DEBUG, including Django's SQL log with its parameters."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    forced = connection.force_debug_cursor
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = forced


def create_toolkit_through_the_pages(client: Client) -> None:
    posts = [
        ("check_in", {"feeling_1": "sad.lonely", "intensity_1": "6", "note": f"ci {MARKER}"}),
        ("entry_new", {"text": f"entry {MARKER}", "trigger": "weekend", "bring_to_session": "on"}),
        ("session_note_add", {"section": "not_said", "text": f"unsaid {MARKER}"}),
        ("plan_edit", {"warning_signs": f"sign {MARKER}", "what_matters": f"matters {MARKER}"}),
        ("member_card_new", {"kind": "words", "front": f"words {MARKER}"}),
        ("break_new", {"kind": "holiday", "starts_on": "2030-01-01", "what_ill_do": MARKER}),
    ]
    for name, data in posts:
        response = client.post(reverse(f"between_sessions:{name}"), data)
        assert response.status_code == 302, (name, response.content.decode()[:2000])
    # A form error re-renders with what was typed: the marker goes back to its owner only.
    response = client.post(
        reverse("between_sessions:check_in"), {"feeling_1": "sad", "note": f"bad {MARKER}"}
    )
    assert response.status_code == 400


def test_toolkit_text_appears_nowhere_else(
    owner: User,
    other_member: User,
    administrator: User,
    client_for: Callable[[User], Client],
    every_log_record: pytest.LogCaptureFixture,
) -> None:
    owner_client = client_for(owner)
    create_toolkit_through_the_pages(owner_client)
    fill_toolkit(owner)
    assert MARKER in owner_client.get(reverse("between_sessions:export_json")).content.decode()

    Client().post(reverse("account_reset_password"), {"email": owner.email})
    run_due_tasks()
    assert mail.outbox, "the password reset should have sent one email to check"

    pages = [
        *pages_outside_the_toolkit(),
        owner.get_absolute_url(),
        "/admin/accounts/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{owner.pk}/change/",
        f"/admin/accounts/user/{owner.pk}/delete/",
        "/admin/auth/group/",
    ]
    assert "/" in pages
    assert "/admin/" in pages
    seen: dict[str, int] = {}
    for viewer in (owner, other_member, administrator):
        client = client_for(viewer)
        client.raise_request_exception = False
        for path in pages:
            response = client.get(path)
            seen[path] = response.status_code
            body = b"".join(response) if response.streaming else response.content
            assert MARKER not in body.decode(errors="replace"), (viewer.username, path)
    assert seen["/admin/"] == 200
    assert seen[f"/admin/accounts/user/{owner.pk}/delete/"] == 200

    for message in mail.outbox:
        assert MARKER not in message.message().as_string()

    sql_records = [r for r in every_log_record.records if r.name == "django.db.backends"]
    assert any("between_sessions_journalentry" in r.getMessage() for r in sql_records)
    for record in every_log_record.records:
        assert MARKER not in record.getMessage(), record.name
        assert MARKER not in repr(record.args), record.name
    assert MARKER not in every_log_record.text


def test_no_toolkit_model_is_in_the_django_admin() -> None:
    from django.contrib import admin  # noqa: PLC0415

    registered = {model._meta.app_label for model in admin.site._registry}

    assert "between_sessions" not in registered
    assert Client().get("/admin/between_sessions/").status_code in {302, 404}


def test_deleting_a_member_in_the_admin_does_not_reveal_that_they_kept_a_toolkit(
    owner: User, administrator: User, client_for: Callable[[User], Client]
) -> None:
    fill_toolkit(owner)
    client = client_for(administrator)

    page = client.get(f"/admin/accounts/user/{owner.pk}/delete/").content.decode()

    assert "toolkit" not in page.lower()
    client.post(f"/admin/accounts/user/{owner.pk}/delete/", {"post": "yes"})
    assert not User.objects.filter(pk=owner.pk).exists()
