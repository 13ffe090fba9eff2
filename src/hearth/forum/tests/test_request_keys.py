"""Request keys: a resent form posts once; resent with other words it is a 409 that keeps
both texts; a resend is answered with its post even over the rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from hearth.forum.models import Category, Post, Thread
from hearth.forum.testing import MakeThread

pytestmark = pytest.mark.django_db


def test_resending_a_reply_with_other_words_is_a_409_that_shows_both_texts(
    make_thread: MakeThread, member_client: Client
) -> None:
    thread = make_thread()
    url = reverse("forum:reply", args=[thread.pk])
    member_client.post(url, {"body": "First words.", "request_key": "same-key"})

    response = member_client.post(url, {"body": "Second thoughts.", "request_key": "same-key"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "First words." in page
    assert "Second thoughts." in page
    assert 'value="same-key"' not in page  # the new composer posts under a fresh key
    assert list(
        Post.objects.filter(thread=thread, position__gt=1).values_list("body", flat=True)
    ) == ["First words."]


def test_resending_a_new_thread_with_other_words_is_a_409(
    category: Category, member_client: Client
) -> None:
    url = reverse("forum:new_thread", args=[category.slug])
    form = {"title": "A hard week", "body": "First words.", "request_key": "thread-key"}
    member_client.post(url, form)

    response = member_client.post(url, {**form, "body": "Other words."})

    assert response.status_code == 409
    assert Thread.objects.count() == 1


def test_resending_the_same_reply_over_the_rate_limit_answers_with_the_post(
    make_thread: MakeThread, member_client: Client, settings: Any
) -> None:
    thread = make_thread()
    url = reverse("forum:reply", args=[thread.pk])
    form = {"body": "Posted once.", "request_key": "resent-key"}
    first = member_client.post(url, form)
    for number in range(30):  # well over the limit of 20 posts in 10 minutes
        member_client.post(url, {"body": f"More {number}", "request_key": f"k{number}"})

    resent = member_client.post(url, form)

    assert resent.status_code == 302
    assert resent["Location"] == first["Location"]
    assert Post.objects.filter(body="Posted once.").count() == 1


def test_a_title_of_only_invisible_characters_is_refused_with_the_text_kept(
    category: Category, member_client: Client
) -> None:
    response = member_client.post(
        reverse("forum:new_thread", args=[category.slug]),
        {"title": "\u200b\u200d\u2060 ", "body": "Words worth keeping.", "request_key": "t"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "at least one letter or number" in page
    assert "Words worth keeping." in page
    assert not Thread.objects.exists()
