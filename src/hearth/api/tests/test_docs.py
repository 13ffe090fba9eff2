"""The OpenAPI document and the docs page: served from here, with nothing from elsewhere."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from hearth.api.wiring import api

pytestmark = pytest.mark.django_db

OTHER_HOSTS = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.IGNORECASE)


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _value in pairs]
    duplicated = {key for key in keys if keys.count(key) > 1}
    assert not duplicated, f"duplicated keys (Swagger UI refuses the document): {duplicated}"
    return dict(pairs)


def test_the_openapi_document_is_openapi_3_1_and_documents_the_error_shape() -> None:
    response = Client().get("/api/v1/openapi.json")

    document = json.loads(response.content, object_pairs_hook=_refuse_duplicate_keys)
    assert response.status_code == 200
    assert document["openapi"].startswith("3.1.")
    assert {"ErrorOut", "ErrorDetail"} <= set(document["components"]["schemas"])
    assert set(document["components"]["securitySchemes"]) == {"BearerToken", "SessionCookie"}
    thread = document["paths"]["/api/v1/threads/{thread_id}"]["get"]
    assert {"200", "401", "404", "422", "429"} <= set(thread["responses"])
    assert {} in thread["security"]  # a visitor may read a public category's threads


def test_the_docs_page_loads_only_from_this_site_under_the_csp() -> None:
    client = Client()

    page = client.get("/api/v1/docs")

    html = page.content.decode()
    assert page.status_code == 200
    assert OTHER_HOSTS.search(html) is None
    assert "cdn" not in html.lower()
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    # No inline script to run: the settings are JSON, the code is in static files.
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all("src=" in attributes or "application/json" in attributes for attributes in scripts)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert len(assets) >= 3
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    # Swagger UI would otherwise send the document's address to its online validator.
    assert '"validatorUrl": null' in html


def test_every_operation_documents_its_errors() -> None:
    document = api.get_openapi_schema()

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            statuses = {str(status) for status in operation["responses"]}
            assert {"401", "404", "422"} <= statuses, f"{method} {path}"
