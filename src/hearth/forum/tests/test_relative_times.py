"""A cached fragment expires when its relative time would read differently.

``relative_time_changes_at(moment, now)`` promises that ``naturaltime(moment)``
reads the same at every instant from ``now`` until the one it returns. These
tests hold it to that against Django's own ``naturaltime``, evaluated with a
stopped clock at ``now``, at instants in between, and just before the change.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from unittest import mock

import pytest
from django.contrib.humanize.templatetags import humanize
from django.utils import translation

from hearth.forum.rendering import relative_time_changes_at

# No database: the same on SQLite and PostgreSQL, so the PostgreSQL pass skips it.
pytestmark = pytest.mark.database_neutral

NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
# The same afternoon, a quarter of a second later: a moment stored by
# timezone.now() has a fraction of a second.
NOW_WITH_A_FRACTION = NOW + timedelta(milliseconds=250)
AGES = {
    "just now": timedelta(0),
    "5 s": timedelta(seconds=5),
    "59 s": timedelta(seconds=59),
    "60 s": timedelta(seconds=60),
    "61 s": timedelta(seconds=61),
    "59 min": timedelta(minutes=59),
    "3 h 5 min": timedelta(hours=3, minutes=5),
    "23 h 59 min": timedelta(hours=23, minutes=59),
    "1 day": timedelta(days=1),
    "3 days 4 h 30 min": timedelta(days=3, hours=4, minutes=30),
    "13 days": timedelta(days=13),
    "20 days": timedelta(days=20),
    "40 days": timedelta(days=40),
    "400 days": timedelta(days=400),
}


class StoppedClock:
    """Stands in for the ``datetime`` class humanize asks for the time: ``datetime.now(UTC)``."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def now(self, tz: tzinfo | None = None) -> datetime:
        return self.instant.astimezone(tz)


def naturaltime_at(moment: datetime, instant: datetime) -> str:
    """What ``naturaltime(moment)`` reads, in English, when the time is ``instant``."""
    with (
        translation.override("en"),
        mock.patch.object(humanize, "datetime", StoppedClock(instant)),
    ):
        return str(humanize.naturaltime(moment))


def assert_reads_the_same_until_the_change(moment: datetime, now: datetime) -> None:
    changes_at = relative_time_changes_at(moment, now)

    assert now.timestamp() < changes_at <= now.timestamp() + 3600
    last = datetime.fromtimestamp(changes_at, UTC) - timedelta(microseconds=1)
    instants = [now + (last - now) * share for share in (0, 0.25, 0.5, 0.75)] + [last]
    readings = {instant.isoformat(): naturaltime_at(moment, instant) for instant in instants}
    assert len(set(readings.values())) == 1, (
        f"naturaltime({moment.isoformat()}) changes before {last.isoformat()}: {readings}"
    )


def test_the_stopped_clock_is_the_one_naturaltime_reads() -> None:
    moment = NOW - timedelta(seconds=5)

    assert naturaltime_at(moment, NOW) == "5\xa0seconds ago"
    assert naturaltime_at(moment, NOW + timedelta(days=3, hours=4)) == "3\xa0days, 4\xa0hours ago"


@pytest.mark.parametrize("now", [NOW, NOW_WITH_A_FRACTION], ids=["whole second", "fraction"])
@pytest.mark.parametrize("age", AGES.values(), ids=AGES.keys())
def test_naturaltime_reads_the_same_until_the_returned_instant(
    age: timedelta, now: datetime
) -> None:
    assert_reads_the_same_until_the_change(now - age, now)


@pytest.mark.parametrize(
    ("moment", "now"),
    [
        (datetime(2025, 1, 31, 10, 30, tzinfo=UTC), datetime(2025, 2, 28, 23, 45, tzinfo=UTC)),
        (datetime(2025, 3, 31, 10, 30, tzinfo=UTC), datetime(2025, 4, 30, 23, 45, tzinfo=UTC)),
        (datetime(2024, 1, 30, 10, 30, tzinfo=UTC), datetime(2024, 2, 29, 23, 45, tzinfo=UTC)),
        (datetime(2024, 2, 29, 10, 30, tzinfo=UTC), datetime(2025, 2, 28, 23, 45, tzinfo=UTC)),
        (datetime(2025, 1, 31, 10, 30, tzinfo=UTC), datetime(2025, 3, 31, 10, 15, tzinfo=UTC)),
        (datetime(2024, 12, 31, 22, 0, tzinfo=UTC), datetime(2025, 1, 31, 21, 30, tzinfo=UTC)),
    ],
    ids=[
        "31 Jan, the last evening of February",
        "31 Mar, the last evening of April",
        "30 Jan, the last evening of a leap February",
        "29 Feb, the last evening of the next February",
        "31 Jan, just before two months",
        "31 Dec, just before a month",
    ],
)
def test_naturaltime_reads_the_same_until_the_returned_instant_around_month_ends(
    moment: datetime, now: datetime
) -> None:
    # A moment on a day the next month lacks counts a month from the first of
    # the month after: at midnight, which need not be a whole hour after it.
    assert_reads_the_same_until_the_change(moment, now)


def test_a_moment_with_a_fraction_of_a_second_reads_the_same_until_the_change() -> None:
    # Past a month, timesince counts weeks and days from the moment with its
    # fraction of a second dropped.
    moment = datetime(2025, 1, 15, 10, 30, 0, 500_000, tzinfo=UTC)
    now = moment + timedelta(days=31 + 7) - timedelta(milliseconds=750)

    assert_reads_the_same_until_the_change(moment, now)
