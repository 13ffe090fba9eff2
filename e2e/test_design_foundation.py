"""The design system's foundations in a real browser (issue 18): the home page and a thread,
signed in, on a phone (390x844) and a desktop (1280x800), light and dark. Nothing scrolls
sideways; the desktop header is one row and the phone's is one row with the rest of the
nav in a closed menu that opens without JavaScript; the vendored Inter is the face of the
interface and of posts; links are underlined in prose only; axe is clean. Screenshots:
var/screenshots/design-*.png."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Browser, FloatRect, Locator, Page, ViewportSize, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import sign_in
from hearth.accounts.models import User
from hearth.core.testing import MakeMember
from hearth.forum.models import Thread
from hearth.forum.services import reply_to_thread, start_thread
from hearth.forum.testing import MakeCategory

pytestmark = pytest.mark.django_db(transaction=True)

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
SIZES: dict[str, ViewportSize] = {"phone": PHONE, "desktop": DESKTOP}
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")

REPLY = """# Things that helped me

Writing a letter I **never sent**, and a [grounding exercise](/guidelines/) from
my therapist. The long version of a line, so it wraps on a phone and shows the
measure on a desktop: breathe in for four, hold for four, out for six.

## Small things

- a walk at the same time each day
- *one* text to a friend

> You are allowed to miss someone and still be all right.

### A note

#### Smallest heading

That's all."""


@dataclass(frozen=True)
class Forum:
    member: User
    thread: Thread


@pytest.fixture
def forum(make_member: MakeMember, make_category: MakeCategory) -> Forum:
    room = make_category(
        "The therapy relationship",
        slug="therapy",
        description="Breaks, endings, ruptures and repairs.",
    )
    make_category("Between sessions", slug="between", description="Getting through the week.")
    fern = make_member(username="fern", display_name="Fern Gully")
    member = make_member(username="wren", display_name="Wren Ó Súilleabháin")
    thread = start_thread(
        author=fern,
        category=room,
        title="My therapist is away for three weeks",
        body=(
            "She told me today she'll be away for three weeks. I nodded and said that's "
            "fine, and then cried on the bus home.\n\nHow do you get through a long break?"
        ),
        request_key="t",
    )
    reply_to_thread(author=member, thread=thread, body=REPLY, request_key="r")
    return Forum(member=member, thread=thread)


def _pages(live_url: str, forum: Forum) -> dict[str, str]:
    return {"home": f"{live_url}/", "thread": f"{live_url}{forum.thread.get_absolute_url()}"}


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box


def _menu_is_open(page: Page) -> bool:
    return bool(page.locator("details.site-menu").evaluate("(menu) => menu.open"))


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def _row_count(page: Page, selector: str) -> int:
    """How many distinct rows the visible children of ``selector`` sit on."""
    return int(
        page.evaluate(
            """(selector) => {
              const tops = new Set();
              const visit = (node) => {
                for (const child of node.children) {
                  const box = child.getBoundingClientRect();
                  const style = getComputedStyle(child);
                  if (style.display === "contents") { visit(child); continue; }
                  if (!box.width || !box.height || style.position === "absolute") continue;
                  tops.add(Math.round(box.top + box.height / 2));
                }
              };
              visit(document.querySelector(selector));
              // Items centred on one line can differ by a pixel or two: group them.
              const sorted = [...tops].sort((a, b) => a - b);
              return sorted.filter((top, i) => i === 0 || top - sorted[i - 1] > 8).length;
            }""",
            selector,
        )
    )


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", SIZES)
def test_the_home_page_and_a_thread_fit_and_pass_axe(
    page: Page,
    live_url: str,
    axe: Axe,
    forum: Forum,
    screenshots: Path,
    size: str,
    scheme: Literal["light", "dark"],
) -> None:
    page.set_viewport_size(SIZES[size])
    page.emulate_media(color_scheme=scheme)
    sign_in(page, live_url, forum.member)
    for name, url in _pages(live_url, forum).items():
        page.goto(url)
        page.evaluate("document.fonts.ready.then(() => true)")

        assert _overflow(page) <= 0, f"{name} scrolls sideways on the {size}"
        header = page.locator(".site-header__inner")
        expect(page.locator("a.nav-plan")).to_be_visible()
        expect(page.locator("a.nav-bell")).to_be_visible()
        if size == "desktop":
            assert _row_count(page, ".site-header__inner") == 1, f"{name}: header wraps"
            expect(page.locator(".site-menu__toggle")).to_be_hidden()
            expect(page.get_by_role("searchbox", name="Search the forum")).to_be_visible()
            expect(page.get_by_role("button", name="Sign out")).to_be_visible()
            assert _box(header)["height"] < 80
        else:
            assert _row_count(page, ".site-header__inner") == 1, f"{name}: header wraps"
            toggle = page.locator(".site-menu__toggle")
            expect(toggle).to_be_visible()
            assert not _menu_is_open(page)
            expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
            assert _box(header)["height"] < 64
        assert_no_axe_violations(axe, page)
        page.screenshot(
            path=screenshots / f"design-{name}-{size}-{scheme}.png",
            full_page=True,
            animations="disabled",
        )


