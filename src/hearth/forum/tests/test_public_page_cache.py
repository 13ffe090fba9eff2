"""Visitors' pages of public categories, shared from the cache: the same bytes for every
visitor but a fresh CSP nonce, never a member's page, and every change seen at once."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, ReactionKind, Thread, Visibility
from hearth.forum.services import ContentNote, toggle_reaction
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.services import hide_post, pin_thread, set_content_note
from hearth.safety.models import ContentNoteLabel

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture(autouse=True)
def _page_cache_on(settings: Settings) -> None:
    settings.HEARTH_PUBLIC_PAGE_CACHE = True


@pytest.fixture
def public(make_category: MakeCategory) -> Category:
    return make_category("Open room", visibility=Visibility.PUBLIC, slug="open-room")


@pytest.fixture
def thread(make_thread: MakeThread, public: Category, make_member: MakeMember) -> Thread:
    return make_thread(
        author=make_member(display_name="Heron"), category=public, title="Sunday walks"
    )


def _visit(url: str, **headers: str) -> tuple[str, str, int]:
    """A new visitor's page: its text, its CSP header, and the queries it took."""
    with CaptureQueriesContext(connection) as captured:
        response = Client(headers=headers).get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode(), response["Content-Security-Policy"], len(captured)


def test_the_second_visitor_gets_the_page_from_the_cache_with_a_nonce_of_their_own(
    thread: Thread,
) -> None:
    first, _first_policy, first_queries = _visit(thread.get_absolute_url())
    second, second_policy, second_queries = _visit(thread.get_absolute_url())

    assert first_queries > 0
    assert second_queries == 0
    first_nonces, second_nonces = set(NONCE.findall(first)), set(NONCE.findall(second))
    assert len(first_nonces) == len(second_nonces) == 1
    assert first_nonces != second_nonces
    assert f"'nonce-{second_nonces.pop()}'" in second_policy
    assert NONCE.sub("", first) == NONCE.sub("", second)
    assert "\x00" not in second


def test_home_and_category_pages_are_shared_too(thread: Thread, public: Category) -> None:
    for url in (reverse("home"), public.get_absolute_url()):
        _visit(url)
        assert _visit(url)[2] == 0


def test_a_new_reply_is_on_the_next_visitors_page(
    thread: Thread, public: Category, make_reply: MakeReply
) -> None:
    for url in (thread.get_absolute_url(), public.get_absolute_url(), reverse("home")):
        _visit(url)

    make_reply(thread, body="A brand new reply, just written.")

    assert "A brand new reply, just written." in _visit(thread.get_absolute_url())[0]
    assert _visit(public.get_absolute_url())[2] > 0  # made again: its counts changed
    assert _visit(reverse("home"))[2] > 0


def test_a_hidden_post_is_gone_from_the_next_visitors_page(
    thread: Thread, make_reply: MakeReply, moderator: User
) -> None:
    reply = make_reply(thread, body="Words that name a clinic.")
    assert "Words that name a clinic." in _visit(thread.get_absolute_url())[0]

    hide_post(moderator=moderator, post=reply, reason="It names a clinic.")

    assert "Words that name a clinic." not in _visit(thread.get_absolute_url())[0]


def test_a_category_closed_to_visitors_is_closed_at_once(thread: Thread, public: Category) -> None:
    _visit(thread.get_absolute_url())

    public.visibility = Visibility.MEMBERS
    public.save()

    assert Client().get(thread.get_absolute_url()).status_code in {302, 404}


def test_a_content_note_set_by_a_moderator_folds_the_post_at_once(
    thread: Thread, make_reply: MakeReply, moderator: User
) -> None:
    reply = make_reply(thread, body="Details of what happened.")
    label = ContentNoteLabel.objects.create(name="Self-harm", slug="self-harm-test")
    before = _visit(thread.get_absolute_url())[0]
    assert "Self-harm" not in before

    set_content_note(
        moderator=moderator,
        post=reply,
        content_note=ContentNote(labels=(label,)),
        note_to_author="Added a note so readers can choose.",
    )

    assert "Self-harm" in _visit(thread.get_absolute_url())[0]


def test_a_reaction_and_a_pin_are_seen_at_once(
    thread: Thread, public: Category, make_member: MakeMember, moderator: User
) -> None:
    original = thread.posts.get(position=1)
    _visit(thread.get_absolute_url())
    toggle_reaction(member=make_member(), post=original, kind=ReactionKind.HUG)
    assert _visit(thread.get_absolute_url())[2] > 0  # made again, with the hug counted

    _visit(public.get_absolute_url())
    pin_thread(moderator=moderator, thread=thread, reason="Useful to many.")
    assert _visit(public.get_absolute_url())[2] > 0


def test_a_new_display_name_is_on_every_page_at_once(thread: Thread, public: Category) -> None:
    _visit(thread.get_absolute_url())
    author = thread.posts.get(position=1).author
    assert author is not None

    author.display_name = "Grey Heron"
    author.save()

    assert "Grey Heron" in _visit(thread.get_absolute_url())[0]


def test_a_members_page_is_never_stored_nor_served_from_the_visitors_cache(
    thread: Thread, make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member(display_name="Quiet Kestrel")
    member_page = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert "Quiet Kestrel" in member_page

    visitor_page = _visit(thread.get_absolute_url())[0]
    assert "Quiet Kestrel" not in visitor_page
    _visit(thread.get_absolute_url())
    with CaptureQueriesContext(connection) as captured:
        again = client_for(member).get(thread.get_absolute_url()).content.decode()
    assert len(captured) > 0
    assert "Quiet Kestrel" in again


def test_other_query_parameters_pass_the_cache_by(thread: Thread) -> None:
    url = f"{thread.get_absolute_url()}?utm_source=somewhere"
    _visit(url)

    assert _visit(url)[2] > 0


def test_each_language_has_its_own_page(thread: Thread, settings: Settings) -> None:
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    english = _visit(thread.get_absolute_url(), accept_language="en")[0]
    german = _visit(thread.get_absolute_url(), accept_language="de")[0]

    assert 'lang="en"' in english
    assert 'lang="de"' in german


def test_an_unreachable_cache_means_the_page_is_made_as_ever(thread: Thread) -> None:
    with mock.patch.object(caches["default"], "get_many", side_effect=ConnectionError("down")):
        page, _policy, queries = _visit(thread.get_absolute_url())

    assert queries > 0
    assert "Sunday walks" in page
