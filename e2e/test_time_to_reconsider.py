"""Time to reconsider in chromium: a reply that waits, its page with Publish now, Edit and
Withdraw, the composer's choice, the crisis panel at once; axe on each page; screenshots
in var/screenshots/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.core.testing import MakeMember
from hearth.forum.models import Draft, PendingPost, Post
from hearth.forum.testing import MakeCategory, MakeThread

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_gives_a_reply_time_then_edits_withdraws_and_publishes(
    page: Page,
    live_url: str,
    axe: Axe,
    screenshots: Path,
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
) -> None:
    willow = make_member(username="willow", display_name="Willow", post_delay_minutes=5)
    thread = make_thread(category=make_category("Between sessions"), title="Late nights")
    sign_in(page, live_url, willow)
    page.goto(f"{live_url}{thread.get_absolute_url()}")

    expect(page.get_by_label("Goes live")).to_have_value("5")
    page.get_by_label("Your message").fill("Everyone here is useless tonight.")
    page.get_by_role("button", name="Post reply").click()

    expect(page.get_by_role("heading", name="Your reply is waiting to go live")).to_be_visible()
    expect(page.get_by_text("Goes live at")).to_be_visible()
    assert not Post.objects.filter(position=2).exists()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "waiting-reply")

    page.get_by_role("link", name="Edit", exact=True).click()
    assert_no_axe_violations(axe, page)
    page.get_by_label("Your message").fill("Rough night. I'm sorry for snapping.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".post--waiting")).to_contain_text("Rough night.")

    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_label("Your message")).to_have_value("Rough night. I'm sorry for snapping.")
    assert not PendingPost.objects.exists()
    assert Draft.objects.filter(member=willow, thread=thread).exists()

    page.get_by_label("Goes live").select_option("10")
    page.get_by_role("button", name="Post reply").click()
    page.goto(f"{live_url}{thread.get_absolute_url()}")
    expect(page.locator(".reply-section .waiting")).to_contain_text("Goes live at")
    page.goto(f"{live_url}/me/waiting/")
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "waiting-list")
    page.get_by_role("button", name="Publish now").click()

    post = Post.objects.get(position=2)
    assert post.body == "Rough night. I'm sorry for snapping."
    expect(page.locator(f"#post-{post.pk}")).to_contain_text("Rough night.")


def test_a_waiting_post_shows_the_crisis_panel_at_once(
    page: Page,
    live_url: str,
    axe: Axe,
    screenshots: Path,
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
) -> None:
    willow = make_member(username="willow", display_name="Willow", country="GB")
    thread = make_thread(category=make_category("Between sessions"), title="Tonight")
    sign_in(page, live_url, willow)
    page.goto(f"{live_url}{thread.get_absolute_url()}")

    page.get_by_label("Your message").fill("I can't keep pretending. Tonight I just want to die.")
    page.get_by_label("Goes live").select_option("10")
    page.get_by_role("button", name="Post reply").click()

    panel = page.locator(".crisis-panel")
    expect(panel).to_contain_text("Your post isn't live yet")
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "waiting-crisis-panel")
    panel.get_by_role("button", name="Ask a moderator to check in with me").click()
    expect(panel).to_contain_text("a moderator will be asked to check in")
