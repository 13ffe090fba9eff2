"""The private toolkit in chromium: a fast check-in, the plan one tap away, print, axe."""

from __future__ import annotations

import re
import time

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from hearth.accounts.models import User
from hearth.between_sessions import selectors, services
from hearth.between_sessions.tests.conftest import MARKER, FilledToolkit, fill_toolkit
from hearth.core.testing import MakeMember

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(page: Page, live_url: str, member: User) -> None:
    """Give the browser the session of a signed-in member (the login page has its own test)."""
    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_url}]
    )


@pytest.fixture
def filled(make_member: MakeMember) -> FilledToolkit:
    owner = make_member(username="wren", display_name="Wren")
    filled = fill_toolkit(owner)
    services.add_session_note(owner=owner, section="talk_about", text="Endings of sessions")
    return filled


def toolkit_pages(filled: FilledToolkit) -> list[str]:
    names = [
        "home",
        "check_in",
        "entries",
        "entry_new",
        "entry_calendar",
        "entry_chart",
        "next_session",
        "next_session_discussed",
        "plan",
        "plan_edit",
        "cards",
        "member_card_new",
        "breaks",
        "break_new",
        "export",
        "delete_everything",
        "next_session_print",
        "plan_print",
        "export_print",
        "neutral",
    ]
    pages = [reverse(f"between_sessions:{name}") for name in names]
    pages += [
        reverse("between_sessions:entry", args=[filled.entry.pk]),
        reverse("between_sessions:entry", args=[filled.check_in.pk]),
        reverse("between_sessions:entry_edit", args=[filled.entry.pk]),
        reverse("between_sessions:entry_edit", args=[filled.check_in.pk]),
        reverse("between_sessions:entry_delete", args=[filled.entry.pk]),
        reverse("between_sessions:member_card", args=[filled.card.pk]),
        reverse("between_sessions:member_card", args=[filled.words.pk]),
        reverse("between_sessions:member_card_edit", args=[filled.card.pk]),
        reverse("between_sessions:member_card_delete", args=[filled.card.pk]),
        reverse("between_sessions:session_note_edit", args=[filled.note.pk]),
        reverse("between_sessions:break_edit", args=[filled.therapist_break.pk]),
        reverse("between_sessions:break_delete", args=[filled.therapist_break.pk]),
        reverse("between_sessions:member_card_new") + "?kind=words",
    ]
    pages += [
        reverse("between_sessions:built_in_card", args=[slug])
        for slug in (
            "breathing",
            "grounding",
            "senses",
            "cooling-down",
            "finding-now",
            "while-away",
        )
    ]
    return pages


def test_a_check_in_takes_well_under_30_seconds(
    page: Page, live_url: str, make_member: MakeMember
) -> None:
    member = make_member(username="finch", display_name="Finch")
    sign_in(page, live_url, member)
    page.goto(f"{live_url}/")

    started = time.monotonic()
    page.get_by_role("link", name="My plan").click()  # into the toolkit from anywhere
    page.get_by_role("link", name="Check in", exact=True).first.click()
    page.get_by_label("Feeling").first.select_option("scared.on_edge")
    page.get_by_role("group", name="How strong is it?").first.get_by_label("6").check()
    page.get_by_label("A line about it (optional)").fill("Waiting to hear back.")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".flash-messages")).to_contain_text("Your check-in is saved.")
    elapsed = time.monotonic() - started

    assert elapsed < 30
    entry = selectors.journal_entries_for(member).get()
    assert entry.feelings == [{"feeling": "scared.on_edge", "intensity": 6}]
    expect(page.get_by_text("Scared or anxious: on edge")).to_be_visible()


def test_a_check_in_works_from_the_keyboard_alone(
    page: Page, live_url: str, make_member: MakeMember
) -> None:
    member = make_member(username="lark", display_name="Lark")
    sign_in(page, live_url, member)
    page.goto(f"{live_url}{reverse('between_sessions:check_in')}")

    page.get_by_label("Feeling").first.focus()
    page.keyboard.press("ArrowDown")  # "Sad, in general"
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")  # radios: the first arrow press selects and moves
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save check-in").focus()
    page.keyboard.press("Enter")

    expect(page.locator(".flash-messages")).to_contain_text("Your check-in is saved.")
    assert len(selectors.journal_entries_for(member).get().feelings) == 1


