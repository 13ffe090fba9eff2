"""A NUL character anywhere in an address is a 404 or a clear 400, never a 500 -- on
PostgreSQL too, which refuses NUL in text (the suite's PostgreSQL pass runs this)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hearth.accounts.models import Role, User
from hearth.core.testing import ClientFor, MakeMember

pytestmark = pytest.mark.django_db

_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _routes(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _paths_with_nul() -> list[str]:
    """Every route taking a value, with that value holding a NUL (percent-encoded)."""
    paths = []
    for route in _routes(get_resolver()):
        if not _CONVERTER.search(route) or route.startswith("^"):
            continue
        paths.append("/" + _CONVERTER.sub("x%00y", route).lstrip("^").rstrip("$"))
    return sorted(set(paths))


def test_the_walk_finds_the_routes_that_take_names() -> None:
    paths = _paths_with_nul()

    assert "/members/x%00y/" in paths  # a member's profile, by username
    assert "/moderation/members/x%00y/" in paths
    assert len(paths) > 20


@pytest.mark.parametrize("path", _paths_with_nul())
def test_a_nul_in_any_path_is_not_found_for_members_and_moderators(
    path: str, make_member: MakeMember, client_for: ClientFor
) -> None:
    member = make_member()
    moderator = make_member(role=Role.MODERATOR)
    for client in (client_for(member), client_for(moderator), Client()):
        for method in (client.get, client.post):
            response = method(path)

            assert response.status_code in {302, 400, 403, 404, 405}, (path, response.status_code)


@pytest.mark.parametrize("path", ["/", "/notes/", "/moderation/audit/"])
def test_a_nul_in_the_query_string_is_a_bad_request(
    path: str, client_for: ClientFor, make_member: MakeMember
) -> None:
    client = client_for(make_member(role=Role.MODERATOR))

    response = client.get(path + "?before=1%00&page=2")

    assert response.status_code == 400


def test_a_nul_in_a_username_path_is_not_found(member: User, member_client: Client) -> None:
    assert member_client.get(f"/members/{member.username}%00/").status_code == 404
