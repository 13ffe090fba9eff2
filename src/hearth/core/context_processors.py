"""Template context every page needs."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    """Give templates the community's name, tagline and indexing switch."""
    return {
        "site_name": settings.HEARTH_SITE_NAME,
        "site_tagline": settings.HEARTH_TAGLINE,
        "allow_indexing": settings.HEARTH_ALLOW_INDEXING,
    }
