"""Test fixtures of the welcome app (a pytest plugin; see conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hearth.welcome.selectors import current_number


@pytest.fixture(autouse=True)
def _guidelines_number_known(request: pytest.FixtureRequest) -> Iterator[None]:
    """Read the guidelines' version number before each test that uses the database.

    Each process remembers it for a few seconds, so in production one page in many
    reads it. A test that counts a page's queries must not count that read only
    when it happens to be the first in its process: reading it first makes the
    counts the same whatever ran before.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or bool(
        marker and marker.kwargs.get("transaction")
    )
    if marker is None and "db" not in request.fixturenames and not transactional:
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    current_number(fresh=True)
    yield
