"""Signing up and in through the real pages, in chromium, with axe checks."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from hearth.core.tasks import run_due_tasks
from hearth.welcome.models import GuidelinesVersion
from hearth.welcome.seeding import seed_first_guidelines

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_visitor_signs_up_verifies_and_signs_in(page: Page, live_url: str, axe: Axe) -> None:
    seed_first_guidelines(versions=GuidelinesVersion)  # a flush may have emptied the table
    page.goto(f"{live_url}/accounts/signup/")
    assert_no_axe_violations(axe, page)
    page.get_by_label("Username").fill("bluejay")
    page.get_by_label("Display name").fill("Blue Jay")
    page.get_by_label("Email").fill("bluejay@example.org")
    page.get_by_label("Password", exact=True).fill("a long enough passphrase")
    page.get_by_label("Password (again)").fill("a long enough passphrase")
    page.get_by_label("I have read the community guidelines and will follow them").check()
    page.get_by_role("button", name="Create my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    run_due_tasks()  # what hearth worker does beside the server: send the mail
    link = re.search(r"/accounts/confirm-email/[^/\s]+/", str(mail.outbox[-1].body))
    assert link
    page.goto(f"{live_url}{link.group(0)}")
    page.get_by_role("button", name="Confirm").click()
    # Confirmed in the browser that signed up: signed in, and welcomed (e2e/test_welcome.py).
    expect(page).to_have_url(f"{live_url}/welcome/")
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_url}/accounts/login/")
    assert_no_axe_violations(axe, page)
    page.get_by_label("Username or email").fill("bluejay")
    page.get_by_label("Password").fill("a long enough passphrase")
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Categories")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Blue Jay")
    assert_no_axe_violations(axe, page)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_main(page: Page, live_url: str) -> None:
    page.goto(f"{live_url}/accounts/login/")

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator("main#main")).to_be_focused()
