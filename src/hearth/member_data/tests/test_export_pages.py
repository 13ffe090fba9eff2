"""Asking for an archive and downloading it: the member's page, the limits, the download
that only its member gets (anyone else: the same 404 as a missing id), expiry and purge."""

from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from hearth.accounts.models import Role, User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import ClientFor, MakeMember
from hearth.member_data.export_tasks import (
    GIVEN_UP_AFTER,
    MOST_EXPORTS_PER_DAY,
    STRAY_FILE_AGE,
    exports_directory,
    file_of,
    purge_exports,
    request_data_export,
)
from hearth.member_data.models import DataExport, ExportState

pytestmark = pytest.mark.django_db

PAGE = reverse("member_data_export:export")


def _download_url(export_id: int) -> str:
    return reverse("member_data_export:download", kwargs={"export_id": export_id})


def _ready_export(member: User, *, include_toolkit: bool = False) -> DataExport:
    export = request_data_export(member=member, include_toolkit=include_toolkit)
    run_due_tasks()
    export.refresh_from_db()
    assert export.state == ExportState.READY
    return export


def _without_per_request_values(content: bytes) -> str:
    """A page with its per-request CSRF token and CSP nonce masked, to compare two pages."""
    return re.sub(
        r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+', r"\1-", content.decode()
    )


# --- The page ----------------------------------------------------------------------------


def test_the_page_says_what_the_archive_holds_and_offers_the_toolkit(
    member: User, member_client: Client
) -> None:
    response = member_client.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Download your data" in page
    assert "Your posts" in page
    assert "Conversations" in page
    assert 'name="include_toolkit"' in page
    assert "You have no archive ready to download." in page


def test_asking_queues_one_archive_that_the_worker_builds(
    member: User, member_client: Client
) -> None:
    response = member_client.post(PAGE, {"include_toolkit": "on"})

    assert response.status_code == 302
    export = DataExport.objects.get(member=member)
    assert export.state == ExportState.QUEUED
    assert export.include_toolkit is True
    assert "Being prepared" in member_client.get(PAGE).content.decode()

    assert run_due_tasks() == 1

    export.refresh_from_db()
    assert export.state == ExportState.READY
    assert export.expires_at is not None
    assert export.ready_at is not None
    assert export.expires_at - export.ready_at == timedelta(days=7)
    path = file_of(export)
    assert path.stat().st_size == export.size_bytes
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(exports_directory().stat().st_mode) == 0o700
    assert len(export.file_name) > 40  # random, not guessable, says nothing of the member
    assert member.username not in export.file_name
    page = member_client.get(PAGE).content.decode()
    assert _download_url(export.pk) in page


