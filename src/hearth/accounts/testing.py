"""Test helpers for accounts: the profile form as the page posts it."""

from __future__ import annotations

from hearth.accounts.models import User


def profile_form(member: User, **changes: object) -> dict[str, object]:
    """The profile form's fields as the member's page fills them in, with ``changes``."""
    return {
        "display_name": member.display_name,
        "bio": member.bio,
        "time_zone": member.time_zone,
        "language": member.language,
        "country": member.country.code,
        **changes,
    }
