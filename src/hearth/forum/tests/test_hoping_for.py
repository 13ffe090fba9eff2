""" "What I'm hoping for": the author says what kind of replies would help, and repliers
see it under the title and where they write (issue 17, item 2)."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.api.models import Scope
from hearth.api.services import create_access_token
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, HopingFor, Thread
from hearth.forum.services import edit_post, start_thread
from hearth.forum.testing import MakeCategory, MakeReply
from hearth.member_data.export import member_data, source_for

pytestmark = pytest.mark.django_db

SENTENCE = "is hoping for: just listening, hugs"


def _start(author: User, category: Category, *wishes: str, **more: Any) -> Thread:
    return start_thread(
        author=author,
        category=category,
        title="A hard week",
        body="Our last session was on Tuesday.",
        request_key=f"k-{author.pk}-{len(wishes)}",
        hoping_for=wishes,
        **more,
    )


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def _token_client(member: User) -> Client:
    token = create_access_token(member=member, name="App", scope=Scope.WRITE, lifetime_days=90)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token.secret}")


def _send(client: Client, method: str, url: str, data: object) -> Any:
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


# --- Starting a thread ---------------------------------------------------------------


def test_a_thread_keeps_its_wishes_once_each_in_the_usual_order(
    member: User, category: Category
) -> None:
    thread = _start(member, category, "hugs", "just_listening", "hugs")

    thread.refresh_from_db()
    assert thread.hoping_for == ["just_listening", "hugs"]
    assert thread.hoping_for_text == "just listening, hugs"


def test_a_thread_may_hope_for_nothing_in_particular(member: User, category: Category) -> None:
    thread = _start(member, category)

    thread.refresh_from_db()
    assert thread.hoping_for == []
    assert thread.hoping_for_text == ""


def test_an_unknown_wish_starts_nothing(member: User, category: Category) -> None:
    with pytest.raises(ValidationError) as refused:
        _start(member, category, "hugs", "fixing")

    assert refused.value.code == "unknown_hoping_for"
    assert not Thread.objects.exists()


def test_the_new_thread_form_offers_four_checkboxes_in_a_fieldset_with_a_hint(
    member: User, category: Category, client_for: ClientFor
) -> None:
    page = _page(client_for(member), reverse("forum:new_thread", args=[category.slug]))

    (fieldset,) = [
        found
        for found in re.finditer(r"<fieldset[^>]*>.*?</fieldset>", page, re.DOTALL)
        if 'name="hoping_for"' in found[0]
    ]
    assert re.search(r"<legend[^>]*>What I'm hoping for \(optional\)", fieldset[0])
    boxes = re.findall(r'<input type="checkbox" name="hoping_for" value="([a-z_]+)"', fieldset[0])
    assert boxes == list(HopingFor.values)
    for label in ("Just listening", "Shared experiences", "Advice welcome", "Hugs"):
        assert label in fieldset[0]
    assert "people replying see it above where they write" in page


def test_the_form_starts_a_thread_with_the_ticked_wishes_without_javascript(
    member: User, category: Category, client_for: ClientFor
) -> None:
    response = client_for(member).post(
        reverse("forum:new_thread", args=[category.slug]),
        {
            "title": "Therapist away",
            "body": "Three weeks without a session.",
            "request_key": "form-1",
            "hoping_for": ["shared_experiences", "advice_welcome"],
        },
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert thread.hoping_for == ["shared_experiences", "advice_welcome"]


def test_an_unknown_wish_from_the_form_is_a_400_that_keeps_the_text(
    member: User, category: Category, client_for: ClientFor
) -> None:
    response = client_for(member).post(
        reverse("forum:new_thread", args=[category.slug]),
        {
            "title": "Therapist away",
            "body": "Three weeks without a session.",
            "request_key": "form-1",
            "hoping_for": ["hugs", "solutions"],
        },
    )

    page = html.unescape(response.content.decode())
    assert response.status_code == 400
    assert "solutions is not one of the available choices" in page
    assert "Three weeks without a session." in page
    assert 'value="Therapist away"' in page
    assert not Thread.objects.exists()


def test_a_preview_without_javascript_keeps_the_ticked_wishes(
    member: User, category: Category, client_for: ClientFor
) -> None:
    action = reverse("forum:new_thread", args=[category.slug])

    response = client_for(member).post(
        reverse("forum:preview"),
        {"title": "Endings", "body": "Soon.", "next_action": action, "hoping_for": ["hugs"]},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'value="hugs"[^>]*checked', page)
    assert not re.search(r'value="just_listening"[^>]*checked', page)


# --- Where it is shown -----------------------------------------------------------------


def test_the_thread_page_says_it_under_the_title_and_above_the_reply_box(
    make_member: MakeMember, category: Category, client_for: ClientFor
) -> None:
    author = make_member(display_name="Willow")
    thread = _start(author, category, "just_listening", "hugs")

    page = _page(client_for(make_member()), thread.get_absolute_url())

    assert page.count(f"Willow {SENTENCE}") == 2
    title_at, reply_heading_at = page.index("</h1>"), page.index('id="reply-heading"')
    under_title, above_composer = (
        page.index(f"Willow {SENTENCE}"),
        page.rindex(f"Willow {SENTENCE}"),
    )
    assert title_at < under_title < page.index('class="posts"')
    assert reply_heading_at < above_composer < page.index('name="body"', reply_heading_at)


def test_where_nobody_may_reply_it_is_said_under_the_title_only(
    make_member: MakeMember, category: Category, client_for: ClientFor
) -> None:
    author = make_member(display_name="Willow")
    thread = _start(author, category, "just_listening", "hugs")
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)

    page = _page(client_for(make_member()), thread.get_absolute_url())

    assert page.count(f"Willow {SENTENCE}") == 1


def test_the_quote_and_reply_page_says_it_above_the_composer(
    make_member: MakeMember, category: Category, client_for: ClientFor
) -> None:
    author = make_member(display_name="Willow")
    thread = _start(author, category, "just_listening", "hugs")
    first = thread.posts.get()

    page = _page(client_for(make_member()), reverse("forum:quote", args=[first.pk]))

    assert page.index(f"Willow {SENTENCE}") < page.index('name="body"')


def test_a_thread_hoping_for_nothing_says_nothing(
    member: User, category: Category, client_for: ClientFor, make_member: MakeMember
) -> None:
    thread = _start(member, category)

    page = _page(client_for(make_member()), thread.get_absolute_url())

    assert "hoping for" not in page


def test_an_anonymous_thread_names_its_pseudonym_never_the_account(
    make_member: MakeMember, make_category: MakeCategory, client_for: ClientFor
) -> None:
    secret = make_member(username="secretwillow", display_name="Secret Willow")
    hard_things = make_category("Hard things", allow_anonymous=True)
    thread = _start(secret, hard_things, "hugs", anonymous=True)
    pseudonym = thread.posts.get().author_name
    assert pseudonym.startswith("Anonymous")

    page = _page(client_for(make_member()), thread.get_absolute_url())
    answer = _token_client(make_member()).get(f"/api/v1/threads/{thread.pk}").json()

    assert page.count(f"{pseudonym} is hoping for: hugs") == 2
    assert "Secret Willow" not in page
    assert "secretwillow" not in page
    assert answer["thread"]["author_name"] == pseudonym
    assert answer["thread"]["hoping_for"] == ["hugs"]


def test_the_thread_page_costs_no_query_more_with_wishes(
    make_member: MakeMember, category: Category, client_for: ClientFor
) -> None:
    reader = client_for(make_member())
    plain = _start(make_member(), category)
    hoping = _start(make_member(), category, *HopingFor.values)

    def queries(thread: Thread) -> int:
        reader.get(thread.get_absolute_url())  # warm: fragments cached, read marker moved
        with CaptureQueriesContext(connection) as captured:
            assert reader.get(thread.get_absolute_url()).status_code == 200
        return len(captured)

    assert queries(hoping) == queries(plain)


# --- Changing it -------------------------------------------------------------------------


def test_the_author_changes_it_when_editing_the_original_post_and_every_reader_sees_it(
    make_member: MakeMember, category: Category, client_for: ClientFor
) -> None:
    author = make_member(display_name="Willow")
    thread = _start(author, category, "just_listening", "hugs")
    first = thread.posts.get()
    reader = client_for(make_member())
    assert f"Willow {SENTENCE}" in _page(reader, thread.get_absolute_url())  # cached now
    edit_url = reverse("forum:edit_post", args=[first.pk])
    form = _page(client_for(author), edit_url)
    assert re.search(r'value="hugs"[^>]*checked', form)

    response = client_for(author).post(
        edit_url,
        {"body": first.body, "base_revision": first.revision, "hoping_for": ["advice_welcome"]},
    )

    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.hoping_for == ["advice_welcome"]
    page = _page(reader, thread.get_absolute_url())
    assert page.count("Willow is hoping for: advice welcome") == 2
    assert SENTENCE not in page


def test_unticking_every_box_when_editing_leaves_no_wish(
    member: User, category: Category, client_for: ClientFor
) -> None:
    thread = _start(member, category, "hugs")
    first = thread.posts.get()

    client_for(member).post(
        reverse("forum:edit_post", args=[first.pk]),
        {"body": first.body, "base_revision": first.revision},
    )

    thread.refresh_from_db()
    assert thread.hoping_for == []


def test_a_moderator_editing_the_original_post_is_not_offered_it_and_keeps_it(
    member: User, category: Category, moderator: User, client_for: ClientFor
) -> None:
    thread = _start(member, category, "hugs")
    first = thread.posts.get()
    edit_url = reverse("forum:edit_post", args=[first.pk])

    form = _page(client_for(moderator), edit_url)
    response = client_for(moderator).post(
        edit_url,
        {"body": "Edited for safety.", "base_revision": first.revision, "hoping_for": []},
    )

    assert 'name="hoping_for"' not in form
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.hoping_for == ["hugs"]


def test_a_reply_carries_no_wishes(
    member: User, category: Category, client_for: ClientFor, make_reply: MakeReply
) -> None:
    thread = _start(member, category, "hugs")
    reply = make_reply(thread, author=member)

    form = _page(client_for(member), reverse("forum:edit_post", args=[reply.pk]))

    assert 'name="hoping_for"' not in form
    with pytest.raises(PermissionDenied):
        edit_post(editor=member, post=reply, body="Still here", base_revision=1, hoping_for=[])


def test_only_the_threads_author_may_change_it(
    member: User, category: Category, moderator: User
) -> None:
    thread = _start(member, category, "hugs")
    first = thread.posts.get()

    with pytest.raises(PermissionDenied):
        edit_post(editor=moderator, post=first, body="Edited", base_revision=1, hoping_for=[])

    thread.refresh_from_db()
    assert thread.hoping_for == ["hugs"]
    assert first.revision == 1


# --- The API and the export ----------------------------------------------------------------


def test_the_api_starts_a_thread_with_wishes_and_returns_them(
    member: User, category: Category
) -> None:
    sent = {"title": "Endings", "body": "Soon.", "hoping_for": ["hugs", "just_listening"]}

    answer = _send(
        _token_client(member), "post", f"/api/v1/categories/{category.slug}/threads", sent
    )

    assert answer.status_code == 201
    assert answer.json()["thread"]["hoping_for"] == ["just_listening", "hugs"]
    assert Thread.objects.get().hoping_for == ["just_listening", "hugs"]


@pytest.mark.parametrize("wishes", [["fixing"], ["hugs", "HUGS"], "hugs", ["hugs"] * 9])
def test_the_api_refuses_unknown_wishes_naming_the_field(
    wishes: object, member: User, category: Category
) -> None:
    sent = {"title": "Endings", "body": "Soon.", "hoping_for": wishes}

    answer = _send(
        _token_client(member), "post", f"/api/v1/categories/{category.slug}/threads", sent
    )

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_failed"
    assert "hoping_for" in error["fields"]
    assert not Thread.objects.exists()


def test_the_api_lets_the_author_change_it_and_nobody_else(
    member: User, category: Category, moderator: User
) -> None:
    thread = _start(member, category, "hugs")
    first = thread.posts.get()
    url = f"/api/v1/posts/{first.pk}"

    refused = _send(
        _token_client(moderator), "patch", url, {"body": "x", "base_revision": 1, "hoping_for": []}
    )
    changed = _send(
        _token_client(member),
        "patch",
        url,
        {"body": first.body, "base_revision": 1, "hoping_for": ["advice_welcome"]},
    )
    kept = _send(_token_client(member), "patch", url, {"body": "Edited.", "base_revision": 1})

    assert refused.status_code == 422
    assert "hoping_for" in refused.json()["error"]["fields"]
    assert (changed.status_code, kept.status_code) == (200, 200)
    thread.refresh_from_db()
    assert thread.hoping_for == ["advice_welcome"]


def test_the_export_holds_what_the_member_hoped_for_in_their_threads(
    member: User, category: Category
) -> None:
    _start(member, category, "shared_experiences")

    export = member_data(source_for(member, include_toolkit=False, now=timezone.now()))

    (thread,) = export["threads"]
    assert thread["hoping_for"] == ["shared_experiences"]
