"""The rest of issue 15 in chromium: a member searches their private toolkit (matched in
memory, nothing indexed) and makes an API token on the settings page (shown once); axe
on both pages, screenshots on a phone and a desktop, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.api.models import AccessToken
from hearth.between_sessions.tests.conftest import fill_toolkit
from hearth.core.testing import TEST_PASSWORD, MakeMember

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_searches_their_own_toolkit(
    page: Page, live_url: str, axe: Axe, screenshots: Path, make_member: MakeMember
) -> None:
    willow = make_member(username="willow", display_name="Willow")
    fill_toolkit(willow, marker="lighthouse")
    sign_in(page, live_url, willow)
    page.goto(f"{live_url}/notes/")

    page.get_by_label("Search my notes").fill("lighthouse")
    page.get_by_label("Search my notes").press("Enter")

    expect(page.locator("mark").first).to_have_text("lighthouse", ignore_case=True)
    assert "lighthouse" not in page.url  # the words stay out of the address and history
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "toolkit-search")


def test_a_member_makes_an_api_token_and_sees_it_once(
    page: Page, live_url: str, axe: Axe, screenshots: Path, make_member: MakeMember
) -> None:
    member = make_member(username="fern", display_name="Fern")
    sign_in(page, live_url, member)
    page.goto(f"{live_url}/settings/api-tokens/")

    page.get_by_label("Name").fill("My reader app")
    page.get_by_role("button", name="Make the token").click()
    # A token is as good as being signed in: allauth asks for the password, then
    # resumes the form.
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Confirm").click()

    token = page.locator("#new-token")
    expect(token).to_be_visible()
    secret = token.input_value()
    assert secret.startswith(AccessToken.objects.get(member=member).prefix)
    assert secret.startswith("hearth_")
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "api-tokens")
