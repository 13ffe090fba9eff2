"""The forum in a real browser: posting, replying with a quote, editing, sorting,
copying a link, permalinks, drafts surviving a reload, and axe on every page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import BrowserContext, Page, expect

from e2e.conftest import assert_no_axe_violations
from hearth.accounts.models import User
from hearth.core.testing import TEST_PASSWORD, MakeMember
from hearth.forum.models import Category, Post
from hearth.forum.testing import MakeCategory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, live_url: str, member: User) -> None:
    page.goto(f"{live_url}/accounts/login/")
    page.get_by_label("Username or email").fill(member.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name="Categories")).to_be_visible()


@pytest.fixture
def forum_category(make_category: MakeCategory) -> Category:
    return make_category("The therapy relationship", slug="therapy-relationship")


def test_members_post_reply_quote_edit_sort_and_link(
    page: Page,
    context: BrowserContext,
    live_url: str,
    axe: Axe,
    make_member: MakeMember,
    forum_category: Category,
) -> None:
    settings.SITE_URL = live_url  # permalinks are absolute to the site being served
    alice = make_member(username="alice", display_name="Alice")
    bob = make_member(username="bob", display_name="Bob")

    # Member A posts a thread.
    sign_in(page, live_url, alice)
    assert_no_axe_violations(axe, page)
    page.get_by_role("link", name="The therapy relationship").first.click()
    assert_no_axe_violations(axe, page)
    page.get_by_role("link", name="New thread").click()
    assert_no_axe_violations(axe, page)
    page.get_by_label("Title").fill("Missing your therapist")
    page.get_by_label("Your message").fill("Does anyone else count the days?")
    page.get_by_role("button", name="Post thread").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Missing your therapist")
    expect(page.get_by_text("Original Post")).to_be_visible()
    thread_url = page.url
    page.get_by_role("button", name="Sign out").click()

    # Member B replies with a quote and an emoticon.
    sign_in(page, live_url, bob)
    page.goto(thread_url)
    assert_no_axe_violations(axe, page)
    page.get_by_role("link", name="Quote").first.click()
    composer = page.get_by_label("Your message")
    expect(composer).to_have_value(re.compile(r"> Does anyone else count the days\?"))
    composer.press("End")
    composer.type("\nEvery single one :(")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("img", name="frowning face")).to_be_visible()
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("article.post")).to_have_count(2)
    reply = page.locator("article.post").nth(1)
    expect(reply.locator("blockquote")).to_contain_text("Does anyone else count the days?")
    expect(reply.get_by_role("img", name="frowning face")).to_be_visible()
    reply_id = Post.objects.get(position=2).pk
    page.get_by_role("button", name="Sign out").click()

    # A edits the first post; "Last edited ... by Alice" appears.
    sign_in(page, live_url, alice)
    page.goto(thread_url)
    first_post = page.locator("article.post").first
    first_post.locator("details.post-menu > summary").click()  # Edit is under "More"
    first_post.get_by_role("link", name="Edit").click()
    page.get_by_label("Your message").fill(
        "Does anyone else count the days until the next session?"
    )
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("article.post").first).to_contain_text("Last edited")
    expect(page.locator("article.post").first).to_contain_text("by Alice")

    # The sort control switches the order of replies and says so.
    expect(page.get_by_text("Replies sorted oldest to newest")).to_be_visible()
    page.get_by_role("button", name="Show newest first").click()
    expect(page.get_by_text("Replies sorted newest to oldest")).to_be_visible()
    page.get_by_role("button", name="Show oldest first").click()

    # Copy link shows the toast and the clipboard holds the absolute permalink.
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_url)
    page.locator(f"#post-{reply_id}").get_by_role("link", name="Copy link").click()
    expect(page.locator("#toast-region")).to_have_text("Link copied to your clipboard.")
    clipboard = page.evaluate("navigator.clipboard.readText()")
    assert clipboard == f"{live_url}/p/{reply_id}/"

    # Opening the permalink lands on that post.
    page.goto(clipboard)
    expect(page).to_have_url(re.compile(rf"/t/\d+/#post-{reply_id}$"))
    expect(page.locator(f"#post-{reply_id}")).to_be_in_viewport()


def test_a_draft_survives_a_reload(
    page: Page, live_url: str, axe: Axe, make_member: MakeMember, forum_category: Category
) -> None:
    member = make_member(username="carol", display_name="Carol")
    sign_in(page, live_url, member)
    page.goto(f"{live_url}/c/{forum_category.slug}/new/")

    page.get_by_label("Title").fill("Half-written thoughts")
    page.get_by_label("Your message").fill("I don't want to lose this sentence.")
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible(timeout=8000)
    page.reload()

    expect(page.get_by_label("Title")).to_have_value("Half-written thoughts")
    expect(page.get_by_label("Your message")).to_have_value("I don't want to lose this sentence.")
    assert_no_axe_violations(axe, page)


def test_a_draft_the_server_cannot_save_says_so_and_keeps_trying(
    page: Page, live_url: str, make_member: MakeMember, forum_category: Category
) -> None:
    member = make_member(username="dora", display_name="Dora")
    sign_in(page, live_url, member)
    page.goto(f"{live_url}/c/{forum_category.slug}/new/")
    attempts: list[str] = []

    def database_away(route: Any) -> None:
        attempts.append(route.request.url)
        route.fulfill(status=503, body="back in a moment")

    page.route("**/drafts/", database_away)
    page.get_by_label("Your message").fill("Words the server can't keep yet.")

    expect(page.get_by_role("status").filter(has_text="Not saved")).to_be_visible(timeout=8000)
    page.unroute("**/drafts/")
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible(timeout=15000)
    assert attempts, "the draft was sent while the server was away"
    expect(page.get_by_label("Your message")).to_have_value("Words the server can't keep yet.")


def test_the_composer_says_how_much_room_is_left_near_the_size_limit(
    page: Page, live_url: str, make_member: MakeMember, forum_category: Category
) -> None:
    sign_in(page, live_url, make_member(username="eli", display_name="Eli"))
    page.goto(f"{live_url}/c/{forum_category.slug}/new/")
    counter = page.locator("[data-size-status]")

    page.get_by_label("Your message").fill("A short post.")
    expect(counter).to_be_hidden()

    page.get_by_label("Your message").fill("x" * 60_000)
    expect(counter).to_contain_text("59 KB of the 64 KB a post can hold")

    page.get_by_label("Your message").fill("x" * 70_000)
    expect(counter).to_contain_text("over the 64 KB a post can hold")
