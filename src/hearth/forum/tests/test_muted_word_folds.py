"""Muted words fold posts (like a content note) and thread titles in lists, for the
member who muted them only, never their own posts; the fold is decided per viewer and
never shared through the caches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hearth.accounts.models import User
from hearth.accounts.services import set_muted_words
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import FollowLevel, Post, Thread
from hearth.forum.services import follow_thread, save_post
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.forum.tests.test_query_counts import (
    CATEGORY_PAGE_QUERIES,
    HOME_PAGE_QUERIES,
    THREAD_PAGE_QUERIES,
)
from hearth.notifications.testing import deliver

pytestmark = pytest.mark.django_db

FOLD = "Contains a word you muted"
TITLE_FOLD = "A thread title with a word you muted"


@pytest.fixture
def reader(make_member: MakeMember) -> User:
    reader = make_member(display_name="Reader")
    set_muted_words(member=reader, words=["café", "feeling low"])
    return reader


def _article(page: str, post: Post) -> str:
    start = page.index(f'id="post-{post.pk}"')
    return page[start : page.index("</article>", start)]


def test_a_post_with_a_muted_word_is_folded_with_a_way_to_show_it(
    reader: User, make_thread: MakeThread, make_reply: MakeReply, client_for: ClientFor
) -> None:
    thread = make_thread(title="Evenings", body="Hello")
    folded = make_reply(thread, body="I sat in the CAFE all afternoon.")
    plain = make_reply(thread, body="A party at work.")

    page = client_for(reader).get(thread.get_absolute_url()).content.decode()

    article = _article(page, folded)
    assert '<details class="fold fold--word"><summary>' in article
    assert FOLD in article
    assert "I sat in the CAFE all afternoon." in article  # inside the fold, one click away
    assert FOLD not in _article(page, plain)


@pytest.mark.parametrize(
    ("body", "folds"),
    [
        ("Feeling... low tonight.", True),
        ("I keep feeling lower.", False),
        ("Un café, s'il vous plaît.", True),
        ("The cafeteria was loud.", False),
    ],
)
def test_phrases_accents_and_word_boundaries(
    body: str,
    folds: bool,
    reader: User,
    make_thread: MakeThread,
    make_reply: MakeReply,
    client_for: ClientFor,
) -> None:
    thread = make_thread(body="Hello")
    reply = make_reply(thread, body=body)

    page = client_for(reader).get(thread.get_absolute_url()).content.decode()

    assert (FOLD in _article(page, reply)) is folds


def test_the_fold_is_decided_per_viewer_even_from_a_warm_cache(
    reader: User,
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    client_for: ClientFor,
) -> None:
    thread = make_thread(body="Hello")
    reply = make_reply(thread, body="Meet me at the café?")
    other = make_member()
    url = thread.get_absolute_url()

    first_other = client_for(other).get(url).content.decode()
    for_reader = client_for(reader).get(url).content.decode()
    again_other = client_for(other).get(url).content.decode()

    assert FOLD not in _article(first_other, reply)
    assert FOLD in _article(for_reader, reply)
    assert FOLD not in _article(again_other, reply)


def test_an_edit_that_adds_a_muted_word_folds_the_post(
    reader: User, make_thread: MakeThread, make_reply: MakeReply, client_for: ClientFor
) -> None:
    thread = make_thread(body="Hello")
    reply = make_reply(thread, body="A quiet evening.")
    client = client_for(reader)
    assert FOLD not in _article(client.get(thread.get_absolute_url()).content.decode(), reply)

    Post.objects.filter(pk=reply.pk).update(body_html="<p>A quiet café evening.</p>")

    assert FOLD in _article(client.get(thread.get_absolute_url()).content.decode(), reply)


def test_the_authors_own_posts_are_never_folded_for_them(
    reader: User, make_thread: MakeThread, make_reply: MakeReply, client_for: ClientFor
) -> None:
    thread = make_thread(author=reader, title="My café evenings", body="The café again.")
    reply = make_reply(thread, author=reader, body="Still feeling low.")

    page = client_for(reader).get(thread.get_absolute_url()).content.decode()

    assert FOLD not in page
    assert "Still feeling low." in _article(page, reply)


def test_the_live_update_inserts_the_post_folded(
    reader: User, make_thread: MakeThread, make_reply: MakeReply, client_for: ClientFor
) -> None:
    thread = make_thread(body="Hello")
    reply = make_reply(thread, body="Feeling low again")
    client = client_for(reader)

    after = client.get(f"/t/{thread.pk}/after/1/").content.decode()
    article = client.get(f"/p/{reply.pk}/article/").content.decode()

    assert FOLD in after
    assert FOLD in article


def test_titles_with_a_muted_word_are_folded_in_the_category_and_on_home(
    reader: User, make_category: MakeCategory, make_thread: MakeThread, client_for: ClientFor
) -> None:
    category = make_category()
    make_thread(category=category, title="Quiet Sunday")
    muted = make_thread(category=category, title="Café mornings")
    client = client_for(reader)

    for url in (category.get_absolute_url(), "/"):
        page = client.get(url).content.decode()
        assert TITLE_FOLD in page, url
        assert "Quiet Sunday" in page
        # The title is there only inside its fold, with a link to the thread.
        fold = page[page.index('<details class="fold fold--title">') :]
        assert fold.index("Café mornings") < fold.index("</details>")
        assert f'href="/t/{muted.pk}/"' in fold


def test_titles_are_not_folded_for_others_and_list_fragments_are_not_shared(
    reader: User,
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    client_for: ClientFor,
) -> None:
    category = make_category()
    make_thread(category=category, title="Café mornings")
    other = client_for(make_member())

    before = other.get(category.get_absolute_url()).content.decode()
    for_reader = client_for(reader).get(category.get_absolute_url()).content.decode()
    after = other.get(category.get_absolute_url()).content.decode()

    assert TITLE_FOLD not in before
    assert TITLE_FOLD in for_reader
    assert TITLE_FOLD not in after


def test_titles_are_folded_in_search_results_my_lists_and_notifications(
    reader: User,
    make_thread: MakeThread,
    make_reply: MakeReply,
    client_for: ClientFor,
) -> None:
    thread = make_thread(title="Café mornings", body="Sunlight and mornings")
    own = make_reply(thread, author=reader, body="Mornings help me too")
    follow_thread(member=reader, thread=thread, level=FollowLevel.WATCHING)
    others = make_reply(thread, body="Mornings at the café are hard for me")
    save_post(member=reader, post=others)
    make_reply(thread, body="Mornings again")
    deliver()
    client = client_for(reader)

    lists = ("/search/?q=mornings", "/me/posts/", "/me/saved/", "/notifications/")
    for url in (*lists, "/settings/following/"):
        page = client.get(url).content.decode()
        assert TITLE_FOLD in page, url
        # Every time the title appears, it is inside a fold that shows it on request.
        assert page.count("Café mornings") == page.count('<details class="fold fold--title">')

    assert FOLD in client.get("/me/saved/").content.decode()  # someone else's excerpt
    # A search excerpt showing the word (excerpts are the backend's, cut around a match).
    assert FOLD in client.get("/search/?q=cafe").content.decode()
    mine = client.get("/me/posts/").content.decode()
    assert own.body in mine
    assert FOLD not in mine  # never the member's own


def test_a_viewer_with_muted_words_costs_the_pages_no_more_queries(
    reader: User,
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
    client_for: ClientFor,
) -> None:
    category = make_category()
    thread = make_thread(category=category, title="Café mornings", body="Hello")
    for number in range(12):
        make_reply(thread, author=make_member(), body=f"Reply {number}, feeling low")
        make_thread(category=category, title=f"Other {number}")
    Post.objects.filter(thread__category=category).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    client = client_for(reader)

    def queries(url: str) -> int:
        client.get(url)  # warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries(thread.get_absolute_url()) == THREAD_PAGE_QUERIES
    assert queries(category.get_absolute_url()) == CATEGORY_PAGE_QUERIES
    assert queries("/") == HOME_PAGE_QUERIES


def test_a_cold_cache_costs_a_viewer_with_muted_words_one_query_more(
    reader: User, make_member: MakeMember, make_thread: MakeThread, make_reply: MakeReply,
    client_for: ClientFor,
) -> None:  # fmt: skip
    thread: Thread = make_thread(body="Hello")
    for number in range(12):
        make_reply(thread, author=make_member(), body=f"Reply {number}")
    Post.objects.filter(thread=thread).update(created_at=timezone.now() - timedelta(days=3))
    client = client_for(reader)
    client.get(thread.get_absolute_url())
    caches["fragments"].clear()

    with CaptureQueriesContext(connection) as captured:
        client.get(thread.get_absolute_url())

    # Any cold cache reads the posts' stored HTML (with their avatars) to render them;
    # the muted words read the HTML of the posts whose words are not cached yet.
    assert len(captured) == THREAD_PAGE_QUERIES + 2
