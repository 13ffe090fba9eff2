"""The member's own profile as JSON (mounted at /api/v1/me/ by ``hearth.api``)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from hearth.accounts.models import User
from hearth.core.api_schema import Output, responses

router = Router()


class ProfileOut(Output):
    username: str
    display_name: str
    bio: str
    time_zone: str
    language: str
    country: str
    role: str = Field(description="member, moderator or administrator")
    replies_newest_first: bool
    date_joined: datetime
    unread_notifications: int = Field(description="The bell's count (0 during a break).")
    unread_notices: int = Field(description="Unread messages from the moderators.")


@router.get("", response=responses({200: ProfileOut}), url_name="me")
def my_profile(request: HttpRequest) -> ProfileOut:
    """The signed-in member's profile and settings, as Settings → Your profile shows them."""
    member = request.user
    assert isinstance(member, User)  # authentication lets only members through here
    return ProfileOut(
        username=member.username,
        display_name=member.display_name,
        bio=member.bio,
        time_zone=member.time_zone,
        language=member.language,
        country=member.country.code or "",
        role=member.role,
        replies_newest_first=member.replies_newest_first,
        date_joined=member.date_joined,
        unread_notifications=member.unread_notifications,
        unread_notices=member.unread_notices,
    )
