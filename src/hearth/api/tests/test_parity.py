"""The API answers 404 exactly where the website does, for every persona and every state of
a post the visibility policy treats specially; a visitor is asked to sign in (401) where
the website sends them to sign in. And what the API shows never says more than the page."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from hearth.accounts.models import MemberMute, User
from hearth.api.tests.conftest import BearerClient
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Post, Visibility
from hearth.forum.services import delete_post, reply_to_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.services import hide_post

pytestmark = pytest.mark.django_db

STATES = ("visible", "hidden", "held", "held thread", "moderators only", "deleted", "anonymous")
PERSONAS = ("bystander", "author", "moderator", "visitor")
CANARY = "canaryparity"


@dataclass(frozen=True)
class Case:
    post: Post
    author: User

    @property
    def thread_id(self) -> int:
        return self.post.thread_id


def _fresh(post: Post) -> Post:
    return Post.objects.select_related("thread__category", "author").get(pk=post.pk)


@pytest.fixture
def make_case(
    settings: Settings,
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
    moderator: User,
) -> Callable[[str], Case]:
    def make(state: str) -> Case:
        settings.HEARTH_HOLD_FIRST_POSTS = 0
        author = make_member(display_name="Parity author")
        public = make_category(visibility=Visibility.PUBLIC, allow_anonymous=True)
        body = f"Words {CANARY}"
        if state == "held thread":
            settings.HEARTH_HOLD_FIRST_POSTS = 5
            thread = make_thread(author=author, category=public, body=body)
            return Case(_fresh(thread.posts.get(position=1)), author)
        if state == "moderators only":
            private = make_category(visibility=Visibility.MODERATORS)
            thread = make_thread(author=moderator, category=private, body=body)
            return Case(_fresh(thread.posts.get(position=1)), moderator)
        thread = make_thread(category=public)
        if state == "held":
            settings.HEARTH_HOLD_FIRST_POSTS = 5
        post = reply_to_thread(
            author=author,
            thread=thread,
            body=body,
            request_key=f"parity-{state}",
            anonymous=state == "anonymous",
        )
        if state == "hidden":
            hide_post(moderator=moderator, post=_fresh(post), reason="Parity")
        if state == "deleted":
            delete_post(member=author, post=_fresh(post))
        return Case(_fresh(post), author)

    return make


def _web(client: Client, route: str, case: Case) -> tuple[int, bool]:
    """The website's answer on the route the API's call mirrors: its status, and whether it
    sends the visitor to sign in."""
    post, thread = [case.post.pk], [case.thread_id]
    answers = {
        "thread": lambda: client.get(reverse("forum:thread", args=thread)),
        "post": lambda: client.get(reverse("forum:permalink", args=post)),
        "edit": lambda: client.get(reverse("forum:edit_post", args=post)),
        "reply": lambda: client.post(reverse("forum:reply", args=thread), {"body": "Hi"}),
        "react": lambda: client.post(reverse("forum:react", args=post), {"kind": "hug"}),
        "delete": lambda: client.post(reverse("forum:delete_post", args=post)),
    }
    response = answers[route]()
    location = response.get("Location", "")
    return response.status_code, location.startswith(reverse("account_login"))


def _api(client: Client, route: str, case: Case) -> tuple[int, str]:
    post, thread = case.post.pk, case.thread_id
    edit = json.dumps({"body": "Changed", "base_revision": case.post.revision})
    answers = {
        "thread": lambda: client.get(f"/api/v1/threads/{thread}"),
        "post": lambda: client.get(f"/api/v1/posts/{post}"),
        "edit": lambda: client.patch(
            f"/api/v1/posts/{post}", edit, content_type="application/json"
        ),
        "reply": lambda: client.post(
            f"/api/v1/threads/{thread}/posts",
            json.dumps({"body": "Hi"}),
            content_type="application/json",
        ),
        "react": lambda: client.put(f"/api/v1/posts/{post}/reactions/hug"),
        "delete": lambda: client.delete(f"/api/v1/posts/{post}"),
    }
    response = answers[route]()
    return response.status_code, response.content.decode()


ROUTES = ("thread", "post", "edit", "reply", "react", "delete")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("state", STATES)
def test_the_api_answers_404_exactly_where_the_website_does(
    state: str,
    persona: str,
    make_case: Callable[[str], Case],
    make_member: MakeMember,
    moderator: User,
    client_for: ClientFor,
    bearer_client: BearerClient,
) -> None:
    # Each route asks about a fresh case: a write on the website must not change what the
    # API is asked about.
    mismatches = []
    for route in ROUTES:
        web_case, api_case = make_case(state), make_case(state)
        who = {"bystander": make_member(), "moderator": moderator}
        if persona == "visitor":
            web_client, api_client = Client(), Client()
        else:
            web_member = who.get(persona, web_case.author)
            api_member = who.get(persona, api_case.author)
            web_client, api_client = client_for(web_member), bearer_client(api_member)

        web, web_asks_to_sign_in = _web(web_client, route, web_case)
        api, text = _api(api_client, route, api_case)

        if persona == "visitor":
            if web_asks_to_sign_in != (api == 401):
                mismatches.append(f"{route}: web {web}, api {api}")
        elif (web == 404) != (api == 404):
            mismatches.append(f"{route}: web {web}, api {api}")
        if api == 404:
            assert json.loads(text) == {"error": {"code": "not_found", "message": "Not found."}}

    assert mismatches == []


@pytest.mark.parametrize("state", ["hidden", "held", "held thread", "moderators only", "deleted"])
@pytest.mark.parametrize("persona", ["bystander", "visitor"])
def test_no_api_read_shows_text_the_page_keeps_from_them(
    state: str,
    persona: str,
    make_case: Callable[[str], Case],
    make_member: MakeMember,
    bearer_client: BearerClient,
) -> None:
    case = make_case(state)
    client = Client() if persona == "visitor" else bearer_client(make_member())

    answers = [
        client.get(url).content.decode()
        for url in (
            f"/api/v1/threads/{case.thread_id}",
            f"/api/v1/posts/{case.post.pk}",
            "/api/v1/categories",
            f"/api/v1/categories/{case.post.thread.category.slug}/threads",
        )
    ]

    assert [CANARY in answer for answer in answers] == [False] * len(answers)


@pytest.mark.parametrize("state", ["hidden", "held", "held thread"])
def test_the_author_and_moderators_read_what_the_page_shows_them(
    state: str, make_case: Callable[[str], Case], moderator: User, bearer_client: BearerClient
) -> None:
    case = make_case(state)

    for reader in (case.author, moderator):
        answer = bearer_client(reader).get(f"/api/v1/posts/{case.post.pk}").json()
        assert CANARY in answer["body_html"]


@pytest.mark.parametrize("reader", ["bystander", "moderator", "author"])
def test_an_anonymous_post_never_names_its_author(
    reader: str,
    make_case: Callable[[str], Case],
    make_member: MakeMember,
    moderator: User,
    bearer_client: BearerClient,
) -> None:
    case = make_case("anonymous")
    member = {"bystander": make_member(), "moderator": moderator}.get(reader, case.author)
    client = bearer_client(member)

    page = client.get(f"/api/v1/threads/{case.thread_id}").content.decode()
    one = client.get(f"/api/v1/posts/{case.post.pk}").json()

    assert one["author"]["username"] is None
    assert one["author"]["name"].startswith("Anonymous")
    for text in (page, json.dumps(one)):
        assert case.author.username not in text
        assert "Parity author" not in text


def test_a_muted_members_post_and_a_folded_content_note_are_flagged_as_the_page_folds_them(
    make_member: MakeMember,
    make_thread: MakeThread,
    make_category: MakeCategory,
    bearer_client: BearerClient,
) -> None:
    reader, muted = make_member(), make_member()
    MemberMute.objects.create(member=reader, muted=muted)
    category: Category = make_category()
    thread = make_thread(category=category)
    from hearth.forum.services import ContentNote  # noqa: PLC0415 - beside its one use
    from hearth.safety.selectors import active_labels  # noqa: PLC0415

    label = active_labels()[0]
    reply_to_thread(author=muted, thread=thread, body="Muted words", request_key="m1")
    reply_to_thread(
        author=make_member(),
        thread=thread,
        body="Heavy words",
        request_key="n1",
        content_note=ContentNote(labels=(label,)),
    )

    posts = bearer_client(reader).get(f"/api/v1/threads/{thread.pk}").json()["posts"]

    assert [post["is_from_muted_member"] for post in posts] == [False, True, False]
    assert posts[2]["content_note"] == {"labels": [label.name], "text": "", "is_folded": True}
