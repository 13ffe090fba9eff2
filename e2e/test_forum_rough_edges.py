"""Issue 18's rough edges in a real browser: Copy link on another port, no unread jump after
posting, a long thread's pages (axe's landmark-unique, "Go to page"), quoting a selection,
and an edit that survives closing the tab."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.fixtures import Settings

from e2e.conftest import assert_no_axe_violations
from e2e.test_forum import sign_in
from hearth.core.testing import MakeMember
from hearth.forum.models import Category, Draft, Post, Thread
from hearth.forum.selectors import POSTS_PER_PAGE
from hearth.forum.services import reply_to_thread, start_thread
from hearth.forum.testing import MakeCategory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(make_category: MakeCategory) -> Category:
    return make_category("Between sessions", slug="between-sessions")


def test_copy_link_copies_the_address_the_forum_is_served_at(
    page: Page,
    context: BrowserContext,
    live_url: str,
    settings: Settings,
    make_member: MakeMember,
    room: Category,
) -> None:
    settings.SITE_URL_IS_SET = False  # the live server's port is not 127.0.0.1:8000's
    member = make_member(username="fern", display_name="Fern")
    thread = start_thread(author=member, category=room, title="Hi", body="Hi", request_key="c1")
    post = thread.posts.get()
    sign_in(page, live_url, member)
    page.goto(f"{live_url}{thread.get_absolute_url()}")

    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page.locator(f"#post-{post.pk}").get_by_role("link", name="Copy link").click()
    expect(page.locator("#toast-region")).to_have_text("Link copied to your clipboard.")

    assert page.evaluate("navigator.clipboard.readText()") == f"{live_url}/p/{post.pk}/"


def test_posting_a_reply_offers_no_jump_to_it(
    page: Page, live_url: str, make_member: MakeMember, room: Category
) -> None:
    starter = make_member(username="heron", display_name="Heron")
    thread = start_thread(author=starter, category=room, title="Sunday", body="Hi", request_key="j")
    sign_in(page, live_url, make_member(username="wren", display_name="Wren"))
    page.goto(f"{live_url}{thread.get_absolute_url()}")

    page.get_by_label("Your message").fill("Thinking of you.")
    page.get_by_role("button", name="Post reply").click()

    expect(page.locator("article.post")).to_have_count(2)
    expect(page.get_by_role("link", name="Jump to first unread")).to_have_count(0)


@pytest.fixture
def long_thread(make_member: MakeMember, room: Category) -> Thread:
    author = make_member(username="linnet", display_name="Linnet")
    thread = start_thread(author=author, category=room, title="Long", body="Hi", request_key="l")
    for number in range(POSTS_PER_PAGE * 3):  # four pages
        reply_to_thread(
            author=author, thread=thread, body=f"Reply {number}", request_key=f"{number}"
        )
    return thread


def test_a_long_threads_pages_pass_axe_and_go_to_page_works_without_script(
    page: Page, live_url: str, axe: Axe, make_member: MakeMember, long_thread: Thread
) -> None:
    sign_in(page, live_url, make_member(username="tern", display_name="Tern"))
    page.goto(f"{live_url}{long_thread.get_absolute_url()}?page=2")

    expect(page.get_by_role("navigation", name="Pages, top")).to_be_visible()
    expect(page.get_by_role("navigation", name="Pages, bottom")).to_be_attached()
    assert_no_axe_violations(axe, page)
    top = page.get_by_role("navigation", name="Pages, top")
    expect(top.get_by_role("link", name="Page 2")).to_have_attribute("aria-current", "page")
    top.get_by_label("Go to page").fill("4")
    top.get_by_role("button", name="Go to that page").click()

    expect(page).to_have_url(re.compile(r"\?page=4$"))
    expect(page.get_by_text("Page 4 of 4").first).to_be_visible()
    assert_no_axe_violations(axe, page)


def test_quote_quotes_the_words_selected_in_the_post(
    page: Page, live_url: str, make_member: MakeMember, room: Category
) -> None:
    author = make_member(username="robin", display_name="Robin")
    thread = start_thread(
        author=author,
        category=room,
        title="Endings",
        body="Our last session is in May.\n\nI keep rehearsing what to say.",
        request_key="q",
    )
    sign_in(page, live_url, make_member(username="egret", display_name="Egret"))
    page.goto(f"{live_url}{thread.get_absolute_url()}")
    article = page.locator("article.post").first

    article.locator(".post__body p").nth(1).evaluate(
        """paragraph => {
            const range = document.createRange();
            range.setStart(paragraph.firstChild, 2);  // "keep rehearsing"
            range.setEnd(paragraph.firstChild, 17);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
        }"""
    )
    article.get_by_role("link", name="Quote").click()

    composer = page.get_by_label("Your message")
    expect(composer).to_have_value(re.compile(r"\[wrote\]\(<[^>]+>\):\n> keep rehearsing\n"))
    assert "last session" not in composer.input_value()

    # With nothing selected, the link quotes the whole post.
    page.goto(f"{live_url}{thread.get_absolute_url()}")
    page.locator("article.post").first.get_by_role("link", name="Quote").click()
    expect(page.get_by_label("Your message")).to_have_value(
        re.compile(r"> Our last session is in May\.\n>\s*\n> I keep rehearsing what to say\.")
    )


def test_an_edit_survives_closing_the_tab_until_saved_or_cancelled(
    context: BrowserContext,
    page: Page,
    live_url: str,
    axe: Axe,
    make_member: MakeMember,
    room: Category,
) -> None:
    author = make_member(username="martin", display_name="Martin")
    thread = start_thread(
        author=author, category=room, title="Week", body="Hard week.", request_key="e"
    )
    post = Post.objects.get(thread=thread, position=1)
    edit_url = f"{live_url}/p/{post.pk}/edit/"
    sign_in(page, live_url, author)
    page.goto(edit_url)

    page.get_by_label("Title").fill("A hard week")
    page.get_by_label("Your message").fill("Hard week, but Thursday helped.")
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible(timeout=8000)
    page.close()

    again = context.new_page()
    again.goto(edit_url)
    expect(again.get_by_label("Your message")).to_have_value("Hard week, but Thursday helped.")
    expect(again.get_by_label("Title")).to_have_value("A hard week")
    expect(again.get_by_text("were not saved yet")).to_be_visible()
    assert_no_axe_violations(axe, again)

    again.get_by_role("button", name="Cancel").click()
    expect(again).to_have_url(re.compile(rf"#post-{post.pk}$"))
    assert not Draft.objects.filter(post=post).exists()
    again.goto(edit_url)
    expect(again.get_by_label("Your message")).to_have_value("Hard week.")
    expect(again.get_by_label("Title")).to_have_value("Week")
