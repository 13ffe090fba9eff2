"""Private conversations in chromium: two members write to each other through the pages
(from a profile, through the bell, a reply); axe on the conversation pages; screenshots
of a conversation on a phone and a desktop, light and dark, in var/screenshots/."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import PHONE, pages_wider_than_a_phone, save_screenshots, sign_in
from hearth.accounts.models import User
from hearth.conversations.models import Conversation, Message, MessageDraft
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import (
    delete_message,
    edit_message,
    send_message,
    start_conversation,
)
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember

pytestmark = pytest.mark.django_db(transaction=True)

BELL_BADGE = "a.nav-bell .badge"


@pytest.fixture
def alice(make_member: MakeMember) -> User:
    member = make_member(username="alice", display_name="Alice")
    make_established(member)
    return member


@pytest.fixture
def bob(make_member: MakeMember) -> User:
    member = make_member(username="bob", display_name="Bob")
    make_established(member)
    open_to_everyone(member)
    return member


def test_two_members_write_to_each_other_through_the_pages(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_url: str,
    alice: User,
    bob: User,
) -> None:
    # Alice starts from Bob's profile.
    sign_in(page, live_url, alice)
    page.goto(f"{live_url}/members/bob/")
    page.get_by_role("link", name="Message Bob privately").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New conversation")
    expect(page.get_by_label("To")).to_have_value("bob")
    page.get_by_label("Your message").fill("Thinking of you before *tomorrow's* session :)")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview em")).to_have_text("tomorrow's")
    page.get_by_role("button", name="Send").click()

    conversation = Conversation.objects.get()
    expect(page).to_have_url(re.compile(rf"/messages/{conversation.pk}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversation with Bob")
    expect(page.locator("article.message")).to_have_count(1)
    first = Message.objects.get()
    run_due_tasks()

    # Bob's bell goes up; its notification opens the conversation and reads it.
    bob_page = new_context().new_page()
    bob_page.set_default_timeout(8000)
    sign_in(bob_page, live_url, bob)
    bob_page.goto(f"{live_url}/")
    bell = bob_page.locator("a.nav-bell")
    expect(bell.locator(".badge")).to_have_text("1 unread")
    bell.click()
    bob_page.get_by_role("link", name=re.compile(r"Alice sent you a message")).click()
    expect(bob_page).to_have_url(re.compile(rf"/messages/{conversation.pk}/#message-{first.pk}$"))
    expect(bob_page.locator(f"#message-{first.pk}")).to_contain_text("Thinking of you")
    expect(bob_page.locator(BELL_BADGE)).to_have_count(0)

    # He replies.
    bob_page.get_by_label("Your message").fill("Thank you. It helps to know.")
    bob_page.get_by_role("button", name="Send").click()
    expect(bob_page.locator("article.message")).to_have_count(2)
    expect(bob_page.locator("article.message--own")).to_contain_text("It helps to know.")
    run_due_tasks()

    # Alice sees it, in her list and in the conversation.
    page.goto(f"{live_url}/messages/")
    row = page.locator("li.conversation-row")
    expect(row).to_contain_text("1 new")
    row.get_by_role("link", name=re.compile("Bob")).click()
    expect(page.locator("article.message").nth(1)).to_contain_text("Thank you. It helps to know.")
    expect(page.locator("article.message").nth(1)).to_contain_text("Bob")


def test_a_reply_draft_survives_a_reload_and_is_gone_once_sent(
    page: Page, live_url: str, alice: User, bob: User
) -> None:
    conversation = start_conversation(
        starter=alice, recipients=[bob], title="", body="How was today?", request_key="d1"
    )
    sign_in(page, live_url, alice)
    page.goto(f"{live_url}/messages/{conversation.pk}/")

    page.get_by_label("Your message").fill("It was a hard session, I'm still")
    expect(page.get_by_role("status").filter(has_text="Draft saved.")).to_be_visible(timeout=8000)
    page.reload()

    composer = page.get_by_label("Your message")
    expect(composer).to_have_value("It was a hard session, I'm still")
    composer.fill("It was a hard session, I'm still thinking about it.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator("article.message--own").nth(1)).to_contain_text("still thinking about it.")
    page.reload()
    expect(page.get_by_label("Your message")).to_have_value("")
    assert not MessageDraft.objects.exists()


@dataclass(frozen=True)
class Exchange:
    alice: User
    bob: User
    conversation: Conversation


@pytest.fixture
def exchange(alice: User, bob: User, make_member: MakeMember) -> Exchange:
    """A few days' worth of messages: one edited, one deleted, one quoting, one long."""
    conversation = start_conversation(
        starter=alice,
        recipients=[bob],
        title="",
        body="Hi Bob, I saw your post about your therapist's holiday. Mine is away too. "
        "How are you finding the gap?",
        request_key="e1",
    )
    opened_alice = get_conversation_for_viewer_or_404(alice, conversation.pk)
    opened_bob = get_conversation_for_viewer_or_404(bob, conversation.pk)
    first = send_message(
        author=bob,
        opened=opened_bob,
        body="Honestly, harder than I expected. The evenings are the worst.\n\n"
        "What helps me a bit:\n\n- writing it down for next session\n- a walk after dinner\n"
        "- the breathing card",
        request_key="e2",
    )
    quoted = (
        f"**Bob** [wrote](http://testserver/messages/{conversation.pk}/#message-{first.pk}):\n"
        "> The evenings are the worst.\n\nSame here. Shall we check in with each other on "
        "Thursday evening?"
    )
    edited = send_message(author=alice, opened=opened_alice, body=quoted, request_key="e3")
    edit_message(
        editor=alice, message=edited, body=quoted.replace("Shall we", "Shall we maybe"),
        base_revision=1,
    )  # fmt: skip
    oops = send_message(author=bob, opened=opened_bob, body="Wrong chat, sorry", request_key="e4")
    delete_message(member=bob, message=oops)
    send_message(
        author=bob,
        opened=opened_bob,
        body="Yes please 🙂 Thursday works. https://example.org/a-very-long-link-that-should-"
        "wrap-on-a-small-phone-screen-rather-than-pushing-the-page-sideways",
        request_key="e5",
    )
    run_due_tasks()
    return Exchange(alice=alice, bob=bob, conversation=conversation)


