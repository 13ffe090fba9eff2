"""Notifications in chromium: a reply lights the other member's bell and its link lands
on the post; axe on the notification pages; screenshots on a phone and a desktop,
light and dark, in var/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from e2e.conftest import assert_no_axe_violations
from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember
from hearth.forum.models import Category, FollowLevel, Post, Thread
from hearth.forum.services import follow_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.notifications.services import open_notification
from hearth.notifications.testing import told

pytestmark = pytest.mark.django_db(transaction=True)

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}

BELL_BADGE = "a.nav-bell .badge"


def sign_in(page: Page, live_url: str, member: User) -> None:
    """Give the browser a signed-in member's session (the login form has its own test)."""
    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}]
    )


def save_screenshots(page: Page, folder: Path, name: str) -> list[Path]:
    """Full-page screenshots of the current page on a phone and a desktop, light and dark:
    <folder>/<name>-<phone|desktop>-<light|dark>.png."""
    saved = []
    schemes: tuple[Literal["light", "dark"], ...] = ("light", "dark")
    for device, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        for scheme in schemes:
            page.emulate_media(color_scheme=scheme)
            path = folder / f"{name}-{device}-{scheme}.png"
            page.screenshot(path=path, full_page=True, animations="disabled")
            saved.append(path)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size(DESKTOP)
    return saved


@pytest.fixture
def forum_category(make_category: MakeCategory) -> Category:
    return make_category("The therapy relationship", slug="therapy-relationship")


@dataclass(frozen=True)
class Inbox:
    """A member told of three replies in two of their threads (the oldest one read),
    who muted a thread someone else started."""

    member: User
    endings: Thread
    weekend: Thread
    muted: Thread


@pytest.fixture
def inbox(
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    forum_category: Category,
) -> Inbox:
    member = make_member(username="alice", display_name="Alice")
    endings = make_thread(author=member, category=forum_category, title="Endings are hard")
    weekend = make_thread(
        author=member,
        category=forum_category,
        title="Weekend wobbles when a session is cancelled at short notice and nobody says why",
    )
    muted = make_thread(
        author=make_member(display_name="Rowan"),
        category=forum_category,
        title="Waiting lists and what helped while waiting",
    )
    follow_thread(member=member, thread=muted, level=FollowLevel.MUTED)
    run_due_tasks()
    make_reply(
        endings,
        author=make_member(display_name="Fern"),
        body="Mine ends in March. I keep rehearsing it.",
    )
    make_reply(weekend, author=make_member(display_name="Ash"), body="That happened to me too.")
    make_reply(endings, author=make_member(display_name="Willow"), body="Sending a hug.")
    run_due_tasks()
    first = told(member)[0]
    open_notification(member=member, notification_id=first.pk)  # one read, two unread
    return Inbox(member=member, endings=endings, weekend=weekend, muted=muted)


