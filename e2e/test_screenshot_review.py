"""The screenshot review (issue 18): the main pages of the demo community at 390 and
1280 px wide, light and dark, each saved as a full-page screenshot for a person to look
at, var/screenshots/review/<page>-<width>-<scheme>.png, and each checked for what a
glance can miss: nothing wider than the window, no axe violation. Then home and a thread
in the right-to-left pseudo-locale ("qps"): dir="rtl", the layout mirrored, under the same
checks (review/rtl-<page>-<width>-<scheme>.png), and the moderators' audit log, whose
"before → after" arrow must point the way the text reads.

The data is the demo community (``hearth demo``: the article with headings, its edited
first post, replies, a conversation, willow's toolkit, a report for the moderator), plus
a reply with headings written the way members write them, notifications for willow, a
post held for approval, and a title and a link too long for a phone's line.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import FloatRect, Locator, Page, ViewportSize, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import sign_in
from hearth.accounts.models import User
from hearth.conversations.models import Conversation
from hearth.core.tasks import run_due_tasks
from hearth.forum.models import Category, Post, Thread
from hearth.forum.services import reply_to_thread, start_thread, writing_as_approved
from hearth.moderation.services import hide_post
from hearth.welcome.selectors import current_guidelines
from hearth.welcome.services import accept_guidelines

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS: dict[int, ViewportSize] = {
    390: {"width": 390, "height": 844},
    1280: {"width": 1280, "height": 800},
}
SCHEMES: tuple[Literal["light", "dark"], ...] = ("light", "dark")

# Headings as members write them: starting at "##", then skipping a level.
HEADED_REPLY = """\
## What I tried this week

Mostly small things. A walk at the time the session would have been.

#### The notebook

I wrote one line a day, to bring back to her. This one helped too:
https://www.example.org/articles/when-your-therapist-goes-away-for-the-summer-holidays-a-guide

## What I'd tell myself

The break ends. Thank you, @willow, for putting this into words."""

HELD_POST = """\
## Hello

I'm new, and I've read the article twice. It helped to know I'm not the only one who
counts the days."""

LONG_TITLE = "Therapieunterbrechungsbewältigungsstrategien, or: what gets you through a break?"

PREVIEW_TEXT = """\
## How the week went

Better than I feared. **Two** good days, and a long walk on Sunday.

