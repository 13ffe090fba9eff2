"""Writing through the API: the services the pages use, with their request keys, rate
limits and edit conflicts; CSRF with the session, none with a token; bad input a 4xx."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory

from hearth.accounts.models import User
from hearth.api.tests.conftest import BearerClient
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post, Reaction, Thread
from hearth.forum.selectors import POSTS_PER_PAGE
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread

pytestmark = pytest.mark.django_db


def _send(client: Client, method: str, url: str, data: object, **headers: str) -> Any:
    sent = getattr(client, method)(
        url, json.dumps(data), content_type="application/json", headers=headers
    )
    return sent


def test_a_member_starts_a_thread_and_a_retry_starts_it_once(
    member: User, make_category: MakeCategory, bearer_client: BearerClient
) -> None:
    category = make_category()
    client = bearer_client(member)
    thread = {"title": "Endings", "body": "Our last session is in May.", "request_key": "k-1"}

    first = _send(client, "post", f"/api/v1/categories/{category.slug}/threads", thread)
    again = _send(client, "post", f"/api/v1/categories/{category.slug}/threads", thread)

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json()["thread"]["id"] == again.json()["thread"]["id"]
    assert first.json()["post"]["body_html"] == "<p>Our last session is in May.</p>\n"
    assert Thread.objects.filter(category=category).count() == 1


def test_the_same_key_with_other_words_is_a_conflict_keeping_both_texts(
    member: User, make_thread: MakeThread, bearer_client: BearerClient
) -> None:
    thread = make_thread()
    client = bearer_client(member)
    url = f"/api/v1/threads/{thread.pk}/posts"

    _send(client, "post", url, {"body": "First words"}, **{"Idempotency-Key": "same"})
    conflict = _send(client, "post", url, {"body": "Other words"}, **{"Idempotency-Key": "same"})

    assert conflict.status_code == 409
    error = conflict.json()["error"]
    assert error["code"] == "request_key_reused"
    assert (error["conflict"]["current_body"], error["conflict"]["sent_body"]) == (
        "First words",
        "Other words",
    )
    assert Post.objects.filter(thread=thread).count() == 2


def test_an_edit_from_an_old_revision_is_a_conflict_that_keeps_both_texts(
    member: User, make_thread: MakeThread, bearer_client: BearerClient
) -> None:
    post = make_thread(author=member, body="Version one").posts.get()
    client = bearer_client(member)
    url = f"/api/v1/posts/{post.pk}"

    saved = _send(client, "patch", url, {"body": "Version two", "base_revision": 1})
    conflict = _send(client, "patch", url, {"body": "Version three", "base_revision": 1})

    assert saved.status_code == 200
    assert (saved.json()["revision"], saved.json()["source"]) == (2, "Version two")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["conflict"] == {
        "current_body": "Version two",
        "current_revision": 2,
        "edited_by_name": member.display_name,
        "sent_body": "Version three",
        "existing_id": None,
    }
    post.refresh_from_db()
    assert post.body == "Version two"


def test_a_member_deletes_their_post_and_not_someone_elses(
    member: User, make_thread: MakeThread, make_reply: MakeReply, bearer_client: BearerClient
) -> None:
    thread = make_thread()
    mine, theirs = make_reply(thread, author=member), make_reply(thread)
    client = bearer_client(member)

    deleted = client.delete(f"/api/v1/posts/{mine.pk}")
    refused = client.delete(f"/api/v1/posts/{theirs.pk}")

    assert deleted.status_code == 204
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert [Post.objects.get(pk=each.pk).is_deleted for each in (mine, theirs)] == [True, False]


def test_reacting_twice_reacts_once_and_taking_it_back_takes_it_back(
    member: User, make_thread: MakeThread, bearer_client: BearerClient
) -> None:
    post = make_thread().posts.get()
    client = bearer_client(member)
    url = f"/api/v1/posts/{post.pk}/reactions/hug"

    client.put(url)
    on = client.put(url)
    count_on = Reaction.objects.filter(post=post).count()
    off = client.delete(url)

    assert on.status_code == 200
    assert (on.json()["is_on"], on.json()["post"]["reactions"]["hug"]) == (True, 1)
    assert on.json()["post"]["own_reactions"] == ["hug"]
    assert count_on == 1
    assert (off.json()["is_on"], off.json()["post"]["reactions"]["hug"]) == (False, 0)
    assert client.put(f"/api/v1/posts/{post.pk}/reactions/shrug").status_code == 422


def test_posting_past_the_rate_limit_is_429_but_a_retry_still_answers(
    member: User, make_thread: MakeThread, bearer_client: BearerClient, settings: Any
) -> None:
    thread = make_thread()
    client = bearer_client(member)
    url = f"/api/v1/threads/{thread.pk}/posts"
    limit = int(settings.HEARTH_POST_RATE_LIMIT.split("/")[0])
    answers = [
        _send(client, "post", url, {"body": f"Reply {n}", "request_key": f"r{n}"}).status_code
        for n in range(limit)
    ]

    over = _send(client, "post", url, {"body": "One more", "request_key": "new"})
    retry = _send(client, "post", url, {"body": "Reply 0", "request_key": "r0"})

    assert answers == [201] * limit
    assert over.status_code == 429
    assert over.json()["error"]["code"] == "rate_limited"
    assert retry.status_code == 201
    assert Post.objects.filter(thread=thread).count() == limit + 1


def test_the_session_needs_the_csrf_token_to_write(member: User, make_thread: MakeThread) -> None:
    thread = make_thread()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    url = f"/api/v1/threads/{thread.pk}/posts"

    refused = _send(client, "post", url, {"body": "Hello"})
    client.get("/api/v1/me")  # reading needs no token
    token = get_token(RequestFactory().get("/"))
    client.cookies["csrftoken"] = token
    accepted = _send(client, "post", url, {"body": "Hello"}, **{"X-CSRFToken": token})

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert accepted.status_code == 201


def test_a_visitor_may_read_a_public_category_but_not_write(
    make_category: MakeCategory, make_thread: MakeThread
) -> None:
    from hearth.forum.models import Visibility  # noqa: PLC0415 - beside its one use

    thread = make_thread(category=make_category(visibility=Visibility.PUBLIC))

    read = Client().get(f"/api/v1/threads/{thread.pk}")
    written = _send(Client(), "post", f"/api/v1/threads/{thread.pk}/posts", {"body": "Hi"})
    members_only = Client().get(f"/api/v1/threads/{make_thread().pk}")

    assert read.status_code == 200
    assert (written.status_code, members_only.status_code) == (401, 401)


def test_a_thread_page_pages_by_position(
    member: User, make_thread: MakeThread, make_reply: MakeReply, bearer_client: BearerClient
) -> None:
    thread = make_thread()
    for _number in range(POSTS_PER_PAGE):
        make_reply(thread)
    client = bearer_client(member)

    first = client.get(f"/api/v1/threads/{thread.pk}").json()
    second = client.get(f"/api/v1/threads/{thread.pk}?page=2").json()
    past = client.get(f"/api/v1/threads/{thread.pk}?page=3")

    assert (first["page_count"], len(first["posts"]), len(second["posts"])) == (2, 20, 1)
    assert second["posts"][0]["position"] == POSTS_PER_PAGE + 1
    assert past.status_code == 404


@pytest.mark.parametrize(
    ("method", "url", "body", "status"),
    [
        ("post", "/api/v1/threads/{thread}/posts", {"body": "a\x00b"}, 422),
        ("post", "/api/v1/threads/{thread}/posts", {"body": 12}, 422),
        ("post", "/api/v1/threads/{thread}/posts", {"body": "   "}, 422),
        ("post", "/api/v1/threads/{thread}/posts", {"body": "x" * 70_000}, 422),
        ("post", "/api/v1/threads/{thread}/posts", [1, 2], 422),
        (
            "post",
            "/api/v1/threads/{thread}/posts",
            {"body": "Hi", "content_note": {"label_ids": [10**30]}},
            422,
        ),
        (
            "post",
            "/api/v1/threads/{thread}/posts",
            {"body": "Hi", "content_note": {"label_ids": [999_999]}},
            422,
        ),
        ("post", "/api/v1/threads/99999999999999999999/posts", {"body": "Hi"}, 404),
        ("get", "/api/v1/threads/{thread}?page=abc", None, 422),
        ("get", "/api/v1/threads/{thread}?page=99999999999999999999", None, 422),
        ("get", "/api/v1/threads/-1", None, 404),
        ("get", "/api/v1/threads/0", None, 404),
        ("get", "/api/v1/categories/x/threads?after=garbage", None, 404),
        (
            "get",
            "/api/v1/notifications?before=2024-01-01T00:00:00~999999999999999999999",
            None,
            422,
        ),
        ("get", "/api/v1/conversations?before=nonsense", None, 422),
        ("patch", "/api/v1/posts/{post}", {"body": "x", "base_revision": 10**40}, 422),
        ("put", "/api/v1/posts/{post}/reactions/hug%00", None, 404),
    ],
)
def test_bad_input_is_a_4xx_in_the_error_shape(
    method: str,
    url: str,
    body: object,
    status: int,
    member: User,
    make_thread: MakeThread,
    bearer_client: BearerClient,
) -> None:
    thread = make_thread(author=member)
    address = url.format(thread=thread.pk, post=thread.posts.get().pk)
    client = bearer_client(member)

    if body is None:
        response = getattr(client, method)(address)
    else:
        response = _send(client, method, address, body)

    assert response.status_code == status
    assert set(response.json()) == {"error"}
    assert {"code", "message"} <= set(response.json()["error"])


def test_a_form_posted_body_is_refused_in_the_error_shape(
    member: User, make_thread: MakeThread, bearer_client: BearerClient
) -> None:
    thread = make_thread()

    response = bearer_client(member).post(
        f"/api/v1/threads/{thread.pk}/posts", {"body": "Hello", "request_key": "walk"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_method_a_route_does_not_take_is_405_in_the_error_shape(
    member: User, bearer_client: BearerClient
) -> None:
    response = bearer_client(member).post("/api/v1/me")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_an_anonymous_reply_answers_with_the_pseudonym_only(
    member: User,
    make_category: MakeCategory,
    make_thread: MakeThread,
    bearer_client: BearerClient,
) -> None:
    thread = make_thread(category=make_category(allow_anonymous=True))

    response = _send(
        bearer_client(member),
        "post",
        f"/api/v1/threads/{thread.pk}/posts",
        {"body": "Hard week", "anonymous": True},
    )

    author = response.json()["author"]
    assert response.status_code == 201
    assert author["username"] is None
    assert author["name"].startswith("Anonymous")
    assert member.username not in response.content.decode()


def test_conversations_are_read_only_by_their_participants(
    make_member: MakeMember, bearer_client: BearerClient, client_for: ClientFor
) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    from hearth.conversations.models import AllowFrom, MessagingSettings  # noqa: PLC0415
    from hearth.conversations.services import start_conversation  # noqa: PLC0415

    long_ago = timezone.now() - timedelta(days=30)
    starter, other, outsider = (make_member(date_joined=long_ago) for _n in range(3))
    MessagingSettings.objects.create(member=other, allow_from=AllowFrom.EVERYONE)
    started = start_conversation(
        starter=starter, recipients=[other], title="", body="canaryprivate", request_key="c1"
    )

    mine = bearer_client(other).get(f"/api/v1/conversations/{started.pk}")
    listed = bearer_client(other).get("/api/v1/conversations").json()
    outside = bearer_client(outsider).get(f"/api/v1/conversations/{started.pk}")
    sent = _send(
        bearer_client(other),
        "post",
        f"/api/v1/conversations/{started.pk}/messages",
        {"body": "Thank you"},
    )

    assert mine.status_code == 200
    assert "canaryprivate" in mine.json()["messages"][0]["body_html"]
    assert [row["id"] for row in listed["conversations"]] == [started.pk]
    assert outside.status_code == 404
    assert "canaryprivate" not in outside.content.decode()
    assert sent.status_code == 201


def test_a_member_asks_for_their_data_export_and_sees_it_queued(
    member: User, bearer_client: BearerClient, make_member: MakeMember
) -> None:
    client = bearer_client(member)

    asked = _send(client, "post", "/api/v1/me/exports", {"include_toolkit": False})
    again = _send(client, "post", "/api/v1/me/exports", {})
    listed = client.get("/api/v1/me/exports").json()
    someone_else = bearer_client(make_member()).get(
        f"/api/v1/me/exports/{asked.json()['id']}/download"
    )

    assert (asked.status_code, asked.json()["state"]) == (202, "queued")
    assert again.status_code == 429
    assert [each["id"] for each in listed["exports"]] == [asked.json()["id"]]
    assert listed["can_request"] is False
    assert someone_else.status_code == 404
