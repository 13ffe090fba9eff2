"""The page scripts speak the member's language: the JavaScript catalogue loads first,
under the page's CSP nonce, and the scripts' words come from it (docs/translating.md)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from hearth.core.pseudo_locale import pseudo_translate
from hearth.core.testing import TEST_PASSWORD, MakeMember
from hearth.forum.models import Category
from hearth.forum.testing import MakeCategory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_composer_counts_in_the_members_language(
    page: Page,
    live_url: str,
    pseudo_locale: str,
    make_member: MakeMember,
    make_category: MakeCategory,
) -> None:
    category: Category = make_category("Between sessions", slug="between")
    member = make_member(username="noor", language=pseudo_locale)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )

    page.goto(f"{live_url}/accounts/login/")  # a visitor's page: the browser's English
    page.get_by_label("Username or email").fill(member.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    with page.expect_response(lambda response: "/i18n/qps/" in response.url) as catalogue:
        page.get_by_role("button", name="Sign In").click()
    assert catalogue.value.status == 200
    page.goto(f"{live_url}/c/{category.slug}/new/")
    page.locator("textarea[name=body]").fill("x" * 60_000)

    counter = page.locator("[data-size-status]")
    expected = pseudo_translate("%(used)s KB of the %(limit)s KB a post can hold.") % {
        "used": "59",
        "limit": "64",
    }
    expect(counter).to_have_text(expected)
    assert errors == []  # no script refused by the CSP, none calling a missing gettext