def test_the_page_costs_the_same_queries_with_one_archive_or_many(
    member: User,
    member_client: Client,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    _ready_export(member)
    member_client.get(PAGE)  # warm what every page loads once per process
    with django_assert_num_queries(3):
        member_client.get(PAGE)

    DataExport.objects.create(member=member, state=ExportState.FAILED)
    _ready_export(member)

    with django_assert_num_queries(3):
        response = member_client.get(PAGE)
    assert response.content.decode().count("/download/") == 2


def test_only_one_archive_is_prepared_at_a_time(member: User, member_client: Client) -> None:
    member_client.post(PAGE, {})

    response = member_client.post(PAGE, {"include_toolkit": "on"})

    assert response.status_code == 429
    assert "still being prepared" in response.content.decode()
    assert DataExport.objects.filter(member=member).count() == 1


def test_a_member_may_ask_for_a_few_archives_a_day(member: User, member_client: Client) -> None:
    for _number in range(MOST_EXPORTS_PER_DAY):
        _ready_export(member)
    DataExport.objects.create(member=member, state=ExportState.FAILED)  # not counted

    response = member_client.post(PAGE, {})

    assert response.status_code == 429
    assert "3 archives a day" in response.content.decode()
    assert DataExport.objects.filter(member=member).count() == MOST_EXPORTS_PER_DAY + 1

    DataExport.objects.filter(member=member).update(
        requested_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    assert member_client.post(PAGE, {}).status_code == 302


@pytest.mark.parametrize(
    "data",
    [
        {"include_toolkit": "maybe"},
        {"include_toolkit": ["on", "off"]},
        {"include_toolkit": "x" * 10_000, "member": "1", "state": "ready", "file_name": "../x"},
        {"include_toolkit": "\u202e\U0001f600"},
    ],
)
def test_odd_form_data_is_ignored_or_refused_never_a_server_error(
    member: User, member_client: Client, data: dict[str, object]
) -> None:
    response = member_client.post(PAGE, data)

    assert response.status_code in (302, 400)
    for export in DataExport.objects.filter(member=member):
        assert export.state == ExportState.QUEUED
        assert export.file_name == ""


def test_other_methods_are_refused(member_client: Client) -> None:
    assert member_client.put(PAGE).status_code == 405
    assert member_client.post(_download_url(1)).status_code == 405


# --- The download ----------------------------------------------------------------------------


def test_the_member_downloads_their_archive_as_a_private_attachment(
    member: User, member_client: Client
) -> None:
    export = _ready_export(member)

    response = member_client.get(_download_url(export.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert re.fullmatch(
        r'attachment; filename="hearth-data-\d{4}-\d{2}-\d{2}\.zip"',
        response["Content-Disposition"],
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    assert {name.split("/", 1)[1] for name in archive.namelist()} == {"data.json", "index.html"}


@pytest.mark.parametrize(
    "fields",
    [
        {},
        {"role": Role.MODERATOR},
        {"role": Role.ADMINISTRATOR},
        {"is_superuser": True, "is_staff": True},
    ],
    ids=["member", "moderator", "administrator", "superuser"],
)
def test_anyone_else_gets_the_404_of_a_missing_id(
    fields: dict[str, Any], member: User, make_member: MakeMember, client_for: ClientFor
) -> None:
    export = _ready_export(member, include_toolkit=True)
    snoop = client_for(make_member(**fields))

    seen = snoop.get(_download_url(export.pk))
    unseen = snoop.get(_download_url(export.pk + 1000))

    assert seen.status_code == unseen.status_code == 404
    assert _without_per_request_values(seen.content) == _without_per_request_values(unseen.content)
    assert "Content-Disposition" not in seen


def test_a_visitor_is_sent_to_sign_in_whether_or_not_the_archive_exists(member: User) -> None:
    export = _ready_export(member)
    visitor = Client()

    seen = visitor.get(_download_url(export.pk))
    unseen = visitor.get(_download_url(export.pk + 1000))

    assert seen.status_code == unseen.status_code == 302
    assert "/accounts/login/" in seen["Location"]
    assert seen["Location"].replace(str(export.pk), "N") == unseen["Location"].replace(
        str(export.pk + 1000), "N"
    )
    assert visitor.get(PAGE).status_code == 302


@pytest.mark.parametrize(
    "path",
    [
        "/settings/data/abc/download/",
        "/settings/data/-1/download/",
        "/settings/data/1.0/download/",
        f"/settings/data/{'9' * 40}/download/",
        "/settings/data/%20/download/",
    ],
)
def test_an_id_that_is_not_one_is_a_404(member_client: Client, path: str) -> None:
    assert member_client.get(path).status_code == 404


def test_an_archive_still_being_prepared_cannot_be_downloaded(
    member: User, member_client: Client
) -> None:
    export = request_data_export(member=member, include_toolkit=False)

    assert member_client.get(_download_url(export.pk)).status_code == 404


def test_an_expired_archive_is_a_404_and_the_purge_deletes_it(
    member: User, member_client: Client
) -> None:
    export = _ready_export(member)
    path = file_of(export)
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert member_client.get(_download_url(export.pk)).status_code == 404
    assert _download_url(export.pk) not in member_client.get(PAGE).content.decode()
    assert path.exists()

    assert purge_exports() >= 1

    assert not path.exists()
    assert not DataExport.objects.filter(pk=export.pk).exists()


def test_the_purge_keeps_live_archives_and_clears_what_no_export_names(member: User) -> None:
    live = _ready_export(member)
    stray = exports_directory() / "left-behind.zip"
    stray.write_bytes(b"old")
    long_ago = (timezone.now() - STRAY_FILE_AGE - timedelta(minutes=1)).timestamp()
    os.utime(stray, (long_ago, long_ago))
    fresh = exports_directory() / "being-written.zip"
    fresh.write_bytes(b"new")
    stuck = DataExport.objects.create(
        member=member, requested_at=timezone.now() - GIVEN_UP_AFTER - timedelta(minutes=1)
    )

    purge_exports()

    assert file_of(live).exists()
    assert not stray.exists()
    assert fresh.exists()
    stuck.refresh_from_db()
    assert stuck.state == ExportState.FAILED
    fresh.unlink()


def test_the_purge_runs_with_the_housekeeping() -> None:
    from hearth.core.housekeeping import run_housekeeping  # noqa: PLC0415

    assert "data exports purged" in run_housekeeping()


def test_a_build_that_finds_its_export_gone_leaves_no_file(member: User) -> None:
    export = request_data_export(member=member, include_toolkit=False)
    before = set(Path(exports_directory()).iterdir())
    DataExport.objects.filter(pk=export.pk).delete()

    run_due_tasks()

    assert set(Path(exports_directory()).iterdir()) == before
