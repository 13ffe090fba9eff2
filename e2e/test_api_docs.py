"""The API's reference page works in a real browser under the site's strict CSP, loading
nothing from another site (Swagger UI from django-ninja's own static files)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_reference_page_renders_every_operation_from_this_site_alone(
    page: Page, live_url: str
) -> None:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    hosts: set[str] = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))

    page.goto(f"{live_url}/api/v1/docs")
    page.wait_for_selector(".opblock")

    assert page.locator(".opblock").count() >= 20
    assert problems == []  # a CSP refusal or a document Swagger UI cannot read shows here
    assert hosts == {live_url.split("/")[2]}
