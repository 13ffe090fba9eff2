"""Times as a community shows them: "now", "5 min", "3 h", "4 d", then "12 Mar".

Short enough to sit beside a name on a phone; the exact date and time go with it
for hover, keyboards and screen readers (the ``timestamp`` template tag). Fragments
that print one are cached until the text would change: ``changes_at`` says when.

The steps: under a minute "now" (also for a moment up to a minute ahead of our
clock); then whole minutes, whole hours and whole days since the moment; from a
week on, the day and month in the reader's time zone, with the year when it is not
this year's. A moment further ahead (when a token expires) is a date too.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import npgettext, pgettext

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Past a week a date says more than "12 d".
DAYS_COUNTED = 7


def compact_time(moment: datetime, now: datetime) -> str:
    """``moment`` as the short text a reader sees at ``now``, in the active language and
    time zone."""
    age = (now - moment).total_seconds()
    if age < -MINUTE:
        return _compact_date(moment, now)
    if age < MINUTE:
        return pgettext("a compact time: just now", "now")
    if age < HOUR:
        count = int(age // MINUTE)
        text = npgettext("a compact time: minutes ago", "%(count)d min", "%(count)d min", count)
    elif age < DAY:
        count = int(age // HOUR)
        text = npgettext("a compact time: hours ago", "%(count)d h", "%(count)d h", count)
    elif age < DAYS_COUNTED * DAY:
        count = int(age // DAY)
        text = npgettext("a compact time: days ago", "%(count)d d", "%(count)d d", count)
    else:
        return _compact_date(moment, now)
    # The catalogue has plain spaces (xgettext reads no escapes); "5 min" must never wrap.
    return (text % {"count": count}).replace(" ", "\xa0")


def _compact_date(moment: datetime, now: datetime) -> str:
    local = timezone.localtime(moment)
    if local.year == timezone.localtime(now).year:
        # Translators: a Django date format for a date this year (j = day, M = "Mar").
        return date_format(local, pgettext("a compact date this year", "j M"))
    # Translators: a Django date format for a date in another year (Y = 2024).
    return date_format(local, pgettext("a compact date another year", "j M Y"))


def full_time(moment: datetime) -> str:
    """The exact date and time of ``moment``, in the reader's language and time zone."""
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def changes_at(moment: datetime, now: datetime) -> float:
    """When ``compact_time(moment, ...)`` may next read differently from what it reads at
    ``now``, as a Unix time (never late; ``math.inf`` when it never will).

    A count changes on a whole minute, hour or day after ``moment``; a date changes when
    the year turns (in the reader's time zone) and it starts or stops needing its year,
    or, for a moment ahead of us, a minute before it comes ("now").
    """
    age = (now - moment).total_seconds()
    if age >= -MINUTE:
        steps = ((MINUTE, MINUTE), (MINUTE, HOUR), (HOUR, DAY), (DAY, DAYS_COUNTED * DAY))
        for step, limit in steps:
            if age < limit:
                return moment.timestamp() + (max(age, 0) // step + 1) * step
    local_now = timezone.localtime(now)
    if timezone.localtime(moment).year < local_now.year:
        return math.inf  # a date of a past year keeps its year for ever
    new_year = datetime(local_now.year + 1, 1, 1, tzinfo=local_now.tzinfo).timestamp()
    if age < -MINUTE:
        return min(new_year, moment.timestamp() - MINUTE)
    return new_year
