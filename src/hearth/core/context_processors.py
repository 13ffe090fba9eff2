"""Template context every page needs."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Give templates the community's name, tagline and indexing switch, and what the
    site header shows of the member (the key of its shared copy; empty when signed out)."""
    return {
        "site_name": settings.HEARTH_SITE_NAME,
        "site_tagline": settings.HEARTH_TAGLINE,
        "allow_indexing": settings.HEARTH_ALLOW_INDEXING,
        "site_header_key": _site_header_key(getattr(request, "user", None)),
        "live_stream_url": settings.HEARTH_LIVE_URL,
        "live_stream_port": settings.HEARTH_LIVE_PORT or "",
    }


def _site_header_key(user: Any) -> str:
    if user is None or not user.is_authenticated:
        return ""
    return "\x1f".join(
        str(value)
        for value in (
            user.pk,
            user.username,
            user.display_name,
            user.unread_notifications,
            user.is_moderator_or_administrator,
        )
    )
