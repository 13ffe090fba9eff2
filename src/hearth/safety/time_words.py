"""Durations and moments in words people read at a glance, for members and moderators.

"Waiting 3 hours", "target 1 day", "on in about 9 hours", "until Sunday 6 December,
17:51": never raw seconds, never a date format that ends in its own full stop
("p.m.") when a sentence goes on after it. Every word goes through gettext, and
the date formats themselves are translatable, so each language orders its own.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
# "1 day and 5 hours" reads well; "4 days and 3 hours" says more than anyone needs.
_SECOND_UNIT_BELOW = 3
_ABOUT_HOURS_UNTIL = 48


def _minutes(count: int) -> str:
    return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}


def _hours(count: int) -> str:
    return ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}


def _days(count: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", count) % {"count": count}


def _both(larger: str, smaller: str) -> str:
    return _("%(larger)s and %(smaller)s") % {"larger": larger, "smaller": smaller}


def duration_words(delta: timedelta) -> str:
    """Say how long ``delta`` is: "under a minute", "45 minutes", "3 hours",
    "2 hours and 15 minutes", "1 day", "1 day and 5 hours", "12 days".

    Counts down (a wait of 2 hours 59 minutes is "2 hours and 59 minutes", never
    "3 hours"), so a wait never reads as longer than it was. A second unit is
    added only while the first is small (under 3), where it still matters.
    Negative durations read as zero.
    """
    seconds = max(0, int(delta.total_seconds()))
    if seconds < _MINUTE:
        return _("under a minute")
    if seconds < _HOUR:
        return _minutes(seconds // _MINUTE)
    if seconds < _DAY:
        hours, minutes = divmod(seconds // _MINUTE, 60)
        if hours < _SECOND_UNIT_BELOW and minutes:
            return _both(_hours(hours), _minutes(minutes))
        return _hours(hours)
    days, hours = divmod(seconds // _HOUR, 24)
    if days < _SECOND_UNIT_BELOW and hours:
        return _both(_days(days), _hours(hours))
    return _days(days)


def approximate_duration(delta: timedelta) -> str:
    """Say roughly how long ``delta`` is, for "on in ...": "a minute or so",
    "25 minutes", "about 9 hours", "about 3 days". Minutes round up (never "0
    minutes"); hours and days round to the nearest."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < _MINUTE:
        return _("a minute or so")
    minutes = math.ceil(seconds / _MINUTE)
    if minutes < _HOUR // _MINUTE:
        return _minutes(minutes)
    hours = max(1, round(seconds / _HOUR))
    if hours < _ABOUT_HOURS_UNTIL:
        return ngettext("about %(count)d hour", "about %(count)d hours", hours) % {"count": hours}
    days = round(seconds / _DAY)
    return ngettext("about %(count)d day", "about %(count)d days", days) % {"count": days}


def day_and_time(moment: datetime, *, now: datetime | None = None) -> str:
    """A moment as a member reads it, in the active time zone and language: "Sunday
    6 December, 17:51", with the year when it is not this year. No trailing full
    stop, so it sits inside a sentence."""
    local = timezone.localtime(moment)
    this_year = timezone.localtime(now or timezone.now()).year
    if local.year == this_year:
        # Translators: a PHP-style date format (Django's "date" filter), e.g. "Sunday 6
        # December, 17:51". Order it as your language does; end without a full stop.
        return date_format(local, pgettext("day and time, this year", "l j F, H:i"))
    # Translators: as "l j F, H:i", with the year: "Sunday 6 December 2027, 17:51".
    return date_format(local, pgettext("day and time, another year", "l j F Y, H:i"))


def weekday_time_and_zone(moment: datetime) -> str:
    """When something happens within the coming week, naming the time zone: "Sunday
    03:00 UTC" (in the active time zone)."""
    # Translators: a PHP-style date format: weekday, time and time zone ("Sunday 03:00 UTC").
    return date_format(timezone.localtime(moment), pgettext("weekday and time", "l H:i T"))
