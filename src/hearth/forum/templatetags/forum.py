"""Template helpers for forum pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

from hearth.forum.models import REACTION_COUNT_FIELDS, Post, ReactionKind

register = template.Library()

REACTION_EMOJI = {
    ReactionKind.HUG: "\N{HUGGING FACE}",
    ReactionKind.HEART: "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}",
    ReactionKind.THANKS: "\N{PERSON WITH FOLDED HANDS}",
    ReactionKind.ME_TOO: "\N{RAISED HAND}",
}


@dataclass(frozen=True)
class ReactionButton:
    kind: str
    label: str
    emoji: str
    count: int
    is_pressed: bool


@register.simple_tag
def reaction_buttons(post: Post, own_kinds: frozenset[str] | None) -> list[ReactionButton]:
    own = own_kinds or frozenset()
    return [
        ReactionButton(
            kind=kind.value,
            label=str(kind.label),
            emoji=REACTION_EMOJI[kind],
            count=getattr(post, REACTION_COUNT_FIELDS[kind]),
            is_pressed=kind.value in own,
        )
        for kind in ReactionKind
    ]


@register.simple_tag
def timestamp(moment: datetime) -> SafeString:
    """A relative time for reading, the exact time for machines and on hover."""
    local = timezone.localtime(moment)
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        date_format(local, "DATETIME_FORMAT"),
        naturaltime(moment),
    )


@register.simple_tag
def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"
