"""Care and moderation in a real browser: the crisis flow, muting, reporting, and a
moderator hiding a post with a reason the author then reads. axe on each page."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_forum import sign_in
from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember
from hearth.forum.testing import MakeCategory, MakeThread
from hearth.safety.models import QueueItem

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_the_crisis_flow_end_to_end(
    page: Page,
    live_url: str,
    axe: Axe,
    make_member: MakeMember,
    make_thread: MakeThread,
    moderator: User,
) -> None:
    writer = make_member(username="rain", display_name="Rain", country="GB")
    thread = make_thread(title="A hard week")

    sign_in(page, live_url, writer)
    page.goto(f"{live_url}{thread.get_absolute_url()}")
    page.get_by_label("Your message").fill("I can't do this anymore. Tonight I just want to die.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Thank you for sharing this")).to_be_visible()
    page.get_by_role("button", name="Post reply").click()

    panel = page.get_by_role("complementary", name="Thank you for sharing this")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("999")
    expect(panel).to_contain_text("Samaritans")
    expect(panel).to_contain_text("Details checked on")
    assert_no_axe_violations(axe, page)
    panel.get_by_role("button", name="Ask a moderator to check in with me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We've asked a moderator to check in with you"
    )
    assert QueueItem.objects.get(kind="check_in").asked_for_check_in
    sign_out(page)

    sign_in(page, live_url, moderator)
    page.goto(f"{live_url}/moderation/")
    expect(page.get_by_text("the writer asked for a check-in").first).to_be_visible()
    assert_no_axe_violations(axe, page)


def test_muting_and_reporting(
    page: Page, live_url: str, axe: Axe, make_member: MakeMember, make_thread: MakeThread
) -> None:
    loud = make_member(username="loud", display_name="Loud Person")
    reader = make_member(username="calm", display_name="Calm")
    thread = make_thread(author=loud, title="Loud thread", body="A post I'd rather not see")

    sign_in(page, live_url, reader)
    page.goto(f"{live_url}/members/loud/")
    page.get_by_role("button", name="Mute Loud Person").click()
    page.goto(f"{live_url}{thread.get_absolute_url()}")
    fold = page.locator("details.fold").first
    expect(fold.locator("summary")).to_contain_text("Post from a muted member")
    expect(page.get_by_text("A post I'd rather not see")).not_to_be_visible()
    fold.locator("summary").click()
    expect(page.get_by_text("A post I'd rather not see")).to_be_visible()

    page.locator("details.post-menu > summary").first.click()  # Report is under "More"
    page.get_by_role("link", name="Report or share a concern").first.click()
    assert_no_axe_violations(axe, page)
    page.get_by_label("I'm worried about this person").check()
    page.get_by_label(re.compile("Anything the moderators should know")).fill("They seem very low.")
    page.get_by_role("button", name="Send to the moderators").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
    expect(page.get_by_text("When you're worried about someone")).to_be_visible()
    assert_no_axe_violations(axe, page)

    page.goto(f"{live_url}/settings/content-notes/")
    assert_no_axe_violations(axe, page)
    page.goto(f"{live_url}/settings/muted/")
    expect(page.get_by_role("link", name="Loud Person")).to_be_visible()
    assert_no_axe_violations(axe, page)


def test_a_moderator_hides_a_post_and_the_author_sees_why(
    page: Page,
    live_url: str,
    axe: Axe,
    make_member: MakeMember,
    make_thread: MakeThread,
    make_category: MakeCategory,
    moderator: User,
) -> None:
    author = make_member(username="author", display_name="Author")
    thread = make_thread(author=author, title="Something", body="Text that needs a moderator")

    sign_in(page, live_url, moderator)
    page.goto(f"{live_url}{thread.get_absolute_url()}")
    page.locator("details.post-menu > summary").first.click()  # Moderate is under "More"
    page.get_by_role("link", name="Moderate").first.click()
    assert_no_axe_violations(axe, page)
    page.get_by_label("Why hide it?").fill("It shares another member's private details.")
    page.get_by_role("button", name="Hide the post").click()
    expect(page.get_by_text("The member has been told")).to_be_visible()
    sign_out(page)

    run_due_tasks()  # the worker's part: the moderators' notice becomes a notification
    sign_in(page, live_url, author)
    expect(page.get_by_role("link", name=re.compile("Notifications"))).to_contain_text("1")
    page.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.get_by_text("It shares another member's private details.")).to_be_visible()
    page.get_by_role("link", name=re.compile("A moderator hid your post")).click()
    expect(page.get_by_role("heading", name="Messages from the moderators")).to_be_visible()
    expect(page.get_by_text("It shares another member's private details.")).to_be_visible()
    assert_no_axe_violations(axe, page)
    page.goto(f"{live_url}{thread.get_absolute_url()}")
    expect(page.get_by_text("Hidden by a moderator")).to_be_visible()
    expect(page.get_by_text("Text that needs a moderator")).to_be_visible()
