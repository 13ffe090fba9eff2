"""An id too long for the database is a 404 like any missing one, on every route."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from hearth.core.converters import IdConverter

pytestmark = pytest.mark.django_db

HUGE = "9" * 40


def _routes(entries: list[URLPattern | URLResolver], prefix: str) -> list[str]:
    found = []
    for entry in entries:
        pattern = entry.pattern
        if not isinstance(pattern, RoutePattern):
            continue
        route = prefix + str(pattern)
        if isinstance(entry, URLResolver):
            found += _routes(entry.url_patterns, route)
        else:
            found.append(route)
    return found


def _id_routes(entries: list[URLPattern | URLResolver], prefix: str) -> list[str]:
    return [route for route in _routes(entries, prefix) if "<id:" in route]


def test_every_route_takes_ids_with_the_bounded_converter() -> None:
    routes = _routes(get_resolver().url_patterns, "/")

    assert "/t/<id:thread_id>/" in routes
    assert [route for route in routes if "<int:" in route] == []
    assert IdConverter.regex == "[0-9]{1,18}"


def test_a_huge_id_is_a_404_everywhere(member_client: Client) -> None:
    for route in _id_routes(get_resolver().url_patterns, "/"):
        url = route
        while "<id:" in url:
            start = url.index("<id:")
            url = url[:start] + HUGE + url[url.index(">", start) + 1 :]
        if "<" in url:
            continue  # another argument (a slug, a word) needs a real value
        response = member_client.get(url)
        assert response.status_code in (404, 405), url
