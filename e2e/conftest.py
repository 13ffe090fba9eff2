"""Browser tests: Playwright driving Debian's chromium against a live server.

Playwright cannot download its own browsers here, so the system chromium is
launched with the flags that keep it from reaching the network.
"""

import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls that
# tests make between page actions are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.path) or "e2e" in item.path.parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def axe() -> Axe:
    return Axe()


def assert_no_axe_violations(axe: Axe, page: Page, *, skip_rules: tuple[str, ...] = ()) -> None:
    """Run axe-core on the page and fail with a readable list of violations.

    ``skip_rules``: axe rule ids not to run, for a caller that says why (the right-to-left
    review skips ``html-lang-valid`` for its private-use language code)."""
    options: dict[str, object] = {"resultTypes": ["violations"]}
    if skip_rules:
        options["rules"] = {rule: {"enabled": False} for rule in skip_rules}
    results = axe.run(page, options=options)
    violations = results.response["violations"]
    summary = "\n".join(
        f"{violation['id']}: {violation['help']} -> "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in violations
    )
    assert not violations, f"axe found violations on {page.url}:\n{summary}"


@pytest.fixture
def live_url(live_server: Any) -> str:
    return str(live_server.url)


@pytest.fixture(autouse=True)
def _short_timeouts(page: Page) -> None:
    # A missing element should fail in seconds, not Playwright's default 30.
    page.set_default_timeout(8000)
    page.set_default_navigation_timeout(15000)


@pytest.fixture
def screenshots(pytestconfig: pytest.Config) -> Path:
    """var/screenshots/ (git-ignored), or $HEARTH_SCREENSHOTS_DIR. Not Playwright's
    test-results/: every pytest run, browser tests or not, empties that when it starts."""
    default = pytestconfig.rootpath / "var" / "screenshots"
    folder = Path(os.environ.get("HEARTH_SCREENSHOTS_DIR", default))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
