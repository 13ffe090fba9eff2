"""The gentle welcome in chromium: a visitor reads the guidelines, signs up (refused
without accepting them, nothing typed lost), verifies, lands on the welcome and takes the
introductions link; another skips it; a member accepts a new version. axe on every page;
screenshots on a phone and a desktop, light and dark, in var/screenshots/ (git-ignored)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember
from hearth.forum.testing import MakeCategory
from hearth.welcome.models import GuidelinesVersion
from hearth.welcome.seeding import seed_first_guidelines
from hearth.welcome.selectors import current_guidelines
from hearth.welcome.services import publish_guidelines, record_sign_up

pytestmark = pytest.mark.django_db(transaction=True)

PASSPHRASE = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _shipped_guidelines() -> None:
    """The first version as the data migration publishes it (a transactional test before
    this one may have emptied the table)."""
    seed_first_guidelines(versions=GuidelinesVersion)


def _fill_sign_up(page: Page) -> None:
    page.get_by_label("Username").fill("bluejay")
    page.get_by_label("Display name").fill("Blue Jay")
    page.get_by_label("Email").fill("bluejay@example.org")
    page.get_by_label("Password", exact=True).fill(PASSPHRASE)
    page.get_by_label("Password (again)").fill(PASSPHRASE)


def test_a_visitor_reads_the_guidelines_signs_up_verifies_and_introduces_themselves(
    page: Page,
    live_url: str,
    axe: Axe,
    screenshots: Path,
    make_category: MakeCategory,
    settings: Settings,
) -> None:
    introductions = make_category("Introductions", slug="introductions")
    settings.HEARTH_INTRODUCTIONS_CATEGORY = "introductions"

    page.goto(f"{live_url}/accounts/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Community guidelines").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community guidelines")
    expect(page.get_by_text("The first version of our community guidelines.")).to_be_visible()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "guidelines")

    page.goto(f"{live_url}/accounts/signup/")
    guidelines = page.get_by_role("region", name="Community guidelines")
    expect(guidelines).to_contain_text("Peer support, not a crisis service")
    assert_no_axe_violations(axe, page)
    _fill_sign_up(page)
    page.get_by_role("button", name="Create my account").click()

    # Refused without the box, with what was typed kept (passwords are never sent back).
    expect(page.get_by_text("tick the box to say you will follow them")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("bluejay")
    expect(page.get_by_label("Display name")).to_have_value("Blue Jay")
    expect(page.get_by_label("Email")).to_have_value("bluejay@example.org")
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "signup-guidelines")
    page.get_by_label("Password", exact=True).fill(PASSPHRASE)
    page.get_by_label("Password (again)").fill(PASSPHRASE)
    page.get_by_label("I have read the community guidelines and will follow them").check()
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    run_due_tasks()  # what hearth worker does beside the server: send the mail
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", str(mail.outbox[-1].body))
    assert link
    page.goto(f"{live_url}{link.group(0)}")
    page.get_by_role("button", name="Confirm").click()

    # Signed in, in the browser that signed up, and welcomed.
    expect(page).to_have_url(f"{live_url}/welcome/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Hearth, Blue Jay")
    expect(page.get_by_text("It is not a crisis service, and it is not therapy.")).to_be_visible()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "welcome")
    page.get_by_role("link", name="Introduce yourself").click()
    expect(page).to_have_url(f"{live_url}{introductions.get_absolute_url()}")

    # Never twice.
    page.goto(f"{live_url}/")
    expect(page).to_have_url(f"{live_url}/")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Blue Jay")


def test_a_new_member_skips_the_welcome_and_reaches_the_forum(
    page: Page, live_url: str, make_member: MakeMember, make_category: MakeCategory
) -> None:
    make_category("Between sessions", slug="between-sessions")
    member = make_member(username="wren", display_name="Wren")
    record_sign_up(member=member, accepted=current_guidelines())
    sign_in(page, live_url, member)

    page.goto(f"{live_url}/c/between-sessions/")
    expect(page).to_have_url(re.compile(r"/welcome/\?next="))
    page.get_by_role("link", name="Skip, take me to the forum").click()

    expect(page).to_have_url(f"{live_url}/c/between-sessions/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Between sessions")
    page.goto(f"{live_url}/")
    expect(page.get_by_role("heading", name="Categories")).to_be_visible()


def test_a_member_reads_what_changed_keeps_their_toolkit_and_accepts(
    page: Page, live_url: str, axe: Axe, screenshots: Path, make_member: MakeMember
) -> None:
    member = make_member(username="lark", display_name="Lark")
    sign_in(page, live_url, member)
    first = current_guidelines()
    assert first is not None
    publish_guidelines(
        body=first.body + "\n\n# Anniversaries\n\nBe gentle with each other around dates.",
        what_changed="A short section about anniversaries.",
        published_by=None,
    )

    page.goto(f"{live_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "The community guidelines have changed"
    )
    expect(page.get_by_text("A short section about anniversaries.")).to_be_visible()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "guidelines-accept")

    # The toolkit is never held back.
    page.get_by_role("link", name="My coping plan").click()
    expect(page).to_have_url(f"{live_url}/notes/plan/")
    page.go_back()

    page.get_by_role("button", name="I accept").click()
    expect(page).to_have_url(f"{live_url}/")
    page.goto(f"{live_url}/")
    expect(page).to_have_url(f"{live_url}/")