@pytest.mark.parametrize(
    "start", ["/", "/settings/profile/", "/notes/cards/", "/notes/entries/", "/members/wren/"]
)
def test_the_plan_is_one_tap_from_any_page(
    page: Page, live_url: str, filled: FilledToolkit, start: str
) -> None:
    sign_in(page, live_url, filled.owner)
    page.goto(f"{live_url}{start}")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My plan").click()

    expect(page).to_have_url(f"{live_url}{reverse('between_sessions:plan')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan")
    expect(page.get_by_text(f"warning {MARKER}")).to_be_visible()


def test_the_print_views_render_without_site_chrome(
    page: Page, live_url: str, filled: FilledToolkit
) -> None:
    sign_in(page, live_url, filled.owner)
    page.goto(f"{live_url}{reverse('between_sessions:next_session')}")
    page.get_by_role("link", name="Print-friendly page").click()

    expect(page).to_have_title("Notes")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes for next session")
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown by the script
    page.emulate_media(media="print")
    expect(page.get_by_text(f"entry text {MARKER}")).to_be_visible()
    expect(page.get_by_text("Endings of sessions")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("link", name="Back")).to_be_hidden()
    assert page.locator(".site-header").count() == 0
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF")

    page.emulate_media(media="screen")
    page.goto(f"{live_url}{reverse('between_sessions:plan_print')}")
    page.emulate_media(media="print")
    expect(page.get_by_text(f"matters {MARKER}")).to_be_visible()


def test_leave_quickly_replaces_the_page_with_a_neutral_one(
    page: Page, live_url: str, filled: FilledToolkit
) -> None:
    sign_in(page, live_url, filled.owner)
    page.goto(f"{live_url}/")
    page.goto(f"{live_url}{reverse('between_sessions:entry', args=[filled.entry.pk])}")

    page.get_by_role("link", name="Leave quickly").click()

    expect(page).to_have_url(f"{live_url}{reverse('between_sessions:neutral')}")
    expect(page).to_have_title("Notes")
    assert MARKER not in page.content()
    page.go_back()  # the toolkit page was replaced in history, so Back skips it
    expect(page).to_have_url(f"{live_url}/")


def test_every_toolkit_title_is_neutral(page: Page, live_url: str, filled: FilledToolkit) -> None:
    sign_in(page, live_url, filled.owner)
    for path in toolkit_pages(filled):
        page.goto(f"{live_url}{path}")
        expect(page).to_have_title("Notes")
        assert not re.search(r"journal|crisis|therap|feeling|flashback|diary|mood", path)


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_axe_finds_nothing_on_any_toolkit_page(
    page: Page, live_url: str, filled: FilledToolkit, axe: Axe, color_scheme: str
) -> None:
    page.emulate_media(color_scheme=color_scheme)  # type: ignore[arg-type]
    sign_in(page, live_url, filled.owner)
    for path in toolkit_pages(filled):
        page.goto(f"{live_url}{path}")
        assert_no_axe_violations(axe, page)


def test_axe_finds_nothing_on_pages_showing_errors(
    page: Page, live_url: str, filled: FilledToolkit, axe: Axe
) -> None:
    sign_in(page, live_url, filled.owner)
    page.goto(f"{live_url}{reverse('between_sessions:check_in')}")
    page.get_by_label("Feeling").first.select_option("sad.low")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.get_by_text("How strong is it? Choose a number from 0 to 10.")).to_be_visible()
    assert_no_axe_violations(axe, page)

    page.goto(f"{live_url}{reverse('between_sessions:next_session')}")
    page.get_by_label("Link or number of the post").fill("not a link")
    page.get_by_role("button", name="Add excerpt").click()
    expect(page.get_by_text("contains /p/ and a number")).to_be_visible()
    assert_no_axe_violations(axe, page)

    page.goto(f"{live_url}{reverse('between_sessions:break_new')}")
    page.get_by_role("button", name="Save").click()
    assert_no_axe_violations(axe, page)


def test_the_breathing_guide_moves_only_when_motion_is_welcome(
    page: Page, live_url: str, filled: FilledToolkit
) -> None:
    sign_in(page, live_url, filled.owner)
    url = f"{live_url}{reverse('between_sessions:built_in_card', args=['breathing'])}"
    page.goto(url)
    circle = page.locator(".breathing-circle")

    page.get_by_label("Show the moving breathing guide").check()
    assert circle.evaluate("el => getComputedStyle(el).animationName") == "hearth-breathe"

    page.emulate_media(reduced_motion="reduce")
    page.goto(url)
    expect(circle).to_be_hidden()
    expect(page.get_by_text("Breathe in for four: 1, 2, 3, 4.")).to_be_visible()
