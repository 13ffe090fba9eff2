"""GET /api/v1/search: the search page's results and rules, as JSON."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Visibility
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.services import hide_post
from hearth.search.tests.conftest import Find

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/search"


def test_the_api_finds_what_the_page_finds(
    make_thread: MakeThread, make_reply: MakeReply, member_client: Client, find: Find
) -> None:
    thread = make_thread(title="Endings", body="Nothing here.")
    for number in range(25):
        make_reply(thread, body=f"A planned ending, note {number}.")
    run_due_tasks()

    first = member_client.get(SEARCH, {"q": "ending", "sort": "newest"}).json()
    second = member_client.get(
        SEARCH, {"q": "ending", "sort": "newest", "after": first["next_cursor"]}
    ).json()

    found = [hit["post_id"] for hit in first["hits"] + second["hits"]]
    assert found[:20] == find(member_client, "ending", sort="newest")
    assert len(found) == len(set(found)) == 26
    assert second["next_cursor"] is None
    assert "<mark>ending</mark>" in first["hits"][0]["excerpt_html"]


def test_the_api_leaves_out_what_the_visibility_policy_keeps_from_the_member(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
    make_member: MakeMember,
    moderator: User,
    client_for: ClientFor,
) -> None:
    hidden = make_reply(make_thread(), body="canaryapi hidden")
    hide_post(moderator=moderator, post=hidden, reason="Names a clinic.")
    staff = make_category(visibility=Visibility.MODERATORS)
    make_thread(author=moderator, category=staff, body="canaryapi staff")
    run_due_tasks()

    member_answer = client_for(make_member()).get(SEARCH, {"q": "canaryapi"})
    moderator_answer = client_for(moderator).get(SEARCH, {"q": "canaryapi"})

    assert member_answer.status_code == 200
    assert member_answer.json()["hits"] == []
    assert "canaryapi" not in member_answer.content.decode()
    assert len(moderator_answer.json()["hits"]) == 2


def test_a_thread_the_member_cannot_see_is_a_404_in_the_error_shape(
    make_category: MakeCategory, make_thread: MakeThread, moderator: User, member_client: Client
) -> None:
    staff = make_category(visibility=Visibility.MODERATORS)
    thread = make_thread(author=moderator, category=staff, title="canarysecret")

    response = member_client.get(SEARCH, {"q": "x", "thread": str(thread.pk)})

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "canarysecret" not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "-only"}, "q"),
        ({"q": "x" * 300}, "q"),
        ({"q": "a", "after": "nonsense"}, "after"),
        ({"q": "a", "date_from": "2026-12-05", "date_to": "2026-12-01"}, "date_to"),
        ({"q": "a", "category": "no-such-category"}, "category"),
    ],
)
def test_what_cannot_be_searched_is_a_422_saying_which_field(
    query: dict[str, str], field: str, member_client: Client
) -> None:
    response = member_client.get(SEARCH, query)

    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert field in error["fields"]


def test_visitors_are_refused(client: Client) -> None:
    response = client.get(SEARCH, {"q": "grief"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_the_api_counts_in_the_pages_rate_limit(settings: Settings, member_client: Client) -> None:
    settings.HEARTH_SEARCH_RATE_LIMIT = "2/60"

    statuses = [
        member_client.get("/search/", {"q": "one"}).status_code,
        member_client.get(SEARCH, {"q": "two"}).status_code,
        member_client.get(SEARCH, {"q": "three"}).status_code,
    ]

    assert statuses == [200, 200, 429]
