"""Live updates in chromium, against a real live-stream server: a member with a thread
open sees another's reply announced and shown as the page would show it (a muted
member's folded), their bell rise, and a post hidden by a moderator replaced; axe on
the page with the bar showing; screenshots in var/screenshots/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.fixtures import Settings

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import send_message, start_conversation
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember
from hearth.core.tests.serving import free_port
from hearth.forum.models import Post
from hearth.forum.testing import MakeReply, MakeThread
from hearth.live.testing import live_stream_server
from hearth.moderation.services import hide_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_stream(settings: Settings) -> Iterator[int]:
    """The stream on its own port, as `hearth serve` runs it; pages point there."""
    port = free_port()
    with live_stream_server(port):
        settings.HEARTH_LIVE_PORT = port
        settings.SECURE_CSP = {
            **settings.SECURE_CSP,
            "connect-src": ["'self'", f"http://*:{port}"],
        }
        yield port


def test_a_reply_appears_for_the_member_reading_the_thread(
    page: Page,
    new_context: Callable[..., BrowserContext],
    live_url: str,
    live_stream: int,
    axe: Axe,
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    moderator: User,
    screenshots: Path,
) -> None:
    reader = make_member(username="willow", display_name="Willow")
    fern = make_member(username="fern", display_name="Fern")
    loud = make_member(username="loud", display_name="Loud")
    mute_member(member=reader, target=loud)
    thread = make_thread(author=reader, title="Endings are hard", body="Our last session is soon.")
    run_due_tasks()
    sign_in(page, live_url, reader)
    page.goto(f"{live_url}/t/{thread.pk}/")
    expect(page.locator("a.nav-bell .badge")).to_have_count(0)
    page.wait_for_timeout(500)  # the stream is open

    # Fern replies through her own browser.
    ferns_page = new_context().new_page()
    sign_in(ferns_page, live_url, fern)
    ferns_page.goto(f"{live_url}/t/{thread.pk}/")
    ferns_page.get_by_label("Your message").fill("I remember my last session. Thinking of you.")
    ferns_page.get_by_role("button", name="Post reply").click()
    expect(ferns_page.get_by_text("Thinking of you.")).to_be_visible()
    make_reply(thread, author=loud, body="SOMETHING LOUD")
    bar = page.locator("#live-bar")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("2 new replies")
    expect(page.locator("#live-announcer")).to_have_text("2 new replies")
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "live-bar")

    bar.get_by_role("button", name="Show them").click()
    expect(page.get_by_text("Thinking of you.")).to_be_visible()
    folded = page.locator("article.post", has_text="Post from a muted member")
    expect(folded).to_have_count(1)
    expect(folded.get_by_text("SOMETHING LOUD")).to_be_hidden()  # folded, as on the page
    expect(bar).to_be_hidden()

    run_due_tasks()  # the notifications of the two replies in Willow's thread
    expect(page.locator("a.nav-bell .badge")).to_contain_text("1")

    ferns = Post.objects.select_related("thread__category").get(author=fern)
    hide_post(moderator=moderator, post=ferns, reason="It names a clinic.")
    article = page.locator(f"#post-{ferns.pk}")
    expect(article).to_contain_text("A moderator hid this post.")
    expect(article).not_to_contain_text("Thinking of you.")


def test_a_message_appears_in_the_open_conversation(
    page: Page, live_url: str, live_stream: int, make_member: MakeMember
) -> None:
    fern = make_member(username="fern", display_name="Fern")
    willow = make_member(username="willow", display_name="Willow")
    make_established(fern, willow)
    open_to_everyone(fern, willow)
    conversation = start_conversation(
        starter=fern, recipients=[willow], title="", body="Are you around?", request_key="s"
    )
    sign_in(page, live_url, willow)
    page.goto(f"{live_url}/messages/{conversation.pk}/")
    expect(page.get_by_text("Are you around?")).to_be_visible()
    page.wait_for_timeout(500)  # the stream is open

    send_message(
        author=fern,
        opened=get_conversation_for_viewer_or_404(fern, conversation.pk),
        body="I'm here if you want to talk.",
        request_key="m",
    )
    expect(page.get_by_text("I'm here if you want to talk.")).to_be_visible()
    expect(page.locator("ol.messages article")).to_have_count(2)
    expect(page.locator("#live-announcer")).to_have_text("1 new message")
