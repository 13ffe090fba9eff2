"""Durations and moments in words: the queue's waits, the moderators' next hours, and
suspension dates that sit inside a sentence (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation
from pytest_django.fixtures import Settings

from hearth.safety.coverage import coverage_at
from hearth.safety.time_words import (
    approximate_duration,
    day_and_time,
    duration_words,
    weekday_time_and_zone,
)

SATURDAY_EVENING = datetime(2026, 12, 5, 18, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=-5), "under a minute"),
        (timedelta(seconds=59), "under a minute"),
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=45, seconds=59), "45 minutes"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=2, minutes=15), "2 hours and 15 minutes"),
        (timedelta(hours=2, minutes=59), "2 hours and 59 minutes"),
        (timedelta(hours=3, minutes=10), "3 hours"),
        (timedelta(hours=23, minutes=59), "23 hours"),
        (timedelta(hours=24), "1 day"),
        (timedelta(days=1, hours=5, minutes=30), "1 day and 5 hours"),
        (timedelta(days=2, hours=23), "2 days and 23 hours"),
        (timedelta(days=4, hours=3), "4 days"),
        (timedelta(days=12), "12 days"),
    ],
)
def test_a_duration_reads_as_words(delta: timedelta, words: str) -> None:
    with translation.override("en"):
        assert duration_words(delta) == words


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(seconds=20), "a minute or so"),
        (timedelta(minutes=24, seconds=1), "25 minutes"),
        (timedelta(minutes=58, seconds=30), "59 minutes"),
        (timedelta(minutes=59, seconds=30), "about 1 hour"),
        (timedelta(hours=1, minutes=20), "about 1 hour"),
        (timedelta(hours=8, minutes=40), "about 9 hours"),
        (timedelta(hours=47), "about 47 hours"),
        (timedelta(days=2, hours=13), "about 3 days"),
    ],
)
def test_an_approximate_duration_rounds_like_a_person(delta: timedelta, words: str) -> None:
    with translation.override("en"):
        assert approximate_duration(delta) == words


def test_a_moment_this_year_reads_as_weekday_day_month_and_time() -> None:
    moment = datetime(2026, 12, 6, 17, 51, tzinfo=UTC)

    with translation.override("en"), timezone.override("UTC"):
        assert day_and_time(moment, now=SATURDAY_EVENING) == "Sunday 6 December, 17:51"


def test_a_moment_in_another_year_names_the_year() -> None:
    moment = datetime(2027, 12, 6, 17, 51, tzinfo=UTC)

    with translation.override("en"), timezone.override("UTC"):
        assert day_and_time(moment, now=SATURDAY_EVENING) == "Monday 6 December 2027, 17:51"


def test_a_moment_is_read_in_the_active_time_zone_and_language() -> None:
    moment = datetime(2026, 12, 6, 17, 51, tzinfo=UTC)

    with translation.override("de"), timezone.override("Europe/Berlin"):
        words = day_and_time(moment, now=SATURDAY_EVENING)

    assert "18:51" in words
    assert "Sonntag" in words
    assert "Dezember" in words


def test_a_moment_never_ends_in_its_own_full_stop() -> None:
    # DATETIME_FORMAT in English ends "p.m.", which made "until ... p.m.." in sentences.
    afternoon = datetime(2026, 12, 6, 17, 51, tzinfo=UTC)

    with translation.override("en"), timezone.override("UTC"):
        assert not day_and_time(afternoon, now=SATURDAY_EVENING).endswith(".")


def test_a_time_within_the_week_names_its_time_zone() -> None:
    moment = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)

    with translation.override("en"), timezone.override("UTC"):
        assert weekday_time_and_zone(moment) == "Sunday 03:00 UTC"
    with translation.override("en"), timezone.override("Europe/Berlin"):
        assert weekday_time_and_zone(moment) == "Sunday 04:00 CET"


def test_the_coverage_line_says_how_long_until_a_moderator_is_on_and_in_which_zone(
    settings: Settings,
) -> None:
    settings.HEARTH_MODERATION_HOURS = "sun 03:00-04:00"
    settings.HEARTH_MODERATION_TIME_ZONE = "UTC"
    coverage = coverage_at(SATURDAY_EVENING)

    with translation.override("en"), timezone.override("UTC"):
        html = render_to_string("safety/_coverage.html", {"coverage": coverage})

    assert coverage.until_next == timedelta(hours=9)
    assert (
        "No moderator is on duty right now; the next one is on in about 9 hours "
        "(Sunday 03:00 UTC)." in html
    )


def test_the_coverage_line_is_in_the_readers_time_zone(settings: Settings) -> None:
    settings.HEARTH_MODERATION_HOURS = "sun 03:00-04:00"
    settings.HEARTH_MODERATION_TIME_ZONE = "UTC"

    with translation.override("en"), timezone.override("America/New_York"):
        html = render_to_string(
            "safety/_coverage.html", {"coverage": coverage_at(SATURDAY_EVENING)}
        )

    assert "in about 9 hours (Saturday 22:00 EST)." in html


def test_on_duty_now_has_no_wait(settings: Settings) -> None:
    settings.HEARTH_MODERATION_HOURS = "sat 17:00-19:00"
    settings.HEARTH_MODERATION_TIME_ZONE = "UTC"

    coverage = coverage_at(SATURDAY_EVENING)

    assert coverage.on_duty_now
    assert coverage.until_next is None
