"""A post that is too long gets Hearth's own message with the text kept, up to the
request limit; above it, a 413 page that names the limit."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hearth.core.text import MAX_SOURCE_BYTES
from hearth.forum.models import Post
from hearth.forum.testing import MakeThread

pytestmark = pytest.mark.django_db


def test_a_one_and_a_half_megabyte_reply_gets_hearths_message_and_keeps_the_text(
    make_thread: MakeThread, member_client: Client
) -> None:
    thread = make_thread()
    body = "I have so much to say. " * 70_000  # about 1.5 MB
    assert len(body.encode()) > 1_500_000

    response = member_client.post(
        reverse("forum:reply", args=[thread.pk]), {"body": body, "request_key": "long"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f"longer than we can accept ({MAX_SOURCE_BYTES // 1024} KB)" in page
    assert page.count("I have so much to say.") > 60_000  # the text is back in the composer
    assert Post.objects.filter(thread=thread).count() == 1


def test_a_body_above_the_request_limit_is_a_413_that_names_the_limit(
    make_thread: MakeThread, member_client: Client, settings: object
) -> None:
    thread = make_thread()

    response = member_client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": "x" * (5 * 1024 * 1024), "request_key": "huge"},
    )

    assert response.status_code == 413
    assert "at most 4 MB" in response.content.decode()


def test_the_composer_knows_the_size_limit(make_thread: MakeThread, member_client: Client) -> None:
    page = member_client.get(make_thread().get_absolute_url()).content.decode()

    assert f'data-max-bytes="{MAX_SOURCE_BYTES}"' in page
    assert "data-size-status" in page
