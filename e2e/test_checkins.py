"""Check-ins from peers in chromium: Willow asks Fern from her break plan, Fern says yes
from her notification, the chosen day's notification leads to a conversation with
Willow, Willow ends it in one click; axe on every page of it; nothing of Willow's
toolkit on Fern's pages; screenshots on a phone and a desktop, light and dark, in
var/screenshots/ (git-ignored)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import save_screenshots, sign_in
from hearth.between_sessions.peer_check_ins.selectors import local_date
from hearth.between_sessions.peer_check_ins.services import send_due_peer_check_ins
from hearth.between_sessions.tests.conftest import MARKER, fill_toolkit
from hearth.conversations.testing import open_to_everyone
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember

pytestmark = pytest.mark.django_db(transaction=True)


def test_asking_answering_being_told_and_ending_a_check_in(
    page: Page, live_url: str, axe: Axe, screenshots: Path, make_member: MakeMember
) -> None:
    willow = make_member(username="willow", display_name="Willow")
    fern = make_member(username="fern", display_name="Fern")
    open_to_everyone(fern)
    filled = fill_toolkit(willow)
    day = local_date(willow) + datetime.timedelta(days=2)

    # Willow asks, from her break plan.
    sign_in(page, live_url, willow)
    page.goto(f"{live_url}{reverse('between_sessions:breaks')}")
    page.get_by_role("link", name="Check-ins from members").first.click()
    expect(page.get_by_role("heading", name="Check-ins from members")).to_be_visible()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "check-ins-ask")
    page.get_by_label("First member").fill("fern")
    page.get_by_label("Day 1", exact=True).fill(day.isoformat())
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.get_by_text("Asked. No answer yet.")).to_be_visible()
    assert_no_axe_violations(axe, page)
    # A mistake comes back with what was typed.
    page.get_by_label("First member").fill("nobody-here")
    page.get_by_role("button", name="Ask", exact=True).click()
    expect(page.get_by_text("There is no member called “nobody-here”.")).to_be_visible()
    expect(page.get_by_label("First member")).to_have_value("nobody-here")
    assert_no_axe_violations(axe, page)
    run_due_tasks()

    # Fern is told, and says yes.
    sign_in(page, live_url, fern)
    page.goto(f"{live_url}{reverse('notifications:list')}")
    page.get_by_role(
        "link", name=re.compile("Willow asked you to check in during their therapist's break")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Willow asked you to check in during their therapist's break"
    )
    assert MARKER not in page.content()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "check-ins-request")
    page.get_by_role("button", name="Yes, I'll check in").click()
    expect(page.get_by_text("You said yes.", exact=False).first).to_be_visible()
    assert_no_axe_violations(axe, page)
    page.goto(f"{live_url}{reverse('peer_check_ins:received')}")
    expect(page.get_by_text("Willow asked you to check in")).to_be_visible()
    assert MARKER not in page.content()
    assert_no_axe_violations(axe, page)

    # On the day, Fern is told again, and the link starts a conversation with Willow.
    send_due_peer_check_ins(
        now=datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)
    )
    run_due_tasks()
    page.goto(f"{live_url}{reverse('notifications:list')}")
    page.get_by_role("link", name=re.compile("Willow asked you to check in this week")).click()
    expect(page).to_have_url(re.compile(r"/messages/new/\?to=willow$"))
    assert MARKER not in page.content()

    # Willow sees the answer and ends it in one click.
    sign_in(page, live_url, willow)
    url = reverse("between_sessions:break_check_ins", args=[filled.therapist_break.pk])
    page.goto(f"{live_url}{url}")
    expect(page.get_by_text("Said yes.")).to_be_visible()
    save_screenshots(page, screenshots, "check-ins-answered")
    page.get_by_role("button", name="End all check-ins for this break").click()
    expect(page.get_by_text("You ended this request.")).to_be_visible()
    assert_no_axe_violations(axe, page)

    # Fern reads only that it ended.
    sign_in(page, live_url, fern)
    page.goto(f"{live_url}{reverse('peer_check_ins:received')}")
    expect(page.get_by_text("This request has ended.")).to_be_visible()
    assert_no_axe_violations(axe, page)
