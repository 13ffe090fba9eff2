"""Writes to members' own records."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F

from hearth.accounts.models import User


@transaction.atomic
def update_profile(
    *,
    member: User,
    display_name: str,
    bio: str,
    time_zone: str,
    language: str,
    new_avatar: ContentFile[bytes] | None = None,
    remove_avatar: bool = False,
) -> User:
    """Save a member's profile; bump ``profile_version`` when others would see a change.

    The old avatar file is deleted once the transaction commits, never before.
    """
    visible_change = display_name != member.display_name or new_avatar is not None
    old_avatar_name = member.avatar.name if member.avatar else ""
    member.display_name = display_name
    member.bio = bio
    member.time_zone = time_zone
    member.language = language
    if new_avatar is not None:
        member.avatar.save(new_avatar.name or "avatar.webp", new_avatar, save=False)
    elif remove_avatar and old_avatar_name:
        member.avatar = ""  # clearing a FieldFile
        visible_change = True
    fields = ["display_name", "bio", "time_zone", "language", "avatar"]
    if visible_change:
        member.profile_version = F("profile_version") + 1
        fields.append("profile_version")
    member.save(update_fields=fields)
    member.refresh_from_db(fields=["profile_version"])
    if old_avatar_name and old_avatar_name != member.avatar.name:
        storage = member.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar_name))
    return member
