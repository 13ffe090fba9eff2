"""Pinned query counts: a page costs the same with 1 row or 50 (posts, threads,
reactions, members), for a viewer with mutes and content-note choices too.

The numbers are pinned exactly, so any new query on these pages shows up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Post, Thread, Visibility
from hearth.forum.services import ContentNote, reply_to_thread, start_thread, toggle_reaction
from hearth.forum.testing import MakeCategory
from hearth.safety.models import ContentNoteLabel, NoteChoice
from hearth.safety.services import set_note_preference

pytestmark = pytest.mark.django_db

# session, viewer, thread (with read marker, draft, thread mute), posts with authors
# (and the viewer's mutes of them, reactions to them and bookmarks of them), labels with
# the viewer's choices
THREAD_PAGE_QUERIES = 5
# session, viewer, category, threads listed for the viewer with their read state
CATEGORY_PAGE_QUERIES = 4
# session, viewer, categories (each with whether its latest thread is listed for the
# viewer), recent threads listed with their read state
HOME_PAGE_QUERIES = 4


@dataclass
class Community:
    category: Category
    thread: Thread


def _community(
    rows: int, viewer: User, make_member: MakeMember, make_category: MakeCategory
) -> Community:
    category = make_category()
    grief = ContentNoteLabel.objects.get(slug="grief")
    members = [make_member() for _ in range(rows)]
    thread = start_thread(
        author=members[0],
        category=category,
        title="Big",
        body="Hello :)",
        request_key=f"t{rows}",
        content_note=ContentNote(labels=(grief,)),
    )
    for number, member in enumerate(members):
        post = reply_to_thread(
            author=member,
            thread=thread,
            body=f"Reply {number} @{member.username}",
            request_key=f"r{rows}-{number}",
            content_note=ContentNote(labels=(grief,)),
        )
        toggle_reaction(member=viewer, post=post, kind="hug")  # type: ignore[arg-type]
    for number in range(rows - 1):
        start_thread(
            author=members[number],
            category=category,
            title=f"Other {number}",
            body="Hi",
            request_key=f"o{rows}-{number}",
        )
    mute_member(member=viewer, target=members[-1])
    # Posts seconds old say "12 seconds ago", a text (and so a cached fragment)
    # that changes every second; days-old posts keep theirs between requests.
    Post.objects.filter(thread__category=category).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    return Community(category=category, thread=thread)


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm: fragments cached, read marker moved
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.fixture
def viewer(make_member: MakeMember) -> User:
    viewer = make_member(display_name="Viewer")
    for slug, choice in [("grief", NoteChoice.SHOW), ("abuse", NoteChoice.HIDE)]:
        set_note_preference(
            member=viewer, label=ContentNoteLabel.objects.get(slug=slug), choice=choice
        )
    return viewer


@pytest.mark.parametrize("rows", [1, 50])
def test_page_queries_are_pinned_and_flat(
    rows: int,
    viewer: User,
    make_member: MakeMember,
    make_category: MakeCategory,
    client_for: ClientFor,
) -> None:
    community = _community(rows, viewer, make_member, make_category)
    client = client_for(viewer)

    assert _queries(client, community.thread.get_absolute_url()) == THREAD_PAGE_QUERIES
    assert _queries(client, community.category.get_absolute_url()) == CATEGORY_PAGE_QUERIES
    assert _queries(client, "/") == HOME_PAGE_QUERIES


def test_a_later_page_costs_the_same_as_the_first(
    viewer: User, make_member: MakeMember, make_category: MakeCategory, client_for: ClientFor
) -> None:
    community = _community(50, viewer, make_member, make_category)
    client = client_for(viewer)

    first = _queries(client, community.thread.get_absolute_url())
    third = _queries(client, f"{community.thread.get_absolute_url()}?page=3")

    assert first == third == THREAD_PAGE_QUERIES


def test_a_cold_fragment_cache_costs_one_query_more_whatever_the_rows(
    viewer: User, make_member: MakeMember, make_category: MakeCategory, client_for: ClientFor
) -> None:
    community = _community(50, viewer, make_member, make_category)
    client = client_for(viewer)
    url = community.thread.get_absolute_url()
    client.get(url)
    caches["fragments"].clear()

    with CaptureQueriesContext(connection) as captured:
        client.get(url)

    assert len(captured) == THREAD_PAGE_QUERIES + 1  # the stored HTML of the posts to render


# For a visitor who isn't signed in there is no session or member to load:
# the thread, its posts, and the labels only when a post carries a content note.
VISITOR_THREAD_PAGE_QUERIES = 2
VISITOR_NOTED_THREAD_PAGE_QUERIES = 3
# the category and its listed threads; the categories and the recent threads
VISITOR_CATEGORY_PAGE_QUERIES = VISITOR_HOME_PAGE_QUERIES = 2


@pytest.mark.parametrize("rows", [1, 50])
def test_a_visitors_page_queries_are_pinned_and_flat(
    rows: int, make_member: MakeMember, make_category: MakeCategory
) -> None:
    category = make_category(visibility=Visibility.PUBLIC)
    authors = [make_member() for _ in range(rows)]
    plain = start_thread(
        author=authors[0], category=category, title="Plain", body="Hi", request_key=f"p{rows}"
    )
    noted = start_thread(
        author=authors[0],
        category=category,
        title="Noted",
        body="Hard day",
        request_key=f"n{rows}",
        content_note=ContentNote(labels=(ContentNoteLabel.objects.get(slug="grief"),)),
    )
    for number, author in enumerate(authors):
        reply_to_thread(author=author, thread=plain, body="Yes", request_key=f"pr{rows}-{number}")
        reply_to_thread(author=author, thread=noted, body="Oh", request_key=f"nr{rows}-{number}")
    Post.objects.filter(thread__category=category).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    visitor = Client()

    assert _queries(visitor, plain.get_absolute_url()) == VISITOR_THREAD_PAGE_QUERIES
    assert _queries(visitor, noted.get_absolute_url()) == VISITOR_NOTED_THREAD_PAGE_QUERIES
    assert _queries(visitor, category.get_absolute_url()) == VISITOR_CATEGORY_PAGE_QUERIES
    assert _queries(visitor, "/") == VISITOR_HOME_PAGE_QUERIES
