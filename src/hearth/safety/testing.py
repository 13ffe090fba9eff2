"""Test support for care features (a pytest plugin; see conftest.py)."""

from __future__ import annotations

import pytest

from hearth.safety.models import ContentNoteLabel, CrisisResource, CrisisRule, EmergencyNumber
from hearth.safety.seeding import seed_defaults


@pytest.fixture(autouse=True)
def _safety_defaults(request: pytest.FixtureRequest) -> None:
    """Make sure the seeded defaults exist in every test that uses the database.

    A transactional test (a browser test, a concurrency test) flushes every
    table when it ends, seeded rows included; the next test gets them back.
    """
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if marker is None and "db" not in names and "transactional_db" not in names:
        return
    transactional = "transactional_db" in names or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    request.getfixturevalue("transactional_db" if transactional else "db")
    if not CrisisRule.objects.exists():
        seed_defaults(
            labels=ContentNoteLabel,
            rules=CrisisRule,
            numbers=EmergencyNumber,
            resources=CrisisResource,
        )
