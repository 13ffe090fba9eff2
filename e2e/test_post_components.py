"""A thread's posts in a real browser (issue 18's design pass), on a phone (390 px) and a
desktop (1280 px), light and dark: the reactions on one row, "More" opening with and
without JavaScript, a reaction pressed from the keyboard keeping its focus, nothing wider
than the screen, nothing underlined, axe clean. Screenshots: var/screenshots/posts-*.png."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, ViewportSize, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.accounts.models import User
from hearth.core.testing import MakeMember
from hearth.forum.models import Post, ReactionKind, Thread
from hearth.forum.services import edit_post, reply_to_thread, start_thread, toggle_reaction
from hearth.forum.testing import MakeCategory

pytestmark = pytest.mark.django_db(transaction=True)

SIZES: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 900},
}
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")


@dataclass(frozen=True)
class Conversation:
    thread: Thread
    reader: User
    reply: Post  # someone else's reply: the reader may react to it and report it


@pytest.fixture
def conversation(make_member: MakeMember, make_category: MakeCategory) -> Conversation:
    room = make_category("The therapy relationship", slug="therapy", allow_anonymous=True)
    fern = make_member(username="fern", display_name="Fern Gully")
    heron = make_member(username="heron", display_name="Heron")
    reader = make_member(username="wren", display_name="Wren Ó Súilleabháin")
    thread = start_thread(
        author=fern,
        category=room,
        title="My therapist is away for three weeks",
        body=(
            "My therapist told me today she'll be away for three weeks. I nodded and said "
            "that's fine, and then cried on the bus home.\n\n"
            "Does anyone have ways of getting through a long break?"
        ),
        request_key="t",
    )
    replies = [
        reply_to_thread(
            author=heron, thread=thread, request_key="r1",
            body=(
                "> cried on the bus home\n\nThat was me last summer. What helped:\n\n"
                "- writing down what I wanted to tell her, to bring back\n"
                "- a walk at the time the session would have been\n"
                "- asking her for a postcard address (she said yes!)"
            ),
        ),
        reply_to_thread(
            author=make_member(display_name="Quiet Member"), thread=thread, request_key="r2",
            body="I'm not ready to say this with my name on it, but the same thing happens to me.",
            anonymous=True,
        ),
        reply_to_thread(
            author=reader, thread=thread, request_key="r3",
            body="Thank you both. I'll try the notebook idea tonight.",
        ),
    ]  # fmt: skip
    edit_post(
        editor=heron,
        post=replies[0],
        body=replies[0].body + "\n\nThree weeks does end, even if it doesn't feel like it.",
        base_revision=1,
    )
    for member, post, kind in [
        (heron, thread.posts.get(position=1), ReactionKind.HUG),
        (reader, thread.posts.get(position=1), ReactionKind.HUG),
        (reader, thread.posts.get(position=1), ReactionKind.ME_TOO),
        (fern, replies[0], ReactionKind.HEART),
        (fern, replies[0], ReactionKind.THANKS),
        (fern, replies[1], ReactionKind.HUG),
    ]:
        toggle_reaction(member=member, post=post, kind=kind)
    now = timezone.now()
    for position, age in [(1, timedelta(days=9)), (2, timedelta(days=2)), (3, timedelta(hours=3))]:
        Post.objects.filter(thread=thread, position=position).update(created_at=now - age)
    Post.objects.filter(thread=thread, position=4).update(created_at=now - timedelta(minutes=5))
    return Conversation(thread=thread, reader=reader, reply=replies[0])


def _reaction_rows(page: Page) -> list[set[int]]:
    """For each post, the distinct tops of its reaction buttons (one row: one top)."""
    tops: list[list[float]] = page.evaluate(
        """() => [...document.querySelectorAll('.reactions')].map((row) =>
             [...row.querySelectorAll('.reaction')].map((b) => b.getBoundingClientRect().top))"""
    )
    return [{round(top) for top in row} for row in tops if row]


def _underlined_controls(page: Page) -> list[str]:
    return list(
        page.evaluate(
            """() => [...document.querySelectorAll(
                 '.post__footer a, .post__footer button, .post__footer summary, .post__header a')]
               .filter((el) => getComputedStyle(el).textDecorationLine.includes('underline'))
               .map((el) => el.outerHTML.slice(0, 80))"""
        )
    )


@pytest.mark.parametrize("size", SIZES.keys())
@pytest.mark.parametrize("scheme", SCHEMES)
def test_posts_read_well_on_a_phone_and_a_desktop_in_both_themes(
    page: Page,
    live_url: str,
    axe: Axe,
    conversation: Conversation,
    size: str,
    scheme: Literal["light", "dark"],
) -> None:
    sign_in(page, live_url, conversation.reader)
    page.set_viewport_size(SIZES[size])
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_url}{conversation.thread.get_absolute_url()}")

    expect(page.locator("article.post")).to_have_count(4)
    assert all(len(tops) == 1 for tops in _reaction_rows(page)), _reaction_rows(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert _underlined_controls(page) == []
    assert_no_axe_violations(axe, page)

    reply = page.locator(f"#post-{conversation.reply.pk}")
    reply.locator("details.post-menu > summary").click()
    menu = reply.locator(".post-menu__list")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("link", name="Report or share a concern")).to_be_visible()
    box = menu.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= SIZES[size]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert_no_axe_violations(axe, page)


def test_more_opens_closes_on_escape_and_on_a_click_elsewhere(
    page: Page, live_url: str, conversation: Conversation
) -> None:
    sign_in(page, live_url, conversation.reader)
    page.goto(f"{live_url}{conversation.thread.get_absolute_url()}")
    menu = page.locator(f"#post-{conversation.reply.pk} details.post-menu")
    summary = menu.locator("summary")

    summary.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    summary.click()
    expect(menu).to_have_attribute("open", "")
    page.locator("h1").click()
    expect(menu).not_to_have_attribute("open", "")


def test_more_works_without_javascript(
    new_context: Callable[..., BrowserContext], live_url: str, conversation: Conversation
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_url, conversation.reader)
    page.goto(f"{live_url}{conversation.thread.get_absolute_url()}")
    reply = page.locator(f"#post-{conversation.reply.pk}")

    expect(reply.get_by_role("link", name="Edit history")).to_be_hidden()
    reply.locator("details.post-menu > summary").click()
    reply.get_by_role("link", name="Edit history").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("History")


def test_a_reaction_pressed_from_the_keyboard_keeps_the_focus(
    page: Page, live_url: str, axe: Axe, conversation: Conversation
) -> None:
    sign_in(page, live_url, conversation.reader)
    page.goto(f"{live_url}{conversation.thread.get_absolute_url()}")
    hug = page.locator(f"#reaction-{conversation.reply.pk}-hug")
    expect(hug).to_have_attribute("aria-pressed", "false")

    hug.focus()
    page.keyboard.press("Enter")
    expect(hug).to_have_attribute("aria-pressed", "true")
    expect(hug).to_be_focused()
    expect(hug.locator(".reaction__count")).to_have_text("1")
    # htmx wires up the swapped-in form only when it settles; a settle delay leaves a
    # window in which the second press is a plain page submit (the focus is lost then).
    assert page.evaluate("() => window.htmx.config.defaultSettleDelay") == 0

    page.keyboard.press("Space")
    expect(hug).to_have_attribute("aria-pressed", "false")
    expect(hug).to_be_focused()
    assert_no_axe_violations(axe, page)


def test_reply_at_the_top_jumps_to_the_reply_box(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_url: str,
    conversation: Conversation,
) -> None:
    sign_in(page, live_url, conversation.reader)
    url = f"{live_url}{conversation.thread.get_absolute_url()}"
    page.goto(url)

    page.get_by_role("link", name="Reply (go to the reply box)").click()
    expect(page.get_by_label("Your message")).to_be_focused()
    assert page.url.endswith("#reply")

    without_script = new_context(java_script_enabled=False).new_page()
    sign_in(without_script, live_url, conversation.reader)
    without_script.goto(url)
    without_script.get_by_role("link", name="Reply (go to the reply box)").click()
    assert without_script.url.endswith("#reply")
    expect(without_script.get_by_label("Your message")).to_be_in_viewport()


def test_compact_times_and_faces(page: Page, live_url: str, conversation: Conversation) -> None:
    sign_in(page, live_url, conversation.reader)
    page.goto(f"{live_url}{conversation.thread.get_absolute_url()}")

    shown = page.locator(".post__time time span[aria-hidden]").all_inner_texts()
    times = [text.replace("\xa0", " ") for text in shown]
    assert times[1:] == ["2 d", "3 h", "5 min"]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2}( \d{4})?", times[0]), times[0]
    expect(page.locator(".post__header svg.avatar--generated")).to_have_count(4)
    expect(page.locator(".post__header svg.avatar--anonymous")).to_have_count(1)
    expect(page.locator("article.post").first.locator(".post__header text")).to_have_text("FG")


def test_screenshots_of_a_thread(
    page: Page, live_url: str, conversation: Conversation, screenshots: Path
) -> None:
    sign_in(page, live_url, conversation.reader)
    page.goto(f"{live_url}{conversation.thread.get_absolute_url()}")
    saved = save_screenshots(page, screenshots, "posts")

    # Someone else's post with its menu open, then the reader's own (a form in the menu),
    # with a reaction focused from the keyboard on the post above it.
    own = page.locator("article.post").last
    for name, post in [("menu", page.locator(f"#post-{conversation.reply.pk}")), ("own-menu", own)]:
        post.locator("details.post-menu > summary").click()
        if name == "own-menu":
            page.locator(f"#reaction-{conversation.reply.pk}-hug").focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")  # a keyboard focus: the ring shows
        for size, viewport in SIZES.items():
            page.set_viewport_size(viewport)
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)
                post.evaluate("(post) => post.scrollIntoView({block: 'center'})")
                path = screenshots / f"posts-{name}-{size}-{scheme}.png"
                page.screenshot(path=path, animations="disabled")
                saved.append(path)

    assert all(path.stat().st_size > 0 for path in saved)
