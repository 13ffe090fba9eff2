"""Muted words and taking a break in chromium: words saved in settings fold a post and
a title (opened without JavaScript's help, by <details>); a break chosen, the calm page
in place of the forum with the toolkit one link away, ended with one click, the welcome
back once; axe on each page; screenshots in var/screenshots/ (git-ignored)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.core.testing import MakeMember
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread

pytestmark = pytest.mark.django_db(transaction=True)


def test_muted_words_fold_a_post_and_a_title_until_asked(
    page: Page,
    live_url: str,
    axe: Axe,
    screenshots: Path,
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
) -> None:
    reader = make_member(username="willow", display_name="Willow")
    category = make_category("Between sessions", slug="between-sessions")
    thread = make_thread(category=category, title="Evenings alone", body="How do you cope?")
    make_reply(thread, body="I go to the Café on the corner and read.")
    make_thread(category=category, title="Relapse after a good month", body="It happened.")
    sign_in(page, live_url, reader)

    page.goto(f"{live_url}/settings/muted/")
    page.get_by_label("Muted words and phrases").fill("cafe\nrelapse")
    page.get_by_role("button", name="Save muted words").click()
    expect(page.get_by_text("Your muted words are saved.")).to_be_visible()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "muted-words-settings")

    page.goto(f"{live_url}{category.get_absolute_url()}")
    expect(page.get_by_text("A thread title with a word you muted")).to_be_visible()
    expect(page.get_by_role("link", name="Relapse after a good month")).to_be_hidden()
    assert_no_axe_violations(axe, page)
    page.get_by_text("Show the title").click()
    expect(page.get_by_role("link", name="Relapse after a good month")).to_be_visible()
    save_screenshots(page, screenshots, "muted-words-title")

    page.goto(f"{live_url}{thread.get_absolute_url()}")
    expect(page.get_by_text("Contains a word you muted")).to_be_visible()
    expect(page.get_by_text("I go to the Café on the corner")).to_be_hidden()
    assert_no_axe_violations(axe, page)
    page.get_by_text("Contains a word you muted").click()
    expect(page.get_by_text("I go to the Café on the corner")).to_be_visible()
    save_screenshots(page, screenshots, "muted-words-post")


def test_a_break_hides_the_forum_keeps_the_toolkit_and_ends_with_one_click(
    page: Page,
    live_url: str,
    axe: Axe,
    screenshots: Path,
    make_member: MakeMember,
    make_thread: MakeThread,
) -> None:
    member = make_member(username="ash", display_name="Ash")
    thread = make_thread(title="Waiting for Tuesday")
    sign_in(page, live_url, member)

    page.goto(f"{live_url}/settings/break/")
    assert_no_axe_violations(axe, page)
    day = (timezone.now() + timedelta(days=7)).date()
    page.get_by_label("Take a break until").fill(day.isoformat())
    page.get_by_role("button", name="Start my break").click()
    expect(page.get_by_text("Your break has started.")).to_be_visible()
    save_screenshots(page, screenshots, "take-a-break")

    page.goto(f"{live_url}{thread.get_absolute_url()}")
    expect(page.get_by_role("heading", name="You're taking a break")).to_be_visible()
    expect(page.get_by_text("Waiting for Tuesday")).to_have_count(0)
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "on-a-break")

    page.get_by_role("link", name="Open my coping plan").click()
    expect(page).to_have_url(f"{live_url}/notes/plan/")

    page.goto(f"{live_url}{thread.get_absolute_url()}")
    page.get_by_role("button", name="End my break now").click()
    expect(page.get_by_role("heading", name="Welcome back")).to_be_visible()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "welcome-back")

    page.get_by_role("link", name="Go on to the forum").click()
    expect(page.get_by_role("heading", name="Waiting for Tuesday")).to_be_visible()
