"""Dates and numbers as the member's language writes them.

``{% load local_formats %}`` then ``{{ entry.created_at|weekday_datetime }}``,
``{{ plan.reviewed_on|long_date }}``, ``{{ thread.reply_count|number }}``.

Each date format is a translatable string (translators order day, month and weekday
as their language does: "Sunday 6 December 2026" is "Sonntag, 6. Dezember 2026"),
written in the active time zone. Templates name what they show, never a raw format,
so no page is left in English order. Aware datetimes are shown in local time;
plain dates as they are. An empty value shows nothing.

``number`` groups thousands with the language's separator ("12,480" / "12.480").
Django's ``USE_THOUSAND_SEPARATOR`` would do that for every number in every template,
ids in attributes and links included, so it stays off and counts ask for it here.
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import pgettext

register = template.Library()


def _shown(value: date | datetime | None, pattern: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, pattern)


@register.filter
def long_date(value: date | datetime | None) -> str:
    """ "6 December 2026"."""
    # Translators: a PHP-style date format (Django's "date" filter): day, month name, year.
    return _shown(value, pgettext("date format", "j F Y"))


@register.filter
def day_month(value: date | datetime | None) -> str:
    """ "6 December" (a date this year, where the year goes without saying)."""
    # Translators: a PHP-style date format: day and month name, no year.
    return _shown(value, pgettext("date format", "j F"))


@register.filter
def weekday_date(value: date | datetime | None) -> str:
    """ "Sunday 6 December" (a day in the coming weeks)."""
    # Translators: a PHP-style date format: weekday, day, month name.
    return _shown(value, pgettext("date format", "l j F"))


@register.filter
def weekday_long_date(value: date | datetime | None) -> str:
    """ "Sunday 6 December 2026"."""
    # Translators: a PHP-style date format: weekday, day, month name, year.
    return _shown(value, pgettext("date format", "l j F Y"))


@register.filter
def weekday_datetime(value: date | datetime | None) -> str:
    """ "Sunday 6 December 2026, 17:51" (when a journal entry was written)."""
    # Translators: a PHP-style date format: weekday, day, month name, year, 24-hour time.
    return _shown(value, pgettext("date format", "l j F Y, H:i"))


@register.filter
def weekday_day_month_time(value: date | datetime | None) -> str:
    """ "Sunday 6 December, 17:51" (a moment this year, where the year goes without saying)."""
    # Translators: a PHP-style date format: weekday, day, month name, 24-hour time.
    return _shown(value, pgettext("date format", "l j F, H:i"))


@register.filter
def long_datetime(value: date | datetime | None) -> str:
    """ "6 December 2026, 17:51" (a moment in a record kept for years)."""
    # Translators: a PHP-style date format: day, month name, year, 24-hour time.
    return _shown(value, pgettext("date format", "j F Y, H:i"))


@register.filter
def month_year(value: date | datetime | None) -> str:
    """ "December 2026" (a calendar's month; when a member joined)."""
    # Translators: a PHP-style date format: month name and year (a calendar's heading).
    return _shown(value, pgettext("date format", "F Y"))


@register.filter
def short_weekday_date(value: date | datetime | None) -> str:
    """ "Sun 6 Dec" (days listed side by side in a line)."""
    # Translators: a PHP-style date format: short weekday, day, short month name.
    return _shown(value, pgettext("date format", "D j M"))


@register.filter
def short_date(value: date | datetime | None) -> str:
    """ "6 Dec" (a chart's axis)."""
    # Translators: a PHP-style date format: day and short month name.
    return _shown(value, pgettext("date format", "j M"))


@register.filter
def time_of_day(value: datetime | None) -> str:
    """ "17:51"."""
    # Translators: a PHP-style time format: 24-hour hours and minutes.
    return _shown(value, pgettext("date format", "H:i"))


@register.filter
def short_datetime(value: date | datetime | None) -> str:
    """ "6 Dec, 17:51" (a row in a table of moments)."""
    # Translators: a PHP-style date format: day, short month name, 24-hour time.
    return _shown(value, pgettext("date format", "j M, H:i"))


@register.filter
def number(value: int | float | str | None) -> str:
    """A count with the language's thousands separator: "12,480". (A template passes ""
    for a value it could not find.)"""
    if value is None or value == "":
        return ""
    return number_format(value, force_grouping=True)