- a walk
- *one* text to a friend"""


@dataclass(frozen=True)
class Community:
    """The demo community, plus what the review needs to see on top of it."""

    member: User  # willow: the article's author, with a toolkit, messages and notifications
    moderator: User
    article: Thread
    edited_post: Post
    category: Category
    conversation: Conversation


@pytest.fixture
def community() -> Community:
    call_command("demo", stdout=io.StringIO())
    member = User.objects.get(username="willow")
    article = Thread.objects.get(title__startswith="Missing your therapist")
    with writing_as_approved():
        start_thread(
            author=User.objects.get(username="quill"),
            category=article.category,
            title=LONG_TITLE,
            body="Or is it just me?",
            request_key="review-long-title",
        )
        # After willow last read the article: notifications for her, headings in a post.
        reply_to_thread(
            author=User.objects.get(username="harbour"),
            thread=article,
            body=HEADED_REPLY,
            request_key="review-headed",
        )
    # A new member's first post, held for a moderator (the queue's "held post").
    newcomer = User.objects.create_user(
        username="wren", display_name="Wren", email="wren@example.org", password="unused"
    )
    if guidelines := current_guidelines():
        accept_guidelines(member=newcomer, version=guidelines)
    with override_settings(HEARTH_HOLD_FIRST_POSTS=1):
        held = reply_to_thread(
            author=newcomer, thread=article, body=HELD_POST, request_key="review-held"
        )
    assert held.is_held
    run_due_tasks()
    return Community(
        member=member,
        moderator=User.objects.get(username="mod_alder"),
        article=article,
        edited_post=article.posts.get(position=1),
        category=article.category,
        conversation=Conversation.objects.get(),
    )


def _address(community: Community, name: str) -> str:
    return {
        "home": reverse("home"),
        "category": community.category.get_absolute_url(),
        "thread": community.article.get_absolute_url(),
        "composer": reverse("forum:new_thread", args=[community.category.slug]),
        "history": reverse("forum:history", args=[community.edited_post.pk]),
        "notifications": reverse("notifications:list"),
        "conversations": reverse("conversations:list"),
        "conversation": reverse("conversations:conversation", args=[community.conversation.pk]),
        "toolkit": reverse("between_sessions:home"),
        "journal": reverse("between_sessions:entries"),
        "plan": reverse("between_sessions:plan"),
        "moderation": reverse("moderation:queue"),
        "audit": reverse("moderation:audit"),
    }[name]


PAGES = (
    "home",
    "category",
    "thread",
    "composer",
    "history",
    "notifications",
    "conversations",
    "conversation",
    "toolkit",
    "journal",
    "plan",
    "moderation",
)


def _overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def _box(locator: Locator) -> FloatRect:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not shown"
    return box


def _show_preview(page: Page) -> None:
    # By the fields' names, not their labels: the German review fills them in too.
    page.locator("input[name=title]").fill("A better week than I feared")
    page.locator("textarea[name=body]").fill(PREVIEW_TEXT)
    page.locator("button[formaction$='/preview/']").click()
    # The previewed text's "##" is the top of its outline, under the preview's own <h2>.
    expect(page.locator(".preview h2")).to_be_visible()
    expect(page.locator(".preview .post__body h3")).to_have_text("How the week went")


def _review(
    page: Page,
    axe: Axe,
    url: str,
    path: Path,
    *,
    after_load: Callable[[Page], None] | None = None,
    skip_rules: tuple[str, ...] = (),
) -> list[str]:
    """Load ``url``, save its full-page screenshot to ``path``, and return what is wrong
    with it: sideways scrolling and axe's violations."""
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    if after_load is not None:
        after_load(page)
        # From the top, or the sticky header is drawn where the window last was.
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=path, full_page=True, animations="disabled")
    problems = []
    if (wider := _overflow(page)) > 0:
        problems.append(f"{path.stem}: {wider} px wider than the window")
    try:
        assert_no_axe_violations(axe, page, skip_rules=skip_rules)
    except AssertionError as failure:
        problems.append(f"{path.stem}: {failure}")
    return problems


@pytest.fixture
def review_folder(screenshots: Path) -> Path:
    folder = screenshots / "review"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.mark.parametrize("name", PAGES)
def test_the_main_pages_fit_pass_axe_and_are_saved_for_review(
    page: Page, live_url: str, axe: Axe, community: Community, review_folder: Path, name: str
) -> None:
    sign_in(page, live_url, community.moderator if name == "moderation" else community.member)
    after_each = (lambda shot: _dots_left_alone(page, shot)) if name == "category" else None
    problems = _review_every_size(
        page, axe, live_url + _address(community, name), review_folder, name, after_each
    )
    assert not problems, "\n".join(problems)


def _review_every_size(
    page: Page,
    axe: Axe,
    url: str,
    folder: Path,
    name: str,
    after_each: Callable[[str], list[str]] | None = None,
    prefix: str = "",
) -> list[str]:
    """Review ``url`` at each width in each colour scheme (``_review``), saving
    ``{prefix}{name}-{width}-{scheme}.png``; ``after_each`` adds its own checks per shot."""
    problems = []
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            shot = f"{prefix}{name}-{width}-{scheme}"
            problems += _review(
                page,
                axe,
                url,
                folder / f"{shot}.png",
                after_load=_show_preview if name == "composer" else None,
            )
            if after_each is not None:
                problems += after_each(shot)
    return problems


def _dots_left_alone(page: Page, shot: str) -> list[str]:
    """Unread dots not on the first line of their thread's title (a title whose first word
    is wider than a phone's line must break inside it, not leave the dot above it)."""
    alone = []
    for row in page.locator(".thread-row__title:has(.unread-dot)").all():
        dot, title = _box(row.locator(".unread-dot")), _box(row.locator("a"))
        middle = dot["y"] + dot["height"] / 2
        if not title["y"] <= middle <= title["y"] + 24:  # on the title's first line (~21 px)
            alone.append(f"{shot}: the unread dot is alone above {row.inner_text()[:40]!r}")
    return alone