def test_a_reply_lights_the_bell_and_its_notification_lands_on_the_post(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_url: str,
    make_member: MakeMember,
    make_thread: MakeThread,
    forum_category: Category,
) -> None:
    alice = make_member(username="alice", display_name="Alice")
    bob = make_member(username="bob", display_name="Bob")
    # A long first post, so landing on the reply means scrolling down to it.
    opening = "\n\n".join(f"Paragraph {n}: the week between sessions felt long." for n in range(40))
    thread = make_thread(
        author=alice, category=forum_category, title="Missing your therapist", body=opening
    )
    run_due_tasks()
    sign_in(page, live_url, alice)
    page.goto(f"{live_url}/")
    expect(page.locator("a.nav-bell")).to_be_visible()
    expect(page.locator(BELL_BADGE)).to_have_count(0)

    # Bob replies through the composer, in his own browser.
    bob_page = new_context().new_page()
    bob_page.set_default_timeout(8000)
    sign_in(bob_page, live_url, bob)
    bob_page.goto(f"{live_url}{thread.get_absolute_url()}")
    bob_page.get_by_label("Your message").fill("Every single one. You're not alone.")
    bob_page.get_by_role("button", name="Post reply").click()
    expect(bob_page.locator("article.post")).to_have_count(2)
    reply = Post.objects.get(thread=thread, position=2)
    run_due_tasks()

    # Alice's bell says 1 on whatever page she reloads.
    page.reload()
    bell = page.locator("a.nav-bell")
    expect(bell.locator(".badge")).to_have_text("1 unread")
    expect(bell).to_have_accessible_name(re.compile(r"^Notifications\s+1 unread$"))

    bell.click()
    expect(page).to_have_url(f"{live_url}/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    group = page.get_by_role("region", name="Missing your therapist")
    group.get_by_role("link", name=re.compile(r"Bob replied in your thread")).click()

    expect(page).to_have_url(re.compile(rf"/t/{thread.pk}/[^#]*#post-{reply.pk}$"))
    expect(page.locator(f"#post-{reply.pk}")).to_be_in_viewport()
    expect(page.locator(f"#post-{reply.pk}")).to_contain_text("Every single one.")
    assert page.evaluate("window.scrollY") > 0, "the page did not scroll to the reply"
    expect(page.locator(BELL_BADGE)).to_have_count(0)
    assert [each.read_at is not None for each in told(alice)] == [True]
    page.reload()
    expect(page.locator(BELL_BADGE)).to_have_count(0)


def test_axe_finds_nothing_on_the_notification_pages(
    page: Page, live_url: str, axe: Axe, inbox: Inbox, moderator: User
) -> None:
    sign_in(page, live_url, inbox.member)

    page.goto(f"{live_url}/notifications/")
    expect(page.locator("section.notification-group")).to_have_count(2)
    expect(page.locator("li.notification--unread")).to_have_count(2)
    expect(page.locator("li.notification")).to_have_count(3)
    assert_no_axe_violations(axe, page)

    page.goto(f"{live_url}/settings/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    expect(page.get_by_label("My duty hours (moderators)")).to_have_count(0)
    assert_no_axe_violations(axe, page)

    page.goto(f"{live_url}/settings/following/")
    muted_row = page.locator("li.following-row").filter(has_text=inbox.muted.title)
    expect(muted_row.get_by_label("Notify me about this thread")).to_have_value("muted")
    assert_no_axe_violations(axe, page)

    page.goto(f"{live_url}{inbox.endings.get_absolute_url()}")
    follow = page.get_by_label("Notify me about this thread")
    expect(follow).to_be_visible()
    assert_no_axe_violations(axe, page)
    follow.select_option("watching")
    page.locator("form.follow-form").get_by_role("button", name="Save").click()
    expect(page.get_by_label("Notify me about this thread")).to_have_value("watching")
    assert_no_axe_violations(axe, page)

    page.context.clear_cookies()
    sign_in(page, live_url, moderator)
    page.goto(f"{live_url}/settings/notifications/")
    expect(page.get_by_label("My duty hours (moderators)")).to_be_visible()
    assert_no_axe_violations(axe, page)


def test_axe_finds_nothing_in_dark_mode(page: Page, live_url: str, axe: Axe, inbox: Inbox) -> None:
    page.emulate_media(color_scheme="dark")
    sign_in(page, live_url, inbox.member)
    for path in (
        "/notifications/",
        "/settings/notifications/",
        "/settings/following/",
        inbox.endings.get_absolute_url(),
    ):
        page.goto(f"{live_url}{path}")
        assert_no_axe_violations(axe, page)


def pages_wider_than_a_phone(page: Page, live_url: str, paths: list[str]) -> dict[str, int]:
    """The paths whose page scrolls sideways on a phone, with their width in px."""
    page.set_viewport_size(PHONE)
    too_wide = {}
    for path in paths:
        page.goto(f"{live_url}{path}")
        width = int(page.evaluate("document.documentElement.scrollWidth"))
        if width > PHONE["width"]:
            too_wide[path] = width
    return too_wide


def test_no_notification_page_scrolls_sideways_on_a_phone(
    page: Page, live_url: str, inbox: Inbox
) -> None:
    sign_in(page, live_url, inbox.member)
    paths = [
        "/notifications/",
        "/settings/notifications/",
        "/settings/following/",
        inbox.endings.get_absolute_url(),
    ]
    too_wide = pages_wider_than_a_phone(page, live_url, paths)
    assert not too_wide, f"wider than a {PHONE['width']}px phone (page: px): {too_wide}"


def test_screenshots_of_the_notifications_and_their_settings(
    page: Page, live_url: str, inbox: Inbox, screenshots: Path
) -> None:
    sign_in(page, live_url, inbox.member)
    saved = []

    page.goto(f"{live_url}/notifications/")
    expect(page.locator("section.notification-group")).to_have_count(2)
    saved += save_screenshots(page, screenshots, "notifications")

    page.goto(f"{live_url}/settings/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notification settings")
    saved += save_screenshots(page, screenshots, "notification-settings")

    assert all(path.stat().st_size > 0 for path in saved)
