"""Uploads are served to members only, as the type they are allowed to be, from
local disk or (through a redirect to a signed URL) from S3-compatible storage."""

from __future__ import annotations

import io
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core.object_storage import object_storage_options
from hearth.core.tests.object_store import ACCESS_KEY, BUCKET, SECRET_KEY, throwaway_bucket
from hearth.member_data.deletion import delete_account
from hearth.member_data.export import build_archive
from hearth.member_data.models import PostsChoice


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (64, 64), (90, 140, 200)).save(output, format="PNG")
    return output.getvalue()


def _put_local(settings: Settings, name: str, data: bytes) -> None:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.mark.django_db
def test_a_local_image_is_served_inline_as_its_type(
    member_client: Client, settings: Settings
) -> None:
    _put_local(settings, "avatars/a1.webp", b"RIFF....WEBP")

    response = member_client.get("/media/avatars/a1.webp")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["Content-Disposition"] == 'inline; filename="a1.webp"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["avatars/page.html", "avatars/drawing.svg", "avatars/noext"])
def test_a_local_file_of_any_other_type_is_only_ever_a_download(
    member_client: Client, settings: Settings, name: str
) -> None:
    _put_local(settings, name, b"<script>alert(1)</script>")

    response = member_client.get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["avatars/../../secret_key", "avatars/a%20b.png", "avatars//x.png", ".hidden", "a\\b.png"],
)
def test_names_hearth_never_gives_a_file_are_not_found(member_client: Client, path: str) -> None:
    assert member_client.get(f"/media/{path}").status_code == 404


@pytest.fixture
def object_storage() -> Iterator[str]:
    """A local S3-compatible server (moto) with an empty bucket; Hearth pointed at it."""
    with throwaway_bucket() as endpoint:
        options = object_storage_options(BUCKET, region="us-east-1", endpoint_url=endpoint)
        options |= {"access_key": ACCESS_KEY, "secret_key": SECRET_KEY}
        storages = {
            "default": {
                "BACKEND": "hearth.core.object_storage.PrivateObjectStorage",
                "OPTIONS": options,
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=storages, HEARTH_MEDIA_BUCKET=BUCKET):
            yield endpoint


def _upload_avatar(member: User, client: Client) -> str:
    upload = SimpleUploadedFile("holiday.png", _png(), content_type="image/png")
    form = {
        "display_name": member.display_name,
        "bio": member.bio,
        "time_zone": member.time_zone,
        "language": member.language,
        "country": member.country.code,
        "avatar": upload,
    }
    assert client.post(reverse("accounts:edit_profile"), form).status_code == 302
    member.refresh_from_db()
    return str(member.avatar.name)


@pytest.mark.django_db
def test_an_avatar_in_object_storage_is_reached_through_the_site_then_a_signed_url(
    object_storage: str, member: User, member_client: Client
) -> None:
    name = _upload_avatar(member, member_client)
    assert member.avatar.url == f"/media/{name}"  # the site's address, never the bucket's

    response = member_client.get(member.avatar.url)

    assert response.status_code == 302
    signed = response["Location"]
    assert signed.startswith(f"{object_storage}/{BUCKET}/{name}?")
    assert "Signature" in signed
    assert set(response["Cache-Control"].split(", ")) == {"private", "max-age=240"}
    with urllib.request.urlopen(signed, timeout=10) as served:  # noqa: S310 - 127.0.0.1
        assert served.headers["Content-Type"] == "image/webp"
        assert served.headers["Content-Disposition"] == f'inline; filename="{Path(name).name}"'
        assert Image.open(io.BytesIO(served.read())).format == "WEBP"


@pytest.mark.django_db
def test_the_bucket_refuses_an_unsigned_address(
    object_storage: str, member: User, member_client: Client
) -> None:
    name = _upload_avatar(member, member_client)
    unsigned = f"{object_storage}/{BUCKET}/{name}"

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(unsigned, timeout=10)  # noqa: S310 - 127.0.0.1

    assert refused.value.code == 403


@pytest.mark.django_db
def test_a_visitor_is_sent_to_sign_in_never_to_the_bucket(
    object_storage: str, member: User, member_client: Client
) -> None:
    name = _upload_avatar(member, member_client)

    response = Client().get(f"/media/{name}")

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")


@pytest.mark.django_db
def test_deleting_an_account_deletes_the_avatar_from_the_bucket(
    object_storage: str,
    member: User,
    member_client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    name = _upload_avatar(member, member_client)
    storage = member.avatar.storage
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        delete_account(member.pk, posts=PostsChoice.KEEP)

    assert not storage.exists(name)


@pytest.mark.django_db
def test_a_data_export_takes_the_avatar_from_the_bucket(
    object_storage: str, member: User, member_client: Client
) -> None:
    _upload_avatar(member, member_client)

    archive = zipfile.ZipFile(
        io.BytesIO(build_archive(member, include_toolkit=False, now=timezone.now()))
    )

    avatars = [name for name in archive.namelist() if name.rsplit("/", 1)[-1] == "avatar.webp"]
    assert len(avatars) == 1
    assert Image.open(io.BytesIO(archive.read(avatars[0]))).format == "WEBP"
