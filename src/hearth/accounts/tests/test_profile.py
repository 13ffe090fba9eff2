"""A member's profile: display name, bio, avatar (stripped of metadata), time zone, language."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.accounts.testing import profile_form

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
CAMERA_MAKE = 0x010F


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (640, 480), (200, 120, 80))
    exif = Image.Exif()
    exif[CAMERA_MAKE] = "Hearth Test Camera"
    exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    data = output.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), "the fixture must carry GPS"
    return data


def test_an_uploaded_photo_is_stored_without_exif_or_location(
    member: User, member_client: Client
) -> None:
    upload = SimpleUploadedFile("holiday.jpg", _jpeg_with_gps(), content_type="image/jpeg")

    response = member_client.post(
        reverse("accounts:edit_profile"), profile_form(member, avatar=upload)
    )

    assert response.status_code == 302
    member.refresh_from_db()
    stored_name = str(member.avatar.name)
    assert stored_name.startswith("avatars/")
    assert "holiday" not in stored_name
    with member.avatar.open("rb") as stored:
        data = stored.read()
    stored_image = Image.open(io.BytesIO(data))
    assert stored_image.format == "WEBP"
    assert stored_image.size == (256, 256)
    assert not stored_image.getexif()
    assert b"Hearth Test Camera" not in data
    assert "exif" not in stored_image.info
    assert member.profile_version == 2


def test_a_text_file_named_png_is_refused_with_a_message(
    member: User, member_client: Client
) -> None:
    upload = SimpleUploadedFile("me.png", b"this is not an image at all", content_type="image/png")

    response = member_client.post(
        reverse("accounts:edit_profile"), profile_form(member, avatar=upload, bio="kept text")
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "That file is not an image we can use" in page
    assert "kept text" in page  # what was typed is still in the form
    member.refresh_from_db()
    assert not member.avatar
    assert member.bio == ""


def test_an_avatar_over_the_size_limit_is_refused(
    member: User,
    member_client: Client,
    settings: Settings,
) -> None:
    settings.HEARTH_AVATAR_MAX_BYTES = 1000
    upload = SimpleUploadedFile(
        "big.jpg", _jpeg_with_gps() + b"\0" * 2000, content_type="image/jpeg"
    )

    response = member_client.post(
        reverse("accounts:edit_profile"), profile_form(member, avatar=upload)
    )

    assert response.status_code == 400
    assert "That image is too large" in response.content.decode()


def test_a_member_changes_name_bio_time_zone_and_language(
    member: User, member_client: Client
) -> None:
    response = member_client.post(
        reverse("accounts:edit_profile"),
        profile_form(
            member, display_name="Night Owl", bio="Hello", time_zone="Europe/Berlin", language="de"
        ),
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.display_name, member.bio, member.time_zone, member.language) == (
        "Night Owl",
        "Hello",
        "Europe/Berlin",
        "de",
    )
    assert member.profile_version == 2
    page = member_client.get(member.get_absolute_url())
    assert page["Content-Language"] == "de"
    assert "Night Owl" in page.content.decode()


def test_an_unknown_time_zone_is_refused(member: User, member_client: Client) -> None:
    response = member_client.post(
        reverse("accounts:edit_profile"), profile_form(member, time_zone="Mars/Olympus_Mons")
    )

    assert response.status_code == 400
    member.refresh_from_db()
    assert member.time_zone == "UTC"


def test_removing_the_avatar_deletes_the_file_once_saved(
    member: User,
    member_client: Client,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    upload = SimpleUploadedFile("me.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    member_client.post(reverse("accounts:edit_profile"), profile_form(member, avatar=upload))
    member.refresh_from_db()
    storage, name = member.avatar.storage, str(member.avatar.name)
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("accounts:edit_profile"), profile_form(member, remove_avatar="on")
        )

    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.avatar
    assert not storage.exists(name)