def test_the_phone_menu_opens_closes_and_keeps_the_skip_link_first(
    page: Page, live_url: str, axe: Axe, forum: Forum, screenshots: Path
) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, live_url, forum.member)
    page.goto(f"{live_url}{forum.thread.get_absolute_url()}")

    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    expect(page.locator(":focus")).to_be_in_viewport()

    # Then the site name, then "Menu": opened from the keyboard.
    toggle = page.get_by_role("navigation", name="Main").locator("summary")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(toggle).to_be_focused()
    page.keyboard.press("Enter")
    assert _menu_is_open(page)
    expect(page.get_by_role("searchbox", name="Search the forum")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    assert _overflow(page) <= 0
    assert_no_axe_violations(axe, page)
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=screenshots / f"design-menu-phone-{scheme}.png", animations="disabled")
    page.emulate_media(color_scheme="light")

    page.keyboard.press("Escape")  # hearth.js: Escape closes it and gives focus back
    assert not _menu_is_open(page)
    expect(toggle).to_be_focused()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()

    # The sticky header stays put while the page scrolls under it.
    page.evaluate("window.scrollTo(0, 1500)")
    assert int(page.evaluate("window.scrollY")) > 0
    assert _box(page.locator(".site-header"))["y"] == 0


def test_the_phone_menu_works_without_javascript(
    browser: Browser, live_url: str, forum: Forum
) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    sign_in(page, live_url, forum.member)
    page.goto(f"{live_url}/")

    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Settings").click()

    expect(page).to_have_url(f"{live_url}{reverse('accounts:edit_profile')}")
    context.close()


def test_one_family_for_the_interface_and_posts_and_underlines_in_prose_only(
    page: Page, live_url: str, forum: Forum
) -> None:
    page.set_viewport_size(DESKTOP)
    sign_in(page, live_url, forum.member)
    page.goto(f"{live_url}{forum.thread.get_absolute_url()}")
    page.evaluate("document.fonts.ready.then(() => true)")

    def style(selector: str, property_name: str) -> str:
        return str(
            page.locator(selector).first.evaluate(
                f"(node) => getComputedStyle(node).{property_name}"
            )
        )

    assert page.evaluate("document.fonts.check('16px \"Inter Variable\"')")
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert '"Inter Variable"' in loaded or "Inter Variable" in loaded
    for selector in ("body", ".site-nav a", ".post__body", ".post__body h3", "button"):
        assert style(selector, "fontFamily").startswith('"Inter Variable"'), selector

    # Headings inside a post are real headings, each smaller than the one above it and
    # all smaller than the page's own title.
    sizes = [
        float(style(selector, "fontSize").removesuffix("px"))
        for selector in ("h1", ".post__body h3", ".post__body h4", ".post__body h5")
    ]
    body_size = float(style(".post__body p", "fontSize").removesuffix("px"))
    assert sizes == sorted(sizes, reverse=True)
    assert len(set(sizes)) == len(sizes)
    assert sizes[-1] >= body_size
    assert float(style(".post__body p", "lineHeight").removesuffix("px")) >= 1.6 * body_size

    assert style(".post__body a", "textDecorationLine") == "underline"
    for selector in (".site-nav a", ".breadcrumb a", ".button", ".site-brand__name"):
        assert style(selector, "textDecorationLine") == "none", selector
