"""The community's moderation hours, for the footer on every page (CARE.md)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def moderation_hours(request: HttpRequest) -> dict[str, str]:
    """No query: the hours come from settings."""
    return {
        "moderation_hours": settings.HEARTH_MODERATION_HOURS,
        "moderation_time_zone": settings.HEARTH_MODERATION_TIME_ZONE,
    }