@pytest.mark.parametrize("name", ["home", "thread", "audit"])
def test_a_right_to_left_language_mirrors_the_layout(
    page: Page,
    live_url: str,
    axe: Axe,
    community: Community,
    review_folder: Path,
    pseudo_locale: str,
    name: str,
) -> None:
    reader = community.moderator if name == "audit" else community.member
    if name == "audit":  # a change to show: "Hidden: no -> yes"
        hide_post(moderator=reader, post=community.article.posts.get(position=3), reason="Test")
    User.objects.filter(pk=reader.pk).update(language=pseudo_locale)
    sign_in(page, live_url, reader)
    url = live_url + _address(community, name)
    problems = []
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            path = review_folder / f"rtl-{name}-{width}-{scheme}.png"
            # "qps" is a private-use code (BCP 47's qaa-qtz), valid but not in axe's list
            # of languages; the pages' real languages pass html-lang-valid above.
            problems += _review(page, axe, url, path, skip_rules=("html-lang-valid",))

            html = page.locator("html")
            expect(html).to_have_attribute("dir", "rtl")
            expect(html).to_have_attribute("lang", pseudo_locale)
            # Mirrored: the site's name at the right edge, "My plan" and the bell at the left.
            window = viewport["width"]
            brand = _box(page.locator(".site-brand__name"))
            bell = _box(page.locator("a.nav-bell"))
            assert window - (brand["x"] + brand["width"]) < 0.1 * window, path.stem
            assert bell["x"] < 0.1 * window, path.stem
            assert bell["x"] < brand["x"]
            if name == "thread":
                # A post's face is at its right, its time at its left; the reply arrow
                # points the way the text reads.
                header = page.locator("article.post").first.locator(".post__header")
                face = _box(header.locator(".avatar"))
                time = _box(header.locator(".post__time"))
                assert time["x"] < face["x"], path.stem
                arrow = page.locator(".thread-reply-jump .icon--reply")
                assert arrow.evaluate("(icon) => getComputedStyle(icon).transform") != "none"
                # What a member wrote keeps its own direction (dir="auto"): English reads
                # left to right on a right-to-left page.
                body = page.locator("article.post .post__body").first
                assert body.evaluate("(body) => getComputedStyle(body).direction") == "ltr"
            if name == "audit":
                # "before -> after" reads from the right: its arrow points left.
                arrow = page.locator(".audit-changes span[aria-hidden=true]").first
                assert arrow.evaluate("(span) => getComputedStyle(span).transform") != "none"
    assert not problems, "\n".join(problems)


def test_a_left_to_right_page_says_so_and_keeps_its_arrows(
    page: Page, live_url: str, community: Community
) -> None:
    hide_post(
        moderator=community.moderator, post=community.article.posts.get(position=3), reason="Test"
    )
    page.set_viewport_size(WIDTHS[1280])
    sign_in(page, live_url, community.moderator)
    page.goto(live_url + _address(community, "thread"))

    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    arrow = page.locator(".thread-reply-jump .icon--reply")
    assert arrow.evaluate("(icon) => getComputedStyle(icon).transform") == "none"
    assert _box(page.locator(".site-brand__name"))["x"] < 0.1 * WIDTHS[1280]["width"]
    page.goto(live_url + _address(community, "audit"))
    arrow = page.locator(".audit-changes span[aria-hidden=true]").first
    expect(arrow).to_have_text("→")
    assert arrow.evaluate("(span) => getComputedStyle(span).transform") == "none"


@pytest.mark.parametrize("name", ["home", "thread", "composer", "toolkit", "plan"])
def test_the_german_pages_fit_pass_axe_and_are_saved_for_review(
    page: Page, live_url: str, axe: Axe, community: Community, review_folder: Path, name: str
) -> None:
    # German's long compounds are the likeliest words to push a phone's page sideways.
    User.objects.filter(pk=community.member.pk).update(language="de")
    sign_in(page, live_url, community.member)

    def in_german(shot: str) -> list[str]:
        expect(page.locator("html")).to_have_attribute("lang", "de")
        # The header's own words are German: the menu names "Mein Plan".
        expect(page.locator("header").get_by_text("Mein Plan").first).to_be_attached()
        return []

    problems = _review_every_size(
        page, axe, live_url + _address(community, name), review_folder, name, in_german, "de-"
    )
    assert not problems, "\n".join(problems)
