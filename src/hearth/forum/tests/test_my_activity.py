"""A member's own pages (my threads, my posts, saved posts), saving posts, and bringing a post
to the next therapy session: only the member's own content, only what they may still read."""

from __future__ import annotations

import itertools
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum import activity
from hearth.forum.models import Bookmark, Category, Post, Thread, Visibility
from hearth.forum.services import (
    delete_post,
    reply_to_thread,
    save_post,
    set_bookmark_note,
    start_thread,
    unsave_post,
)
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.forum.tests.test_query_counts import THREAD_PAGE_QUERIES
from hearth.moderation.services import hide_post

pytestmark = pytest.mark.django_db

MY_THREADS = reverse("forum:my_threads")
MY_POSTS = reverse("forum:my_posts")
SAVED = reverse("forum:saved_posts")
# The toolkit's own routes. The forum may not import the toolkit (between_sessions'
# test_must_not): what the toolkit kept is read on its notes page, as the member sees it.
BRING_TO_SESSION = reverse("between_sessions:session_note_excerpt")
NOTES = reverse("between_sessions:next_session")


@pytest.fixture
def me(make_member: MakeMember) -> User:
    return make_member(username="wren", display_name="Wren Me")


@pytest.fixture
def my_client(me: User, client_for: ClientFor) -> Client:
    return client_for(me)


@pytest.fixture
def other(make_member: MakeMember) -> User:
    return make_member(username="heronreal", display_name="Heron Realname")


@pytest.fixture
def anonymous_category(make_category: MakeCategory) -> Category:
    return make_category("Anonymous corner", allow_anonymous=True)


