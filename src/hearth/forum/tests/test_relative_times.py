"""A cached fragment expires when its compact time would read differently.

``relative_time_changes_at(moment, now)`` promises that the ``timestamp`` tag's text
for ``moment`` (``compact_times.compact_time``: "now", "5 min", "3 h", "4 d", "12 Mar")
reads the same at every instant from ``now`` until the one it returns. These tests
hold it to that at instants in between and just before the change, and check that
the text does change there (an expiry much too early would re-render for nothing).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from hearth.core.compact_times import compact_time
from hearth.forum.rendering import relative_time_changes_at

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
# The same afternoon, a quarter of a second later: a moment stored by
# timezone.now() has a fraction of a second.
NOW_WITH_A_FRACTION = NOW + timedelta(milliseconds=250)
AGES = {
    "just now": timedelta(0),
    "a little ahead of our clock": -timedelta(seconds=20),
    "5 s": timedelta(seconds=5),
    "59 s": timedelta(seconds=59),
    "60 s": timedelta(seconds=60),
    "61 s": timedelta(seconds=61),
    "59 min": timedelta(minutes=59),
    "3 h 5 min": timedelta(hours=3, minutes=5),
    "23 h 59 min": timedelta(hours=23, minutes=59),
    "1 day": timedelta(days=1),
    "3 days 4 h 30 min": timedelta(days=3, hours=4, minutes=30),
    "6 days 23 h": timedelta(days=6, hours=23),
    "13 days": timedelta(days=13),
    "40 days": timedelta(days=40),
    "61 s ahead (a date until it comes)": -timedelta(seconds=61),
    "a month ahead": -timedelta(days=30),
    "next year": -timedelta(days=300),
}


def reading_at(moment: datetime, instant: datetime) -> str:
    with translation.override("en"):
        return compact_time(moment, instant)


def assert_reads_the_same_until_the_change(moment: datetime, now: datetime) -> None:
    changes_at = relative_time_changes_at(moment, now)

    assert now.timestamp() < changes_at
    if math.isinf(changes_at):
        later = [now + timedelta(days=days) for days in (1, 30, 365, 3650)]
        assert {reading_at(moment, instant) for instant in [now, *later]} == {
            reading_at(moment, now)
        }
        return
    change = datetime.fromtimestamp(changes_at, UTC)
    last = change - timedelta(microseconds=1)
    instants = [now + (last - now) * share for share in (0, 0.25, 0.5, 0.75)] + [last]
    readings = {instant.isoformat(): reading_at(moment, instant) for instant in instants}
    assert len(set(readings.values())) == 1, (
        f"the time of {moment.isoformat()} changes before {last.isoformat()}: {readings}"
    )
    assert reading_at(moment, change) != reading_at(moment, last), "expires for nothing"


@pytest.mark.parametrize("now", [NOW, NOW_WITH_A_FRACTION], ids=["whole second", "fraction"])
@pytest.mark.parametrize("age", AGES.values(), ids=AGES.keys())
def test_the_time_reads_the_same_until_the_returned_instant(age: timedelta, now: datetime) -> None:
    with timezone.override("UTC"):
        assert_reads_the_same_until_the_change(now - age, now)


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "Asia/Tokyo", "America/New_York"])
def test_a_date_this_year_changes_when_the_readers_year_turns(zone: str) -> None:
    moment = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    now = datetime(2025, 12, 31, 12, 0, tzinfo=UTC)

    with timezone.override(zone):
        assert_reads_the_same_until_the_change(moment, now)
        changes_at = relative_time_changes_at(moment, now)
        new_year = datetime(2026, 1, 1, tzinfo=timezone.get_current_timezone())
        assert changes_at == new_year.timestamp()
        assert reading_at(moment, new_year).endswith("2025")


def test_a_date_from_another_year_never_changes() -> None:
    with timezone.override("UTC"):
        assert math.isinf(relative_time_changes_at(NOW - timedelta(days=400), NOW))
        assert_reads_the_same_until_the_change(NOW - timedelta(days=400), NOW)


def test_a_week_old_moment_turns_into_a_date_on_the_dot() -> None:
    moment = NOW - timedelta(days=6, hours=12)

    with timezone.override("UTC"):
        changes_at = relative_time_changes_at(moment, NOW)

        assert changes_at == (moment + timedelta(days=7)).timestamp()
        assert reading_at(moment, datetime.fromtimestamp(changes_at, UTC)) == "8 Mar"
