"""Template filters for durations and moments in words (see hearth.safety.time_words)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template

from hearth.safety import time_words

register = template.Library()


@register.filter
def duration(delta: timedelta | None) -> str:
    """``{{ row.waited|duration }}``: "3 hours", "1 day and 5 hours"."""
    return time_words.duration_words(delta) if delta is not None else ""


@register.filter
def about_duration(delta: timedelta | None) -> str:
    """``{{ coverage.until_next|about_duration }}``: "about 9 hours"."""
    return time_words.approximate_duration(delta) if delta is not None else ""


@register.filter
def day_and_time(moment: datetime | None) -> str:
    """``{{ member.suspended_until|day_and_time }}``: "Sunday 6 December, 17:51"."""
    return time_words.day_and_time(moment) if moment is not None else ""


@register.filter
def weekday_time_and_zone(moment: datetime | None) -> str:
    """``{{ coverage.next_on_duty|weekday_time_and_zone }}``: "Sunday 03:00 UTC"."""
    return time_words.weekday_time_and_zone(moment) if moment is not None else ""
