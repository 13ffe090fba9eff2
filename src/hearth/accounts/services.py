"""Writes to members' own records."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from hearth.accounts.models import MemberMute, User
from hearth.accounts.muted_words import MOST_MUTED_WORDS, MUTED_WORD_MAX_LENGTH


@transaction.atomic
def update_profile(
    *,
    member: User,
    display_name: str,
    bio: str,
    time_zone: str,
    language: str,
    country: str = "",
    receives_check_ins: bool | None = None,
    post_delay_minutes: int | None = None,
    new_avatar: ContentFile[bytes] | None = None,
    remove_avatar: bool = False,
) -> User:
    """Save a member's profile (``User.save`` bumps ``profile_version`` when others would
    see a change).

    The old avatar file is deleted once the transaction commits, never before.
    """
    old_avatar_name = member.avatar.name if member.avatar else ""
    member.display_name = display_name
    member.bio = bio
    member.time_zone = time_zone
    member.language = language
    if country:
        member.country = country  # a CountryField takes the code
    if new_avatar is not None:
        member.avatar.save(new_avatar.name or "avatar.webp", new_avatar, save=False)
    elif remove_avatar and old_avatar_name:
        member.avatar = ""  # clearing a FieldFile
    fields = ["display_name", "bio", "time_zone", "language", "country", "avatar"]
    if receives_check_ins is not None:
        member.receives_check_ins = receives_check_ins
        fields.append("receives_check_ins")
    if post_delay_minutes is not None:
        member.post_delay_minutes = post_delay_minutes
        fields.append("post_delay_minutes")
    member.save(update_fields=fields)  # bumps profile_version if others would see a change
    if old_avatar_name and old_avatar_name != member.avatar.name:
        storage = member.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar_name))
    return member


def mute_member(*, member: User, target: User, block: bool = False) -> MemberMute:
    """Mute (or block) another member; they are not told. Muting again updates the kind."""
    if member.pk == target.pk:
        raise ValidationError(_("You can't mute yourself."), code="self_mute")
    mute, _created = MemberMute.objects.update_or_create(
        member=member, muted=target, defaults={"is_block": block}
    )
    return mute


def unmute_member(*, member: User, target: User) -> None:
    MemberMute.objects.filter(member=member, muted=target).delete()


def set_muted_words(*, member: User, words: list[str]) -> None:
    """Replace the member's muted words (``MutedWordsForm`` tidies them and explains the
    limits; here they are only enforced)."""
    if len(words) > MOST_MUTED_WORDS or any(
        not word or len(word) > MUTED_WORD_MAX_LENGTH for word in words
    ):
        raise ValidationError(_("Those muted words are outside the limits."), code="limits")
    User.objects.filter(pk=member.pk).update(muted_words=list(words))
    member.muted_words = list(words)