def _text(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _fresh(post: Post) -> Post:
    return Post.objects.select_related("thread__category", "author").get(pk=post.pk)


_keys = itertools.count(1)


def _reply(author: User, thread: Thread, body: str, *, anonymous: bool = False) -> Post:
    return reply_to_thread(
        author=author,
        thread=thread,
        body=body,
        request_key=f"activity-{next(_keys)}",
        anonymous=anonymous,
    )


def _start(author: User, category: Category, title: str, *, anonymous: bool = False) -> Thread:
    return start_thread(
        author=author,
        category=category,
        title=title,
        body=f"{title}, the first post",
        request_key=f"activity-{next(_keys)}",
        anonymous=anonymous,
    )


# --- My threads -------------------------------------------------------------------------


def test_my_threads_lists_only_the_threads_i_started_newest_activity_first(
    me: User, other: User, my_client: Client, category: Category, anonymous_category: Category
) -> None:
    bumped = _start(me, category, "Weekends without sessions")
    hidden_name = _start(me, anonymous_category, "Something I can't say aloud", anonymous=True)
    _start(other, category, "Somebody else's thread")
    _start(other, anonymous_category, "Their anonymous thread", anonymous=True)
    _reply(other, bumped, "Bumped: now the most recent")

    page = _text(my_client, MY_THREADS)

    assert re.findall(r'<h2 class="activity-list__title"><a href="/t/(\d+)/">', page) == [
        str(bumped.pk),
        str(hidden_name.pk),
    ]
    assert "Somebody else&#x27;s thread" not in page
    assert "Their anonymous thread" not in page
    assert page.count("Posted anonymously") == 1
    assert "Only you can see this page" in page


def test_my_threads_leave_out_a_thread_moved_where_i_cannot_read(
    me: User, my_client: Client, category: Category, make_category: MakeCategory
) -> None:
    kept = _start(me, category, "Still readable")
    moved = _start(me, category, "Moved to the moderators")
    private = make_category(visibility=Visibility.MODERATORS)
    Thread.objects.filter(pk=moved.pk).update(category=private)

    page = _text(my_client, MY_THREADS)

    assert kept.title in page
    assert moved.title not in page


def test_my_threads_mark_a_thread_waiting_for_approval(
    settings: Settings, me: User, my_client: Client, category: Category
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 5
    thread = _start(me, category, "My very first thread")
    assert thread.is_held

    page = _text(my_client, MY_THREADS)

    assert "My very first thread" in page
    assert "Waiting for approval" in page


# --- My posts ---------------------------------------------------------------------------


def test_my_posts_show_an_excerpt_a_permalink_the_thread_and_each_state(
    settings: Settings,
    me: User,
    other: User,
    my_client: Client,
    moderator: User,
    make_thread: MakeThread,
    anonymous_category: Category,
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 0
    thread = make_thread(author=other, category=anonymous_category, title="Long weekend")
    plain = _reply(me, thread, "Some **bold** words and [a link](https://example.org/)")
    anonymous = _reply(me, thread, "Said without my name", anonymous=True)
    hidden = _reply(me, thread, "A post a moderator hid")
    hide_post(moderator=moderator, post=_fresh(hidden), reason="Names a clinic")
    quiet = make_thread(author=other, title="Quiet")
    settings.HEARTH_HOLD_FIRST_POSTS = 10
    held = _reply(me, quiet, "Waiting for a moderator")
    assert held.is_held

    page = _text(my_client, MY_POSTS)

    links = re.findall(r'<a href="/p/(\d+)/">', page)
    assert links == [str(held.pk), str(hidden.pk), str(anonymous.pk), str(plain.pk)]
    assert "Some bold words and a link" in page  # plain text: no Markdown, no HTML
    assert "<strong>bold</strong>" not in page
    assert "Long weekend" in page
    assert "Quiet" in page
    assert page.count("Posted anonymously") == 1
    assert page.count("Hidden by a moderator") == 1
    assert page.count("Waiting for approval") == 1


def test_my_posts_leave_out_deleted_posts_other_members_posts_and_unreadable_categories(
    me: User,
    other: User,
    my_client: Client,
    make_thread: MakeThread,
    make_category: MakeCategory,
    anonymous_category: Category,
) -> None:
    thread = make_thread(author=other, category=anonymous_category)
    kept = _reply(me, thread, "Still here")
    deleted = _reply(me, thread, "Posted too soon")
    delete_post(member=me, post=_fresh(deleted))
    _reply(other, thread, "Their words, not mine")
    _reply(other, thread, "Their anonymous words", anonymous=True)
    elsewhere = make_thread(author=other, title="Lost access")
    lost = _reply(me, elsewhere, "In a category I can no longer read")
    Category.objects.filter(pk=elsewhere.category_id).update(visibility=Visibility.MODERATORS)

    page = _text(my_client, MY_POSTS)

    assert re.findall(r'<a href="/p/(\d+)/">', page) == [str(kept.pk)]
    for absent in ("Posted too soon", "Their words", "Their anonymous words", "Lost access"):
        assert absent not in page
    assert f"/p/{lost.pk}/" not in page


def test_another_members_anonymous_post_never_appears_on_my_pages(
    me: User, other: User, my_client: Client, anonymous_category: Category
) -> None:
    # In my own thread, and saved by me: still not mine, and never under their name.
    mine = _start(me, anonymous_category, "Asking for advice")
    theirs = _reply(other, mine, "Something only a pseudonym says", anonymous=True)
    save_post(member=me, post=_fresh(theirs))

    my_pages = _text(my_client, MY_THREADS) + _text(my_client, MY_POSTS)
    saved = _text(my_client, SAVED)

    assert "Something only a pseudonym says" not in my_pages
    assert f"/p/{theirs.pk}/" not in my_pages
    assert "Something only a pseudonym says" in saved
    assert theirs.author_name in saved  # their pseudonym
    for name in ("Heron Realname", "heronreal"):
        assert name not in my_pages + saved


def test_my_pages_show_a_member_only_their_own_content(
    me: User, other: User, client_for: ClientFor, category: Category
) -> None:
    thread = _start(me, category, "Mine alone")
    save_post(member=me, post=_fresh(thread.posts.get()))

    pages = [_text(client_for(other), url) for url in (MY_THREADS, MY_POSTS, SAVED)]

    assert all("Mine alone" not in page for page in pages)


@pytest.mark.parametrize("url", [MY_THREADS, MY_POSTS, SAVED])
def test_a_visitor_is_asked_to_sign_in(url: str) -> None:
    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_list_pages_continue_where_the_last_one_ended(
    monkeypatch: pytest.MonkeyPatch, me: User, my_client: Client, make_thread: MakeThread
) -> None:
    monkeypatch.setattr(activity, "MY_POSTS_PER_PAGE", 2)
    thread = make_thread()
    posts = [_reply(me, thread, f"Reply number {number}") for number in range(5)]
    # Posted in the same instant: the id breaks the tie between pages.
    Post.objects.filter(pk__in=[posts[1].pk, posts[2].pk, posts[3].pk]).update(
        created_at=posts[3].created_at
    )
    newest_first = Post.objects.filter(author=me).order_by("-created_at", "-pk")

    seen: list[str] = []
    url = MY_POSTS
    for _page in range(5):
        page = _text(my_client, url)
        seen += re.findall(r'<a href="/p/(\d+)/">', page)
        older = re.search(r'<a href="\?after=([^"]+)" rel="next">', page)
        if older is None:
            break
        url = f"{MY_POSTS}?after={older.group(1)}"

    assert seen == [str(post.pk) for post in newest_first]


@pytest.mark.parametrize("url", [MY_THREADS, MY_POSTS, SAVED])
def test_a_malformed_page_link_is_a_bad_request(url: str, my_client: Client) -> None:
    response = my_client.get(f"{url}?after=yesterday")

    assert response.status_code == 400


# --- Saving posts -------------------------------------------------------------------------


def test_a_member_saves_a_post_from_the_thread_and_goes_back_to_it(
    me: User, my_client: Client, make_thread: MakeThread
) -> None:
    post = make_thread(title="Gentle things").posts.get()
    before = _text(my_client, post.thread.get_absolute_url())  # its article is cached now

    response = my_client.post(reverse("forum:save_post", args=[post.pk]))

    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    assert Bookmark.objects.filter(member=me, post=post).count() == 1
    thread_page = _text(my_client, post.thread.get_absolute_url())
    assert reverse("forum:unsave_post", args=[post.pk]) in thread_page
    assert '>Saved<span class="visually-hidden">' in thread_page
    assert reverse("forum:save_post", args=[post.pk]) in before
    assert reverse("forum:unsave_post", args=[post.pk]) not in before


def test_saving_twice_keeps_one_bookmark_and_removing_takes_it_away(
    me: User, make_thread: MakeThread
) -> None:
    post = _fresh(make_thread().posts.get())

    first = save_post(member=me, post=post)
    again = save_post(member=me, post=post)
    removed = unsave_post(member=me, post=post)
    removed_again = unsave_post(member=me, post=post)

    assert first.pk == again.pk
    assert (removed, removed_again) == (True, False)
    assert not Bookmark.objects.filter(member=me).exists()


def test_htmx_gets_the_toggle_in_its_new_state(
    me: User, my_client: Client, make_thread: MakeThread
) -> None:
    post = make_thread().posts.get()

    saved = my_client.post(reverse("forum:save_post", args=[post.pk]), HTTP_HX_REQUEST="true")
    unsaved = my_client.post(reverse("forum:unsave_post", args=[post.pk]), HTTP_HX_REQUEST="true")

    assert saved.status_code == unsaved.status_code == 200
    saved_html, unsaved_html = saved.content.decode(), unsaved.content.decode()
    assert saved_html.startswith(f'<form method="post" action="/p/{post.pk}/unsave/"')
    assert "Saved" in saved_html
    assert 'name="csrfmiddlewaretoken"' in saved_html
    assert unsaved_html.startswith(f'<form method="post" action="/p/{post.pk}/save/"')
    assert not Bookmark.objects.filter(member=me).exists()


def test_a_next_address_elsewhere_is_ignored(my_client: Client, make_thread: MakeThread) -> None:
    post = make_thread().posts.get()

    inside = my_client.post(reverse("forum:save_post", args=[post.pk]), {"next": SAVED})
    outside = my_client.post(
        reverse("forum:unsave_post", args=[post.pk]), {"next": "https://example.org/"}
    )

    assert inside["Location"] == SAVED
    assert outside["Location"] == post.get_absolute_url()


def test_saving_needs_a_post_request(my_client: Client, make_thread: MakeThread) -> None:
    post = make_thread().posts.get()

    response = my_client.get(reverse("forum:save_post", args=[post.pk]))

    assert response.status_code == 405
    assert not Bookmark.objects.exists()


def test_saving_needs_the_csrf_token(me: User, make_thread: MakeThread) -> None:
    post = make_thread().posts.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(me)

    response = client.post(reverse("forum:save_post", args=[post.pk]))

    assert response.status_code == 403
    assert not Bookmark.objects.exists()


def test_the_saved_page_lists_saved_posts_with_their_notes(
    me: User, other: User, my_client: Client, make_thread: MakeThread
) -> None:
    first = _fresh(make_thread(author=other, title="Sleep", body="Try a warm bath").posts.get())
    second = _fresh(make_thread(author=other, title="Books").posts.get())
    save_post(member=me, post=first)
    save_post(member=me, post=second)
    set_bookmark_note(member=me, post=first, note="Ask about this on Tuesday")

    page = _text(my_client, SAVED)

    assert re.findall(r'<a href="/p/(\d+)/">', page) == [str(second.pk), str(first.pk)]
    assert "Try a warm bath" in page
    assert "Ask about this on Tuesday</textarea>" in page
    assert "by Heron Realname" in page
    assert '<label for="note-' in page


def test_a_member_writes_a_note_inline_and_clears_it(
    me: User, my_client: Client, make_thread: MakeThread
) -> None:
    post = _fresh(make_thread().posts.get())
    save_post(member=me, post=post)
    url = reverse("forum:bookmark_note", args=[post.pk])

    written = my_client.post(url, {"note": "  Bring this up  ", "next": f"{SAVED}#saved-1"})
    note_after_writing = Bookmark.objects.get(member=me, post=post).note
    my_client.post(url, {"note": ""})

    assert written.status_code == 302
    assert written["Location"] == f"{SAVED}#saved-1"
    assert note_after_writing == "Bring this up"
    assert Bookmark.objects.get(member=me, post=post).note == ""


def test_a_note_over_500_characters_is_refused_and_the_old_note_kept(
    me: User, my_client: Client, make_thread: MakeThread
) -> None:
    post = _fresh(make_thread().posts.get())
    set_bookmark_note(member=me, post=post, note="Kept")

    response = my_client.post(reverse("forum:bookmark_note", args=[post.pk]), {"note": "x" * 501})

    assert response.status_code == 302
    assert Bookmark.objects.get(member=me, post=post).note == "Kept"
    assert "Keep the note to 500 characters" in _text(my_client, SAVED)
    with pytest.raises(ValidationError):
        set_bookmark_note(member=me, post=post, note="nul \x00 inside")


def test_a_note_of_500_characters_with_line_breaks_is_kept(
    me: User, make_thread: MakeThread
) -> None:
    post = _fresh(make_thread().posts.get())

    set_bookmark_note(member=me, post=post, note="a" * 250 + "\r\n" + "b" * 249)

    assert len(Bookmark.objects.get(member=me, post=post).note) == 500


def test_the_saved_list_drops_posts_hidden_deleted_or_out_of_reach_since(
    settings: Settings,
    me: User,
    other: User,
    my_client: Client,
    moderator: User,
    make_thread: MakeThread,
    make_category: MakeCategory,
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 0
    kept = _fresh(make_thread(author=other, body="Still readable").posts.get())
    hidden = _fresh(make_thread(author=other, body="Hidden later").posts.get())
    deleted = _fresh(make_thread(author=other, body="Deleted later").posts.get())
    lost = make_category()
    out_of_reach = _fresh(make_thread(author=other, category=lost, body="Lost later").posts.get())
    for post in (kept, hidden, deleted, out_of_reach):
        save_post(member=me, post=post)

    hide_post(moderator=moderator, post=hidden, reason="Unkind")
    delete_post(member=other, post=deleted)
    Category.objects.filter(pk=lost.pk).update(visibility=Visibility.MODERATORS)

    page = _text(my_client, SAVED)
    assert re.findall(r'<a href="/p/(\d+)/">', page) == [str(kept.pk)]
    for gone in ("Hidden later", "Deleted later", "Lost later"):
        assert gone not in page
    # The bookmarks stay: the post shows again if the member may read it again.
    Category.objects.filter(pk=lost.pk).update(visibility=Visibility.MEMBERS)
    assert "Lost later" in _text(my_client, SAVED)


def test_my_own_hidden_post_stays_in_my_saved_posts(
    me: User, my_client: Client, moderator: User, make_thread: MakeThread
) -> None:
    post = _fresh(make_thread(author=me, body="Mine, hidden").posts.get())
    save_post(member=me, post=post)
    hide_post(moderator=moderator, post=post, reason="Names a clinic")

    page = _text(my_client, SAVED)

    assert "Mine, hidden" in page
    assert "Hidden by a moderator" in page


@pytest.mark.parametrize("route", ["forum:save_post", "forum:unsave_post", "forum:bookmark_note"])
def test_a_post_i_cannot_read_is_not_found(
    route: str,
    settings: Settings,
    me: User,
    other: User,
    my_client: Client,
    moderator: User,
    make_thread: MakeThread,
    make_category: MakeCategory,
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 0
    hidden = _fresh(make_thread(author=other).posts.get())
    hide_post(moderator=moderator, post=hidden, reason="Unkind")
    private = make_category(visibility=Visibility.MODERATORS)
    moderators_only = make_thread(author=moderator, category=private).posts.get()
    deleted = _fresh(make_thread(author=other).posts.get())
    delete_post(member=other, post=deleted)

    answers = [
        my_client.post(reverse(route, args=[post.pk]), {"note": "Mine"}).status_code
        for post in (hidden, moderators_only, deleted)
    ]
    missing = my_client.post(reverse(route, args=[10**8]), {"note": "Mine"}).status_code

    assert answers == [404, 404, 404]
    assert missing == 404
    assert not Bookmark.objects.filter(member=me).exists()


def test_the_services_refuse_a_post_the_member_cannot_read(
    me: User, other: User, moderator: User, make_thread: MakeThread
) -> None:
    hidden = _fresh(make_thread(author=other).posts.get())
    hide_post(moderator=moderator, post=hidden, reason="Unkind")
    hidden = _fresh(hidden)

    with pytest.raises(PermissionDenied):
        save_post(member=me, post=hidden)
    with pytest.raises(PermissionDenied):
        set_bookmark_note(member=me, post=hidden, note="A note")

    assert not Bookmark.objects.filter(member=me).exists()


def test_a_visitor_sees_no_save_button(
    make_category: MakeCategory, make_thread: MakeThread
) -> None:
    thread = make_thread(category=make_category(visibility=Visibility.PUBLIC))

    page = _text(Client(), thread.get_absolute_url())

    assert "/save/" not in page
    assert "Bring to session" not in page


def test_the_saved_state_costs_the_thread_page_no_query(
    me: User, my_client: Client, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    thread = make_thread()
    replies = [make_reply(thread) for _ in range(10)]
    for reply in replies[::2]:
        save_post(member=me, post=_fresh(reply))
    my_client.get(thread.get_absolute_url())  # warm: fragments cached, read marker moved

    with CaptureQueriesContext(connection) as captured:
        page = my_client.get(thread.get_absolute_url()).content.decode()

    assert len(captured) == THREAD_PAGE_QUERIES
    assert len(re.findall(r'action="/p/\d+/unsave/"', page)) == 5
    # the original post and the five replies not saved
    assert len(re.findall(r'action="/p/\d+/save/"', page)) == 6


# --- Bring to session ---------------------------------------------------------------------


_BRING_TO_SESSION_FORM = re.compile(
    r'<form method="post" action="/notes/next/excerpt/" class="inline-form">'
    r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]+">'
    r'<input type="hidden" name="post" value="(\d+)">'
)


def test_bring_to_session_is_offered_only_on_my_own_posts(
    me: User,
    other: User,
    my_client: Client,
    client_for: ClientFor,
    make_thread: MakeThread,
    make_reply: MakeReply,
) -> None:
    thread = make_thread(author=other)
    mine = make_reply(thread, author=me)

    my_page = _text(my_client, thread.get_absolute_url())
    their_page = _text(client_for(other), thread.get_absolute_url())

    assert _BRING_TO_SESSION_FORM.findall(my_page) == [str(mine.pk)]
    assert _BRING_TO_SESSION_FORM.findall(their_page) == [str(thread.posts.get(position=1).pk)]
    assert "add this post to my notes for my next therapy session" in my_page


def test_bringing_my_post_to_session_adds_it_to_my_notes(
    me: User, other: User, my_client: Client, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    thread = make_thread(author=other, title="Weekends")
    post = make_reply(thread, author=me, body="What I want to say on Tuesday")

    response = my_client.post(BRING_TO_SESSION, {"post": str(post.pk)}, follow=True)

    assert response.redirect_chain == [(f"{NOTES}#section-from_forum", 302)]
    page = response.content.decode()
    assert "The excerpt is in your notes for your next session." in page
    forum_section = page[page.index('id="section-from_forum"') :]
    assert 'From a post of mine in "Weekends"' in forum_section
    assert "<blockquote>What I want to say on Tuesday</blockquote>" in forum_section


def test_bring_to_session_from_the_thread_leaves_me_on_the_post(
    me: User, other: User, my_client: Client, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    thread = make_thread(author=other)
    post = make_reply(thread, author=me, body="For Tuesday")
    page = _text(my_client, thread.get_absolute_url())
    assert f'name="next" value="/p/{post.pk}/"' in page

    response = my_client.post(BRING_TO_SESSION, {"post": str(post.pk), "next": f"/p/{post.pk}/"})
    elsewhere = my_client.post(
        BRING_TO_SESSION, {"post": str(post.pk), "next": "https://example.com/"}
    )

    assert response["Location"] == f"/p/{post.pk}/"
    assert elsewhere["Location"] == f"{NOTES}#section-from_forum"
    assert "For Tuesday" in _text(my_client, NOTES)


def test_someone_elses_post_cannot_be_brought_to_my_session(
    me: User, other: User, my_client: Client, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    theirs = make_reply(make_thread(author=other), author=other, body="Not mine to bring")

    response = my_client.post(BRING_TO_SESSION, {"post": str(theirs.pk)})

    assert response.status_code == 400
    assert "Not mine to bring" not in response.content.decode()
    assert "Not mine to bring" not in _text(my_client, NOTES)


# --- Query counts -------------------------------------------------------------------------


def _fill(rows: int, me: User, other: User, category: Category) -> None:
    """``rows`` threads I started (so as many posts of mine), each with a reply I saved
    with a note."""
    for number in range(rows):
        thread = _start(me, category, f"Thread {number}")
        theirs = _reply(other, thread, f"Their reply {number} with **markup**")
        set_bookmark_note(member=me, post=_fresh(theirs), note=f"Note {number}")


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


# session, member, the list with everything each row shows
LIST_PAGE_QUERIES = 3


@pytest.mark.parametrize("url", [MY_THREADS, MY_POSTS, SAVED])
def test_list_page_queries_are_pinned_and_do_not_grow_with_rows(
    url: str, make_member: MakeMember, client_for: ClientFor, make_category: MakeCategory
) -> None:
    counts = []
    for rows in (1, 11):
        member, other = make_member(), make_member()
        _fill(rows, member, other, make_category())
        client = client_for(member)
        assert _text(client, url).count('<li class="thread-row"') == rows
        counts.append(_queries(client, url))

    assert counts == [LIST_PAGE_QUERIES, LIST_PAGE_QUERIES]
