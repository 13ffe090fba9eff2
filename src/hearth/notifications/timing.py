"""When a member may be emailed: quiet hours, a break, a moderator's duty hours."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings

from hearth.accounts.models import User
from hearth.notifications.models import MODERATOR_KINDS, NotificationSettings
from hearth.safety.coverage import next_time_on_duty


def _zone(member: User) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(member.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def end_of_quiet_hours(
    quiet_from: time | None, quiet_until: time | None, local: datetime
) -> datetime | None:
    """When the quiet hours around ``local`` end, or None outside them (or without any).
    Quiet hours may run past midnight (22:00 to 07:00)."""
    if quiet_from is None or quiet_until is None or quiet_from == quiet_until:
        return None
    clock = local.time().replace(tzinfo=None)
    day = local.date()
    if quiet_from < quiet_until:
        if not quiet_from <= clock < quiet_until:
            return None
    elif clock >= quiet_from:
        day += timedelta(days=1)
    elif clock >= quiet_until:
        return None
    return datetime.combine(day, quiet_until, tzinfo=local.tzinfo)


def email_not_before(
    member: User, choices: NotificationSettings, kind: str, now: datetime
) -> datetime:
    """The earliest moment this kind of email may go to the member (``now`` if at once)."""
    later = now
    if kind in MODERATOR_KINDS:
        hours = choices.duty_hours or settings.HEARTH_MODERATION_HOURS
        zone = member.time_zone if choices.duty_hours else settings.HEARTH_MODERATION_TIME_ZONE
        try:
            later = next_time_on_duty(hours, zone, now)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            later = now  # unreadable hours never keep a moderator from being told
    quiet_end = end_of_quiet_hours(
        choices.quiet_from, choices.quiet_until, later.astimezone(_zone(member))
    )
    return quiet_end if quiet_end is not None else later
