""" "What I'm hoping for" in chromium: four checkboxes in the new-thread composer, the
sentence under the title and above the reply box; axe on both pages; screenshots in
var/screenshots/ (git-ignored)."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.core.testing import MakeMember
from hearth.forum.models import Thread
from hearth.forum.testing import MakeCategory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_says_what_they_hope_for_and_repliers_see_it_where_they_write(
    page: Page,
    live_url: str,
    axe: Axe,
    screenshots: Path,
    make_member: MakeMember,
    make_category: MakeCategory,
) -> None:
    willow = make_member(username="willow", display_name="Willow")
    fern = make_member(username="fern", display_name="Fern")
    category = make_category("Between sessions", slug="between-sessions")
    sign_in(page, live_url, willow)
    page.goto(f"{live_url}/c/{category.slug}/new/")

    wishes = page.get_by_role("group", name="What I'm hoping for (optional)")
    expect(wishes.get_by_role("checkbox")).to_have_count(4)
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "hoping-for-composer")
    page.get_by_label("Title").fill("The week before the break")
    page.get_by_label("Your message").fill("Three weeks without a session from Friday.")
    wishes.get_by_label("Just listening").check()
    wishes.get_by_label("Hugs").check()
    page.get_by_role("button", name="Post thread").click()

    sentence = "Willow is hoping for: just listening, hugs"
    expect(page.get_by_text(sentence)).to_have_count(2)
    thread = Thread.objects.get()
    assert thread.hoping_for == ["just_listening", "hugs"]

    page.context.clear_cookies()
    sign_in(page, live_url, fern)
    page.goto(f"{live_url}{thread.get_absolute_url()}")

    expect(page.locator(".thread-hoping")).to_have_text(sentence)
    composer_note = page.locator(".reply-section .composer-hoping")
    expect(composer_note).to_have_text(sentence)
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "hoping-for-thread")
