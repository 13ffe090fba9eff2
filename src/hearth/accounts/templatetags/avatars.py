"""``{% member_avatar member 44 %}`` and ``{% pseudonym_avatar thread_id name 44 %}``:
generated faces (``hearth.accounts.generated_avatars``)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from hearth.accounts import generated_avatars
from hearth.accounts.models import User

register = template.Library()


@register.simple_tag
def member_avatar(member: User, size: int) -> SafeString:
    """The member's generated avatar: for members without a photo."""
    return generated_avatars.member_avatar(member.pk, member.display_name, int(size))


@register.simple_tag
def pseudonym_avatar(thread_id: int, pseudonym: str, size: int) -> SafeString:
    """An anonymous post's face, from its thread and pseudonym alone (never its author)."""
    return generated_avatars.pseudonym_avatar(int(thread_id), pseudonym, int(size))
