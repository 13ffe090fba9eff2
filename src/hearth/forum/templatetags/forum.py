"""Template helpers for forum pages."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.template import Context
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.accounts.muted_words import MutedWords, muted_words_of
from hearth.core import compact_times, site_address
from hearth.core.text import MAX_SOURCE_BYTES
from hearth.forum.listings import ThreadSummary
from hearth.forum.models import (
    CATEGORY_FOLLOW_LEVEL_HELP,
    FOLLOW_LEVEL_HELP,
    Category,
    FollowLevel,
)
from hearth.forum.rendering import (
    render_category_cards,
    render_posts,
    render_reactions,
    render_thread_rows,
)
from hearth.forum.selectors import PostView

register = template.Library()


@register.simple_tag(takes_context=True)
def post_article(context: Context, view: PostView) -> SafeString:
    """One post, as the thread page renders it (cached fragments and the viewer's bits)."""
    viewer = context.get("viewer")
    return render_posts(
        [view], csrf_token=str(context.get("csrf_token", "")),
        is_moderator=bool(viewer and viewer.is_moderator),
    )  # fmt: skip


@register.simple_tag(takes_context=True)
def post_reactions(context: Context, view: PostView) -> SafeString:
    return render_reactions(view, csrf_token=str(context.get("csrf_token", "")))


@register.simple_tag
def timestamp(moment: datetime) -> SafeString:
    """A compact time for reading ("5 min", "12 Mar"), the exact one for machines, on
    hover, and for screen readers in place of the short text.

    Fragments that show it expire when it would read differently
    (``compact_times.changes_at``, through ``rendering.relative_time_changes_at``).
    """
    full = compact_times.full_time(moment)
    return format_html(
        '<time datetime="{}" title="{}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{}</span></time>',
        moment.isoformat(),
        full,
        compact_times.compact_time(moment, timezone.now()),
        full,
    )


@register.simple_tag
def nearby_pages(page: int, page_count: int) -> range:
    """The page numbers a page's navigation links: up to two on each side of ``page``."""
    return range(max(1, page - 2), min(page_count, page + 2) + 1)


@register.simple_tag
def max_post_bytes() -> int:
    """The most a post may hold, in bytes of UTF-8: the composer counts towards it."""
    return MAX_SOURCE_BYTES


@register.simple_tag(takes_context=True)
def absolute_url(context: Context, path: str) -> str:
    """``path`` as an absolute address: ``SITE_URL`` if set, else the request's own."""
    return site_address.absolute_url(path, context.get("request"))


def _readers_muted_words(context: Context) -> MutedWords | None:
    request = context.get("request")
    user = getattr(request, "user", None)
    return muted_words_of(user) if isinstance(user, User) else None


@register.simple_tag(takes_context=True)
def thread_rows(context: Context, rows: list[ThreadSummary], show_category: bool) -> SafeString:
    return render_thread_rows(
        rows, show_category=show_category, muted_words=_readers_muted_words(context)
    )


@register.simple_tag(takes_context=True)
def category_cards(
    context: Context, categories: list[Category], listed_thread_ids: frozenset[int]
) -> SafeString:
    if not categories:
        return format_html("<li>{}</li>", _("There are no categories yet."))
    return render_category_cards(
        categories, listed_thread_ids, muted_words=_readers_muted_words(context)
    )


@register.simple_tag
def follow_level_choices(is_thread: bool) -> list[tuple[str, str, str]]:
    """(value, label, what it means) for each follow level, for a thread or a category."""
    helps = FOLLOW_LEVEL_HELP if is_thread else CATEGORY_FOLLOW_LEVEL_HELP
    return [(level.value, str(level.label), str(helps[level])) for level in FollowLevel]
