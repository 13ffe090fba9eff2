"""Start-up checks for search's configuration."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from hearth.search.languages import LANGUAGES


@register()
def check_search_language(**_kwargs: Any) -> list[Error]:
    language = settings.HEARTH_SEARCH_LANGUAGE
    if language in LANGUAGES:
        return []
    return [
        Error(
            f"HEARTH_SEARCH_LANGUAGE is {language!r}, which search does not know.",
            hint="Choose one of: " + ", ".join(sorted(LANGUAGES)),
            id="hearth.search.E001",
        )
    ]
