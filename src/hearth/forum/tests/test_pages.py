"""Forum pages over HTTP: what members see, and how much each page costs."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Draft, Post, ReactionKind, Thread
from hearth.forum.selectors import POSTS_PER_PAGE, THREADS_PER_PAGE
from hearth.forum.services import edit_post, reply_to_thread, toggle_reaction
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread

pytestmark = pytest.mark.django_db


def _add_replies(thread: Thread, count: int, make_member: MakeMember) -> list[Post]:
    authors = [make_member() for _ in range(min(count, 5))]
    return [
        reply_to_thread(
            author=authors[number % len(authors)],
            thread=thread,
            body=f"Reply number {number}",
            request_key=f"bulk-{thread.pk}-{number}",
        )
        for number in range(count)
    ]


def _positions_on(page: str) -> list[int]:
    return [int(number) for number in re.findall(r"Reply number (\d+)", page)]


def test_the_thread_page_marks_the_original_post_and_shows_replies_oldest_first(
    make_thread: MakeThread, make_member: MakeMember, member_client: Client
) -> None:
    thread = make_thread(title="Missing your therapist")
    _add_replies(thread, 3, make_member)

    page = member_client.get(thread.get_absolute_url()).content.decode()

    assert "Missing your therapist</h1>" in page
    assert page.count("Original Post") == 1
    assert _positions_on(page) == [0, 1, 2]
    assert "Replies sorted oldest to newest" in page
    assert '<time datetime="' in page


def test_a_member_switches_to_newest_first_and_it_is_remembered(
    make_thread: MakeThread, make_member: MakeMember, member: User, member_client: Client
) -> None:
    thread = make_thread()
    _add_replies(thread, 3, make_member)

    response = member_client.post(
        reverse("forum:set_reply_order"), {"newest_first": "1", "next": thread.get_absolute_url()}
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.replies_newest_first is True
    page = member_client.get(thread.get_absolute_url()).content.decode()
    assert "Replies sorted newest to oldest" in page
    assert _positions_on(page) == [2, 1, 0]
    assert page.index("Original Post") < page.index("Reply number 2")


def test_an_edited_post_says_when_and_by_whom(
    make_thread: MakeThread, member_client: Client
) -> None:
    thread = make_thread(body="Before")
    post = thread.posts.get()
    assert post.author is not None
    edit_post(editor=post.author, post=post, body="After", base_revision=1)

    page = member_client.get(thread.get_absolute_url()).content.decode()

    assert "Last edited <time datetime=" in page
    assert f"by {post.author.display_name}" in page
    assert "{{" not in page
    assert "{%" not in page


def test_pages_hold_stable_positions_in_a_long_thread(
    make_thread: MakeThread, make_member: MakeMember, member_client: Client
) -> None:
    thread = make_thread()
    _add_replies(thread, POSTS_PER_PAGE * 2 + 5, make_member)

    second = member_client.get(f"{thread.get_absolute_url()}?page=2").content.decode()
    last = member_client.get(f"{thread.get_absolute_url()}?page=3").content.decode()

    assert _positions_on(second) == list(range(POSTS_PER_PAGE - 1, 2 * POSTS_PER_PAGE - 1))
    assert _positions_on(last) == list(range(2 * POSTS_PER_PAGE - 1, 2 * POSTS_PER_PAGE + 5))
    # Past the end is the last page ("Go to page" with too big a number); not a number, 400.
    past_the_end = member_client.get(f"{thread.get_absolute_url()}?page=4")
    assert past_the_end.status_code == 302
    assert past_the_end["Location"] == f"{thread.get_absolute_url()}?page=3"
    assert member_client.get(f"{thread.get_absolute_url()}?page=abc").status_code == 400


@pytest.mark.parametrize("newest_first", [False, True])
def test_a_permalink_lands_on_the_right_page_and_anchor_for_the_viewers_order(
    make_thread: MakeThread,
    make_member: MakeMember,
    member: User,
    member_client: Client,
    newest_first: bool,
) -> None:
    member.replies_newest_first = newest_first
    member.save()
    thread = make_thread()
    replies = _add_replies(thread, POSTS_PER_PAGE + 10, make_member)
    early, late = replies[0], replies[-1]

    early_target = member_client.get(early.get_absolute_url())["Location"]
    late_target = member_client.get(late.get_absolute_url())["Location"]

    assert early_target.endswith(f"#post-{early.pk}")
    assert late_target.endswith(f"#post-{late.pk}")
    if newest_first:
        assert late_target == f"{thread.get_absolute_url()}#post-{late.pk}"
        assert early_target.startswith(f"{thread.get_absolute_url()}?page=2")
    else:
        assert early_target == f"{thread.get_absolute_url()}#post-{early.pk}"
        assert late_target.startswith(f"{thread.get_absolute_url()}?page=2")
    page = member_client.get(early_target.split("#")[0]).content.decode()
    assert f'id="post-{early.pk}"' in page


def test_every_post_has_a_copy_link_with_the_configured_site_url(
    make_thread: MakeThread,
    member_client: Client,
    settings: Settings,
) -> None:
    settings.SITE_URL, settings.SITE_URL_IS_SET = "https://hearth.example.org", True
    post = make_thread().posts.get()

    page = member_client.get(post.thread.get_absolute_url()).content.decode()

    assert (
        f'href="/p/{post.pk}/" class="copy-link" data-permalink="https://hearth.example.org/p/{post.pk}/"'
        in page
    )


def test_without_site_url_the_copy_link_is_completed_with_the_pages_own_address(
    make_thread: MakeThread, member_client: Client, settings: Settings
) -> None:
    """SITE_URL unset: nothing names 127.0.0.1:8000; forum.js copies the link as the
    browser completes it (e2e/test_forum_rough_edges.py copies it on another port)."""
    assert not settings.SITE_URL_IS_SET
    post = make_thread().posts.get()

    page = member_client.get(post.thread.get_absolute_url()).content.decode()

    assert f'href="/p/{post.pk}/" class="copy-link">' in page
    assert "127.0.0.1:8000" not in page


def test_reading_a_thread_moves_the_read_marker_and_unread_markers_follow(
    make_thread: MakeThread, make_reply: MakeReply, member: User, member_client: Client
) -> None:
    thread = make_thread()
    category_url = thread.category.get_absolute_url()
    assert "thread-row--unread" in member_client.get(category_url).content.decode()

    member_client.get(thread.get_absolute_url())

    assert "thread-row--unread" not in member_client.get(category_url).content.decode()
    make_reply(thread)
    assert "thread-row--unread" in member_client.get(category_url).content.decode()
    # The visit after a new reply offers a jump to it, and reads it.
    assert "Jump to first unread" in member_client.get(thread.get_absolute_url()).content.decode()
    assert (
        "Jump to first unread" not in member_client.get(thread.get_absolute_url()).content.decode()
    )
    make_reply(thread)
    response = member_client.get(reverse("forum:first_unread", args=[thread.pk]))
    assert response["Location"].endswith(f"#post-{thread.posts.get(position=3).pk}")


def test_mark_category_read_clears_unread_markers(
    make_thread: MakeThread, member_client: Client
) -> None:
    thread = make_thread()
    url = thread.category.get_absolute_url()

    member_client.post(reverse("forum:mark_category_read", args=[thread.category.slug]))

    assert "thread-row--unread" not in member_client.get(url).content.decode()


def test_the_category_page_lists_pinned_first_then_by_last_activity_with_keyset_pages(
    make_thread: MakeThread,
    make_category: MakeCategory,
    make_reply: MakeReply,
    member_client: Client,
) -> None:
    category = make_category()
    threads = [
        make_thread(category=category, title=f"Thread {n}") for n in range(THREADS_PER_PAGE + 3)
    ]
    pinned = make_thread(category=category, title="Read me first", pinned=True)
    make_reply(threads[0])  # the oldest thread becomes the most recently active

    first = member_client.get(category.get_absolute_url()).content.decode()
    titles = re.findall(r'<a href="/t/\d+/">([^<]+)</a>', first)
    assert titles[:3] == [pinned.title, "Thread 0", f"Thread {THREADS_PER_PAGE + 2}"]
    assert len(titles) == THREADS_PER_PAGE
    next_link = re.search(r'href="\?after=([^"]+)"', first)
    assert next_link
    second = member_client.get(
        f"{category.get_absolute_url()}?after={next_link.group(1)}"
    ).content.decode()
    second_titles = re.findall(r'<a href="/t/\d+/">([^<]+)</a>', second)
    assert len(second_titles) == 4
    assert not set(titles) & set(second_titles)
    assert member_client.get(f"{category.get_absolute_url()}?after=nonsense").status_code == 400


def test_the_home_page_lists_categories_and_recent_activity(
    make_thread: MakeThread, member_client: Client
) -> None:
    thread = make_thread(title="A recent conversation")

    page = member_client.get("/").content.decode()

    assert thread.category.name in page
    assert "A recent conversation" in page
    assert "1 thread" in page


def test_preview_returns_sanitised_html_for_htmx_and_a_page_without_it(
    member_client: Client,
) -> None:
    body = "Hello :( <script>alert(1)</script> **bold**"

    fragment = member_client.post(reverse("forum:preview"), {"body": body}, HTTP_HX_REQUEST="true")
    full_page = member_client.post(
        reverse("forum:preview"), {"body": body, "next_action": "/t/1/reply/"}
    )

    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>" not in html
    assert 'aria-label="frowning face"' in html
    assert "<html" not in html
    assert full_page.status_code == 200
    assert "<html" in full_page.content.decode()
    assert "Keep writing" in full_page.content.decode()


def test_preview_answers_a_plain_post_of_body_with_the_fragment(member_client: Client) -> None:
    response = member_client.post(reverse("forum:preview"), {"body": "*Hello* :)"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<em>Hello</em>" in html
    assert "<html" not in html


def test_preview_requires_sign_in_and_csrf(member: User) -> None:
    assert Client().post(reverse("forum:preview"), {"body": "x"}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    assert strict.post(reverse("forum:preview"), {"body": "x"}).status_code == 403


def test_an_invalid_reply_comes_back_with_the_text_and_a_message(
    make_thread: MakeThread, member_client: Client
) -> None:
    thread = make_thread()
    too_long = "Words I typed carefully. " + "x" * (64 * 1024)

    response = member_client.post(reverse("forum:reply", args=[thread.pk]), {"body": too_long})

    assert response.status_code == 400
    page = response.content.decode()
    assert "longer than we can accept" in page
    assert "Words I typed carefully." in page
    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_an_invalid_new_thread_keeps_title_and_body(
    category: Category, member_client: Client
) -> None:
    response = member_client.post(
        reverse("forum:new_thread", args=[category.slug]),
        {"title": "T" * 300, "body": "My carefully typed body", "request_key": "k"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "under 200 characters" in page
    assert "My carefully typed body" in page
    assert not Thread.objects.exists()


def test_drafts_are_saved_and_come_back_in_the_composer(
    make_thread: MakeThread, member: User, member_client: Client
) -> None:
    thread = make_thread()

    response = member_client.post(
        reverse("forum:save_draft"), {"thread": thread.pk, "body": "Unfinished"}
    )

    assert response.status_code == 200
    assert response.content.decode() == "Draft saved."
    assert Draft.objects.get(member=member, thread=thread).body == "Unfinished"
    assert "Unfinished</textarea>" in member_client.get(thread.get_absolute_url()).content.decode()
    bad = member_client.post(reverse("forum:save_draft"), {"thread": "abc", "body": "x"})
    assert bad.status_code == 400


def test_a_conflicting_edit_shows_both_texts(
    make_thread: MakeThread, moderator: User, client_for: ClientFor
) -> None:
    post = make_thread(body="Original").posts.get()
    assert post.author is not None
    edit_post(editor=moderator, post=post, body="Moderator wording", base_revision=1)

    response = client_for(post.author).post(
        reverse("forum:edit_post", args=[post.pk]),
        {"body": "My own new wording", "base_revision": 1},
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Moderator wording" in page
    assert "My own new wording" in page
    assert 'name="base_revision" value="2"' in page


def test_the_history_page_shows_what_changed(
    make_thread: MakeThread, member_client: Client
) -> None:
    post = make_thread(body="I felt sad today").posts.get()
    assert post.author is not None
    edit_post(
        editor=post.author,
        post=post,
        body="I felt hopeful today",
        base_revision=1,
        reason="Better now",
    )

    page = member_client.get(reverse("forum:history", args=[post.pk])).content.decode()

    assert "<del>sad</del><ins>hopeful</ins>" in page
    assert "Better now" in page


def test_quote_reply_prefills_an_attributed_quote_with_a_link_back(
    make_thread: MakeThread, member_client: Client
) -> None:
    post = make_thread(body="Endings are hard").posts.get()

    page = member_client.get(reverse("forum:quote", args=[post.pk])).content.decode()

    assert "&gt; Endings are hard" in page
    assert f"/p/{post.pk}/" in page


def test_reacting_with_htmx_returns_the_updated_buttons(
    make_thread: MakeThread, member_client: Client
) -> None:
    post = make_thread().posts.get()

    response = member_client.post(
        reverse("forum:react", args=[post.pk]), {"kind": "hug"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="reactions-{post.pk}"' in html
    assert 'value="hug" class="reaction" aria-pressed="true"' in html
    assert (
        member_client.post(reverse("forum:react", args=[post.pk]), {"kind": "wave"}).status_code
        == 400
    )


def test_who_reacted_is_visible_on_request(
    make_thread: MakeThread, make_member: MakeMember, member_client: Client
) -> None:
    post = make_thread().posts.get()
    toggle_reaction(
        member=make_member(display_name="Kind Otter"), post=post, kind=ReactionKind.THANKS
    )

    page = member_client.get(reverse("forum:reactors", args=[post.pk])).content.decode()

    assert "Thank you" in page
    assert "Kind Otter" in page


def test_a_deleted_post_shows_a_notice_in_place(
    make_thread: MakeThread, make_reply: MakeReply, client_for: ClientFor
) -> None:
    thread = make_thread()
    reply = make_reply(thread, body="Text that should vanish")
    assert reply.author is not None
    client = client_for(reply.author)

    client.post(reverse("forum:delete_post", args=[reply.pk]))

    page = client.get(thread.get_absolute_url()).content.decode()
    assert "This post was deleted by its author." in page
    assert "Text that should vanish" not in page
