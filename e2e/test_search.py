"""Search in chromium: the header's box finds a reply, words marked, a content note
folded; filters open; the toolkit's own search; axe on the pages; screenshots on a phone
and a desktop, light and dark, in var/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember
from hearth.forum.services import ContentNote, reply_to_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.safety.models import ContentNoteLabel

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_header_box_finds_a_reply_and_marks_the_words(
    page: Page,
    live_url: str,
    axe: Axe,
    screenshots: Path,
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
) -> None:
    alice = make_member(username="alice", display_name="Alice")
    fern = make_member(username="fern", display_name="Fern")
    category = make_category("The therapy relationship", slug="therapy-relationship")
    thread = make_thread(
        author=alice,
        category=category,
        title="Endings are hard",
        body="My therapist is retiring in spring and I don't know how to say goodbye.",
    )
    reply = make_reply(
        thread,
        author=fern,
        body="Mine ended last year. A planned ending is still a loss, and it was worth "
        "talking about it for months before the last session.",
    )
    label, _created = ContentNoteLabel.objects.get_or_create(
        slug="loss-e2e", defaults={"name": "Loss"}
    )
    reply_to_thread(
        author=fern,
        thread=thread,
        body="When my mother died the endings in therapy got mixed up with that one.",
        request_key="noted",
        content_note=ContentNote(labels=(label,)),
    )
    run_due_tasks()
    sign_in(page, live_url, alice)
    page.goto(f"{live_url}/")

    page.get_by_role("searchbox", name="Search the forum").fill("endings")
    page.get_by_role("searchbox", name="Search the forum").press("Enter")

    results = page.locator(".search-results > li")
    expect(results).to_have_count(3)
    # Stems match: "endings" finds "ending" and "ended".
    expect(page.locator(".search-results mark").first).to_have_text(
        re.compile("^end", re.IGNORECASE)
    )
    expect(page.get_by_text("Content note: Loss")).to_be_visible()
    expect(page.get_by_text("my mother died")).to_have_count(0)
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "search-results")

    page.get_by_text("Filters and order").click()
    page.get_by_label("Order").select_option("newest")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(results.first.locator("a")).to_have_attribute("href", f"/p/{reply.pk + 1}/")
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "search-filters")

    results.filter(has_text="planned ending").locator("h3 a").click()
    expect(page).to_have_url(f"{live_url}{thread.get_absolute_url()}#post-{reply.pk}")


def test_a_query_that_cannot_be_searched_says_why_and_keeps_the_words(
    page: Page, live_url: str, axe: Axe, make_member: MakeMember
) -> None:
    sign_in(page, live_url, make_member())
    page.goto(f"{live_url}/search/")

    page.get_by_label("Search for").fill("-advice")
    page.get_by_label("Search for").press("Enter")

    expect(page.get_by_text("Please add a word to look for")).to_be_visible()
    expect(page.get_by_label("Search for")).to_have_value("-advice")
    assert_no_axe_violations(axe, page)
