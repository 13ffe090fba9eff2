"""Dates and numbers in the member's language (core/templatetags/local_formats.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.template import Context, Template
from django.test import override_settings
from django.utils import translation


def render(source: str, **values: object) -> str:
    return Template("{% load local_formats %}" + source).render(Context(values))


def test_dates_are_written_in_the_active_time_zone() -> None:
    moment = datetime(2026, 12, 6, 23, 30, tzinfo=UTC)
    with override_settings(TIME_ZONE="Europe/Berlin"), translation.override("en"):
        assert render("{{ m|weekday_datetime }}", m=moment) == "Monday 7 December 2026, 00:30"


def test_each_format_names_what_it_shows() -> None:
    day = date(2026, 12, 6)
    with translation.override("en"):
        assert render("{{ d|long_date }}", d=day) == "6 December 2026"
        assert render("{{ d|day_month }}", d=day) == "6 December"
        assert render("{{ d|weekday_date }}", d=day) == "Sunday 6 December"
        assert render("{{ d|weekday_long_date }}", d=day) == "Sunday 6 December 2026"


def test_an_empty_value_shows_nothing() -> None:
    assert render("[{{ d|long_date }}][{{ n|number }}]", d=None, n=None) == "[][]"


def test_counts_group_thousands_without_grouping_other_numbers() -> None:
    with translation.override("en"):
        assert render("{{ n|number }} {{ n }}", n=12480) == "12,480 12480"


def test_the_formats_for_moments_name_what_they_show() -> None:
    moment = datetime(2026, 12, 6, 17, 51, tzinfo=UTC)
    with override_settings(TIME_ZONE="UTC"), translation.override("en"):
        assert render("{{ m|weekday_day_month_time }}", m=moment) == "Sunday 6 December, 17:51"
        assert render("{{ m|long_datetime }}", m=moment) == "6 December 2026, 17:51"
        assert render("{{ m|month_year }}", m=moment) == "December 2026"
        assert render("{{ m|short_weekday_date }}", m=moment) == "Sun 6 Dec"
        assert render("{{ m|short_date }}", m=moment) == "6 Dec"
        assert render("{{ m|time_of_day }}", m=moment) == "17:51"
        assert render("{{ m|short_datetime }}", m=moment) == "6 Dec, 17:51"
