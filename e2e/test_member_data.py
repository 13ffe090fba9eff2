"""A member's own data in chromium: asking for an archive and downloading it, and the
account deletion page; axe on both; screenshots on a phone and a desktop, light and
dark, in var/screenshots/."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from e2e.conftest import assert_no_axe_violations
from e2e.test_notifications import pages_wider_than_a_phone, save_screenshots, sign_in
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember
from hearth.forum.testing import MakeThread

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_downloads_their_archive_and_reads_about_leaving(
    page: Page,
    live_url: str,
    axe: Axe,
    make_member: MakeMember,
    make_thread: MakeThread,
    screenshots: Path,
    tmp_path: Path,
) -> None:
    member = make_member(username="rowan", display_name="Rowan")
    make_thread(author=member, title="Endings are hard", body="Our last session is in May.")
    sign_in(page, live_url, member)

    page.goto(f"{live_url}/settings/profile/")
    page.get_by_role("link", name="Download your data").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_axe_violations(axe, page)
    page.get_by_role("button", name="Prepare my archive").click()
    run_due_tasks()
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download").first.click()
    archive = tmp_path / "archive.zip"
    download_info.value.save_as(archive)
    with zipfile.ZipFile(archive) as opened:
        data = next(name for name in opened.namelist() if name.endswith("data.json"))
        assert "Our last session is in May." in opened.read(data).decode()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "data-export")

    page.goto(f"{live_url}/settings/delete-account/")
    expect(page.get_by_role("heading", name="Delete your account", level=1)).to_be_visible()
    expect(page.get_by_label("Remove my posts")).to_be_visible()
    assert_no_axe_violations(axe, page)
    save_screenshots(page, screenshots, "delete-account")
    assert not pages_wider_than_a_phone(
        page, live_url, ["/settings/data/", "/settings/delete-account/"]
    )
