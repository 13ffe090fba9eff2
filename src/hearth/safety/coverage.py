"""When moderators are around, said honestly to members (CARE.md: "the honest moderation hours").

``HEARTH_MODERATION_HOURS`` lists when someone is on duty, in
``HEARTH_MODERATION_TIME_ZONE``: ``"mon-fri 08:00-22:00; sat,sun 10:00-18:00"``.
Empty means no set hours: members are told moderators are volunteers who
look in when they can.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from django.conf import settings

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_SPAN = re.compile(r"^\s*([a-z,\-\s]+?)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class DutySpan:
    weekdays: frozenset[int]  # 0 = Monday
    starts: time
    ends: time  # 24:00 is written 00:00 and means midnight at the end of the day


@dataclass(frozen=True)
class Coverage:
    has_hours: bool
    on_duty_now: bool
    next_on_duty: datetime | None
    until_next: timedelta | None  # how long until next_on_duty, from the moment asked
    hours_text: str
    report_target_hours: int
    check_in_target_hours: int


def _days(text: str) -> frozenset[int]:
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if "-" in part:
            first, last = (DAYS.index(day[:3]) for day in part.split("-"))
            days.update(
                range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)]
            )
        else:
            days.add(DAYS.index(part[:3]))
    return frozenset(days)


@cache
def parse_hours(text: str) -> tuple[DutySpan, ...]:
    """Parse the hours setting; raises ValueError naming the part that is wrong."""
    spans = []
    for chunk in filter(None, (part.strip().lower() for part in text.split(";"))):
        match = _SPAN.match(chunk)
        try:
            if not match:
                raise ValueError(chunk)
            days, start_h, start_m, end_h, end_m = match.groups()
            spans.append(
                DutySpan(
                    weekdays=_days(days),
                    starts=time(int(start_h), int(start_m)),
                    ends=time(int(end_h) % 24, int(end_m)),
                )
            )
        except ValueError as error:
            message = (
                f"HEARTH_MODERATION_HOURS: can't read {chunk!r}; write e.g. 'mon-fri 08:00-22:00'"
            )
            raise ValueError(message) from error
    return tuple(spans)


def _is_on_duty(spans: tuple[DutySpan, ...], moment: datetime) -> bool:
    clock = moment.time()
    for span in spans:
        if moment.weekday() not in span.weekdays:
            continue
        ends_at_midnight = span.ends == time(0, 0)
        if span.starts <= clock and (ends_at_midnight or clock < span.ends):
            return True
    return False


def _next_start(spans: tuple[DutySpan, ...], local: datetime) -> datetime | None:
    """Walk the week's span starts in order; the first one after ``local`` is next."""
    starts = []
    for offset in range(8):
        day = (local + timedelta(days=offset)).date()
        for span in spans:
            if day.weekday() in span.weekdays:
                starts.append(datetime.combine(day, span.starts, tzinfo=local.tzinfo))
    return min((start for start in starts if start > local), default=None)


def next_time_on_duty(hours: str, time_zone: str, now: datetime) -> datetime:
    """``now`` if ``hours`` (in ``time_zone``) cover it or say nothing, else when they next
    begin. Raises ValueError for hours it cannot read."""
    spans = parse_hours(hours)
    if not spans:
        return now
    local = now.astimezone(zoneinfo.ZoneInfo(time_zone))
    if _is_on_duty(spans, local):
        return now
    return _next_start(spans, local) or now


def coverage_at(now: datetime) -> Coverage:
    """Say whether a moderator is on duty at ``now`` and, if not, when one next is."""
    spans = parse_hours(settings.HEARTH_MODERATION_HOURS)
    zone = zoneinfo.ZoneInfo(settings.HEARTH_MODERATION_TIME_ZONE)
    local = now.astimezone(zone)
    on_duty = bool(spans) and _is_on_duty(spans, local)
    next_on_duty = None
    if spans and not on_duty:
        next_on_duty = _next_start(spans, local)
    return Coverage(
        has_hours=bool(spans),
        on_duty_now=on_duty,
        next_on_duty=next_on_duty,
        until_next=next_on_duty - now if next_on_duty is not None else None,
        hours_text=settings.HEARTH_MODERATION_HOURS,
        report_target_hours=settings.HEARTH_REPORT_TARGET_HOURS,
        check_in_target_hours=settings.HEARTH_CHECK_IN_TARGET_HOURS,
    )