def test_axe_finds_nothing_on_the_conversation_pages(
    page: Page, live_url: str, axe: Axe, exchange: Exchange
) -> None:
    sign_in(page, live_url, exchange.alice)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(f"{live_url}/messages/")
        expect(page.locator("li.conversation-row")).to_have_count(1)
        assert_no_axe_violations(axe, page)

        page.goto(f"{live_url}/messages/{exchange.conversation.pk}/")
        expect(page.locator("article.message")).to_have_count(5)
        assert_no_axe_violations(axe, page)

        page.goto(f"{live_url}/messages/new/?to=bob,nobodyhere")
        expect(page.get_by_role("note")).to_contain_text("No member is called")
        assert_no_axe_violations(axe, page)
        page.get_by_role("button", name="Send").click()  # an empty message: errors shown
        expect(page.get_by_role("alert").first).to_contain_text("your text is still here")
        assert_no_axe_violations(axe, page)

        page.goto(f"{live_url}/settings/messages/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Who can message you")
        assert_no_axe_violations(axe, page)


def test_no_conversation_page_scrolls_sideways_on_a_phone(
    page: Page, live_url: str, exchange: Exchange
) -> None:
    sign_in(page, live_url, exchange.alice)
    pk = exchange.conversation.pk
    paths = ["/messages/", f"/messages/{pk}/", "/messages/new/?to=bob", "/settings/messages/"]
    too_wide = pages_wider_than_a_phone(page, live_url, paths)
    assert not too_wide, f"wider than a {PHONE['width']}px phone (page: px): {too_wide}"


def test_screenshots_of_a_conversation(
    page: Page, live_url: str, exchange: Exchange, screenshots: Path
) -> None:
    sign_in(page, live_url, exchange.alice)
    saved = []

    page.goto(f"{live_url}/messages/{exchange.conversation.pk}/")
    expect(page.locator("article.message")).to_have_count(5)
    saved += save_screenshots(page, screenshots, "conversation")

    expect(page.locator(BELL_BADGE)).to_have_count(0)  # reading it read its notification

    page.goto(f"{live_url}/messages/")
    saved += save_screenshots(page, screenshots, "conversations")

    page.goto(f"{live_url}/messages/new/?to=bob,nobodyhere")
    saved += save_screenshots(page, screenshots, "conversation-start")

    page.goto(f"{live_url}/settings/messages/")
    saved += save_screenshots(page, screenshots, "conversation-settings")

    assert all(path.stat().st_size > 0 for path in saved)
