"""Atom feeds: only the categories anyone may read have one, and a feed holds what a
visitor's page shows -- whoever fetches it, since its address ends up in feed readers."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from hearth.accounts.models import Role, User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Post, Thread, Visibility
from hearth.forum.services import ContentNote, delete_post, edit_post, start_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.services import hide_post
from hearth.safety.models import ContentNoteLabel

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
# A visitor's feed: the category, the newest threads' ids (listings.newest_thread_ids),
# their opening posts (with their authors), and the content-note labels only when an
# entry carries one.
FEED_QUERIES = 3
NOTED_FEED_QUERIES = 4


def _canary(kind: str) -> str:
    return f"canary{kind}{uuid.uuid4().hex[:10]}"


def _feed_url(category: Category) -> str:
    return reverse("forum:category_feed", kwargs={"slug": category.slug})


def _entries(text: str | bytes) -> list[ET.Element]:
    root = ET.fromstring(text)  # noqa: S314 - our own feed, in a test
    assert root.tag == f"{ATOM}feed"
    return root.findall(f"{ATOM}entry")


def _titles(text: str | bytes) -> list[str]:
    return [entry.findtext(f"{ATOM}title", "") for entry in _entries(text)]


def _opening_post(thread: Thread) -> Post:
    return Post.objects.select_related("thread__category", "author").get(thread=thread, position=1)


@pytest.fixture
def public(make_category: MakeCategory) -> Category:
    return make_category("Open to all", visibility=Visibility.PUBLIC, description="Say hello.")


# --- What a feed is ----------------------------------------------------------------------------


def test_a_public_categorys_feed_is_atom_with_its_newest_threads_first(
    public: Category, make_category: MakeCategory, make_thread: MakeThread, make_member: MakeMember
) -> None:
    author = make_member(display_name="Fern")
    older = make_thread(category=public, author=author, title="Older", body="First *words*")
    Thread.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    Post.objects.filter(thread=older).update(created_at=timezone.now() - timedelta(days=2))
    make_thread(category=public, author=author, title="Newer <and> braver", body="Hi")
    elsewhere = make_thread(category=make_category(visibility=Visibility.PUBLIC), title="Other")

    response = Client().get(_feed_url(public))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed, in a test
    assert root.findtext(f"{ATOM}title") == f"Open to all · {settings.HEARTH_SITE_NAME}"
    assert root.findtext(f"{ATOM}subtitle") == "Say hello."
    assert _titles(response.content) == ["Newer <and> braver", "Older"]
    assert elsewhere.title not in response.content.decode()
    entry = _entries(response.content)[1]
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "Fern"
    link = entry.find(f"{ATOM}link")
    assert link is not None
    # SITE_URL is not set in the tests: links name the address the feed was fetched at.
    assert link.get("href") == f"http://testserver{older.get_absolute_url()}"
    assert entry.findtext(f"{ATOM}content") == "<p>First <em>words</em></p>\n"
    opening = _opening_post(older)
    assert entry.findtext(f"{ATOM}published") == opening.created_at.isoformat()
    assert entry.findtext(f"{ATOM}updated") == opening.created_at.isoformat()


def test_an_edited_opening_post_is_updated_when_it_was_edited(
    public: Category, make_thread: MakeThread
) -> None:
    thread = make_thread(category=public, body="Before")
    opening = _opening_post(thread)
    edit_post(editor=opening.author, post=opening, body="After", base_revision=opening.revision)  # type: ignore[arg-type]  # the author exists
    opening.refresh_from_db()
    assert opening.edited_at is not None

    entry = _entries(Client().get(_feed_url(public)).content)[0]

    assert entry.findtext(f"{ATOM}published") == opening.created_at.isoformat()
    assert entry.findtext(f"{ATOM}updated") == opening.edited_at.isoformat()
    assert entry.findtext(f"{ATOM}content") == "<p>After</p>\n"


def test_replies_are_not_entries(
    public: Category, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    canary = _canary("reply")
    make_reply(make_thread(category=public), body=canary)

    response = Client().get(_feed_url(public))

    assert len(_entries(response.content)) == 1
    assert canary not in response.content.decode()


def test_a_feed_holds_at_most_thirty_threads(public: Category, make_thread: MakeThread) -> None:
    for number in range(32):
        make_thread(category=public, title=f"Thread {number}")

    assert len(_entries(Client().get(_feed_url(public)).content)) == 30


# --- Which categories have one -----------------------------------------------------------------


@pytest.fixture
def readers(make_member: MakeMember) -> dict[str, Client]:
    def signed_in(**fields: object) -> Client:
        client = Client()
        client.force_login(make_member(**fields))
        return client

    return {
        "visitor": Client(),
        "member": signed_in(),
        "moderator": signed_in(role=Role.MODERATOR),
        "administrator": signed_in(role=Role.ADMINISTRATOR),
    }


@pytest.mark.parametrize("closed", [Visibility.MEMBERS, Visibility.MODERATORS])
@pytest.mark.parametrize("reader", ["visitor", "member", "moderator", "administrator"])
def test_a_category_not_open_to_all_has_no_feed_for_anyone(
    closed: Visibility,
    reader: str,
    readers: dict[str, Client],
    make_category: MakeCategory,
    make_thread: MakeThread,
    moderator: User,
) -> None:
    canary = _canary("closed")
    category = make_category(visibility=closed)
    make_thread(category=category, author=moderator, title=canary, body=canary)

    response = readers[reader].get(_feed_url(category), follow=True)

    assert response.status_code == 404
    assert canary not in response.content.decode()


def test_a_category_that_does_not_exist_has_no_feed() -> None:
    response = Client().get(reverse("forum:category_feed", kwargs={"slug": "nowhere"}))

    assert response.status_code == 404


def test_a_category_closed_to_visitors_loses_its_feed_at_once(
    public: Category, make_thread: MakeThread
) -> None:
    make_thread(category=public)
    assert Client().get(_feed_url(public)).status_code == 200

    Category.objects.filter(pk=public.pk).update(visibility=Visibility.MEMBERS)

    assert Client().get(_feed_url(public)).status_code == 404


def test_only_a_public_category_page_points_to_a_feed(
    public: Category, make_category: MakeCategory, client_for: ClientFor, member: User
) -> None:
    members_only = make_category(visibility=Visibility.MEMBERS)
    alternate = 'rel="alternate" type="application/atom+xml"'

    for client in (Client(), client_for(member)):
        page = client.get(public.get_absolute_url()).content.decode()
        assert alternate in page
        assert f'href="{_feed_url(public)}"' in page
    members_page = client_for(member).get(members_only.get_absolute_url())
    assert members_page.status_code == 200
    assert alternate not in members_page.content.decode()
    assert "/feed/" not in members_page.content.decode()


# --- What an entry never holds ----------------------------------------------------------------


def test_held_hidden_and_deleted_opening_posts_are_not_in_the_feed(
    settings: Settings,
    public: Category,
    make_member: MakeMember,
    make_thread: MakeThread,
    moderator: User,
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 0
    shown = make_thread(category=public, title="Still here")
    hidden_canary, deleted_canary, held_canary = (
        _canary(kind) for kind in ("hidden", "deleted", "held")
    )
    hidden = make_thread(category=public, title=hidden_canary, body=hidden_canary)
    hide_post(moderator=moderator, post=_opening_post(hidden), reason="Names a clinic.")
    deleted = make_thread(category=public, title=deleted_canary, body=deleted_canary)
    opening = _opening_post(deleted)
    delete_post(member=opening.author, post=opening)  # type: ignore[arg-type]  # the author exists
    settings.HEARTH_HOLD_FIRST_POSTS = 5
    held = make_thread(author=make_member(), category=public, title=held_canary, body=held_canary)
    assert held.is_held

    # Whoever fetches it -- the moderator who may read all three, the held thread's author
    # -- the feed is a visitor's.
    for client in (Client(), _signed_in(moderator), _signed_in(held.author)):  # type: ignore[arg-type]  # the author exists
        response = client.get(_feed_url(public))
        assert _titles(response.content) == [shown.title]
        text = response.content.decode()
        assert [
            canary for canary in (hidden_canary, deleted_canary, held_canary) if canary in text
        ] == []


def _signed_in(member: User) -> Client:
    client = Client()
    client.force_login(member)
    return client


def test_a_post_hidden_after_a_fetch_is_gone_from_the_next(
    public: Category, make_thread: MakeThread, moderator: User
) -> None:
    canary = _canary("later")
    thread = make_thread(category=public, body=canary)
    assert canary in Client().get(_feed_url(public)).content.decode()

    hide_post(moderator=moderator, post=_opening_post(thread), reason="Too much detail.")

    assert canary not in Client().get(_feed_url(public)).content.decode()


def test_an_anonymous_thread_names_only_its_pseudonym(
    make_category: MakeCategory, make_member: MakeMember
) -> None:
    category = make_category(visibility=Visibility.PUBLIC, allow_anonymous=True)
    name_canary = _canary("name")
    author = make_member(f"user{uuid.uuid4().hex[:8]}", display_name=name_canary)
    thread = start_thread(
        author=author,
        category=category,
        title="Something I can't say with my name",
        body="It is hard.",
        request_key="anonymous",
        anonymous=True,
    )
    pseudonym = _opening_post(thread).author_name

    response = Client().get(_feed_url(category))

    text = response.content.decode()
    assert _entries(response.content)[0].findtext(f"{ATOM}author/{ATOM}name") == pseudonym
    assert name_canary not in text
    assert author.username not in text
    assert author.email not in text


def test_a_post_behind_a_content_note_shows_only_the_note(
    public: Category, make_member: MakeMember
) -> None:
    canary = _canary("noted")
    grief = ContentNoteLabel.objects.get(slug="grief")
    thread = start_thread(
        author=make_member(),
        category=public,
        title="The anniversary",
        body=f"What happened that day {canary}",
        request_key="noted",
        content_note=ContentNote(labels=(grief,), text="a death in the family"),
    )
    free_text_canary = _canary("freetext")
    start_thread(
        author=make_member(),
        category=public,
        title="Only free text",
        body=free_text_canary,
        request_key="free-text",
        content_note=ContentNote(text="hospital"),
    )

    response = Client().get(_feed_url(public))

    text = response.content.decode()
    assert canary not in text
    assert free_text_canary not in text
    contents = [entry.findtext(f"{ATOM}content", "") for entry in _entries(response.content)]
    assert contents[0].startswith("<p>Content note: hospital</p>")
    assert contents[1].startswith(f"<p>Content note: {grief.name}; a death in the family</p>")
    assert f'href="http://testserver{thread.get_absolute_url()}"' in contents[1]
    assert "Read it on the site" in contents[1]


# --- The response -------------------------------------------------------------------------------


def test_a_feed_is_the_same_for_every_reader_and_kept_briefly_only_for_visitors(
    public: Category, make_thread: MakeThread, make_member: MakeMember
) -> None:
    make_thread(category=public)
    member = make_member(language="de")

    visitor = Client().get(_feed_url(public))
    signed_in = _signed_in(member).get(_feed_url(public))

    assert visitor.content == signed_in.content
    assert visitor["Cache-Control"] == "public, max-age=300"
    assert signed_in["Cache-Control"] == "private, no-store"
    assert visitor["X-Robots-Tag"] == signed_in["X-Robots-Tag"] == "noindex, nofollow"
    assert signed_in["Content-Language"] == settings.LANGUAGE_CODE


def test_a_feed_is_read_only(public: Category) -> None:
    assert Client().post(_feed_url(public)).status_code == 405


@pytest.mark.parametrize("threads", [1, 30])
def test_a_feeds_queries_do_not_grow_with_its_entries(
    threads: int,
    public: Category,
    make_member: MakeMember,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    grief = ContentNoteLabel.objects.get(slug="grief")
    for number in range(threads):
        start_thread(
            author=make_member(),
            category=public,
            title=f"Thread {number}",
            body="Hello",
            request_key=f"q{number}",
            anonymous=False,
            content_note=ContentNote(labels=(grief,)) if number % 2 else ContentNote(),
        )
    noted = threads > 1
    visitor = Client()

    with django_assert_num_queries(NOTED_FEED_QUERIES if noted else FEED_QUERIES):
        response = visitor.get(_feed_url(public))

    assert len(_entries(response.content)) == threads


def test_a_feed_never_reads_an_authors_account_beyond_their_public_name(
    public: Category, make_thread: MakeThread
) -> None:
    make_thread(category=public)

    with CaptureQueriesContext(connection) as captured:
        Client().get(_feed_url(public))

    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert "email" not in sql
    assert "password" not in sql


# --- The whole site's feed ----------------------------------------------------------------------


def test_the_site_feed_holds_the_public_categories_new_threads_only(
    public: Category, make_category: MakeCategory, make_thread: MakeThread, moderator: User
) -> None:
    canary = _canary("members")
    shown = make_thread(category=public, title="Open thread")
    make_thread(category=make_category(visibility=Visibility.MEMBERS), title=canary, body=canary)
    make_thread(
        category=make_category(visibility=Visibility.MODERATORS),
        author=moderator,
        title=canary,
        body=canary,
    )

    for client in (Client(), _signed_in(moderator)):
        response = client.get(reverse("forum:feed"))
        assert response.status_code == 200
        assert _titles(response.content) == [shown.title]
        assert canary not in response.content.decode()
        category = _entries(response.content)[0].find(f"{ATOM}category")
        assert category is not None
        assert category.get("term") == public.name


def test_without_a_public_category_there_is_no_site_feed(
    make_category: MakeCategory, make_thread: MakeThread, member: User
) -> None:
    make_thread(category=make_category(visibility=Visibility.MEMBERS))

    assert Client().get(reverse("forum:feed")).status_code == 404
    assert _signed_in(member).get(reverse("forum:feed")).status_code == 404


def test_feed_links_name_site_url_when_the_operator_set_it(
    settings: Settings, make_thread: MakeThread, public: Category
) -> None:
    settings.SITE_URL, settings.SITE_URL_IS_SET = "https://hearth.example.org", True
    thread = make_thread(category=public, title="Set address")

    response = Client(HTTP_HOST="localhost:8123").get(_feed_url(public))

    link = _entries(response.content)[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == f"https://hearth.example.org{thread.get_absolute_url()}"
    assert "localhost:8123" not in response.content.decode()


def test_without_site_url_feed_links_name_the_address_it_was_fetched_at(
    settings: Settings, make_thread: MakeThread, public: Category
) -> None:
    assert not settings.SITE_URL_IS_SET
    thread = make_thread(category=public, title="Other port")

    response = Client(HTTP_HOST="localhost:8123").get(_feed_url(public))

    link = _entries(response.content)[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == f"http://localhost:8123{thread.get_absolute_url()}"
    assert "127.0.0.1:8000" not in response.content.decode()
