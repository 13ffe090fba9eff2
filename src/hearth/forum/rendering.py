"""A post as HTML, fast: cached viewer-independent fragments plus the viewer's bits.

The part of a post that is the same for every viewer -- the header (avatar,
name, badge, time) and the body with its "last edited" line -- is rendered
from templates once and cached, keyed by everything it shows: the post's
version (bumped by every change to the post), the author's profile version
(name, avatar), the language, the time zone, and the relative times it
prints ("3 days ago"), so a cached fragment is never out of date. What
differs per viewer -- folds for content notes and mutes, hidden and held
markers, reactions pressed, the links a viewer may use -- is put together
here in Python, which is several times faster than template includes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.core.cache import BaseCache, caches
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hearth.forum.models import REACTION_COUNT_FIELDS, Post, ReactionKind
from hearth.forum.selectors import PostView, ThreadRow

# Bump when the fragment templates or this module's markup change.
FRAGMENT_VERSION = 1
FRAGMENT_TIMEOUT_SECONDS = 24 * 3600
REACTION_EMOJI: dict[str, str] = {
    ReactionKind.HUG: "\N{HUGGING FACE}",
    ReactionKind.HEART: "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}",
    ReactionKind.THANKS: "\N{PERSON WITH FOLDED HANDS}",
    ReactionKind.ME_TOO: "\N{RAISED HAND}",
}
_ID = 987654321  # a placeholder id for URL patterns reversed once

FOLD = (
    '<details class="fold"><summary>{} <span class="fold__action">{}</span></summary>{}</details>'
)
NOTE_FOLD = (
    '<details class="fold fold--note"><summary>{} <span class="fold__action">{}</span></summary>'
    "{}</details>"
)


def fragments_cache() -> BaseCache:
    return caches["fragments"]


@cache
def _url_pattern(name: str) -> str | None:
    """The URL for ``name`` with a placeholder id, reversed once per process."""
    try:
        return reverse(name, args=[_ID])
    except NoReverseMatch:
        return None


def url_for(name: str, object_id: int) -> str | None:
    pattern = _url_pattern(name)
    return pattern.replace(str(_ID), str(object_id)) if pattern else None


def fragment_key(view: PostView) -> str:
    """A key naming everything the fragment shows; hashed, as names and times have spaces."""
    post = view.post
    author = view.avatar_owner
    parts = (
        FRAGMENT_VERSION, post.pk, post.version,
        author.pk if author else 0, author.profile_version if author else 0,
        translation.get_language(), timezone.get_current_timezone_name(),
        naturaltime(post.created_at), naturaltime(post.edited_at) if post.edited_at else "",
        view.author_name,
    )  # fmt: skip
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()
    return f"post:{post.pk}:{digest}"


def post_fragments(views: Sequence[PostView]) -> dict[int, tuple[str, str]]:
    """Header and body HTML for each post, from the cache or rendered and cached now."""
    keys = {view.post.pk: fragment_key(view) for view in views}
    store = fragments_cache()
    found = store.get_many(list(keys.values()))
    fragments: dict[int, tuple[str, str]] = {}
    missing: dict[str, tuple[str, str]] = {}
    header_template = get_template("forum/_post_header.html")
    body_template = get_template("forum/_post_body.html")
    _load_html_for_misses([view.post for view in views if keys[view.post.pk] not in found])
    for view in views:
        key = keys[view.post.pk]
        if key in found:
            fragments[view.post.pk] = found[key]
            continue
        context = {"view": view}
        pair = (header_template.render(context), body_template.render(context))
        fragments[view.post.pk] = missing[key] = pair
    if missing:
        store.set_many(missing, timeout=FRAGMENT_TIMEOUT_SECONDS)
    return fragments


def _load_html_for_misses(posts: list[Post]) -> None:
    """Fetch stored HTML only for posts whose fragment must be rendered (one query)."""
    deferred = [post for post in posts if "body_html" in post.get_deferred_fields()]
    if not deferred:
        return
    html = dict(
        Post.objects.filter(pk__in=[post.pk for post in deferred]).values_list("pk", "body_html")
    )
    for post in deferred:
        post.body_html = html.get(post.pk, "")


def render_posts(views: Sequence[PostView], *, csrf_token: str, is_moderator: bool) -> SafeString:
    """The page's posts: cached fragments wrapped in each viewer's bits."""
    fragments = post_fragments(views)
    return mark_safe(  # noqa: S308 - every piece is built by format_html or a template
        "".join(
            render_post(
                view, fragments[view.post.pk], csrf_token=csrf_token, is_moderator=is_moderator
            )
            for view in views
        )
    )


def render_post(
    view: PostView, fragment: tuple[str, str], *, csrf_token: str, is_moderator: bool
) -> SafeString:
    post = view.post
    header, body = (mark_safe(part) for part in fragment)  # noqa: S308 - rendered by templates
    classes = "post" + (" post--original" if post.position == 1 else "")
    classes += (" post--deleted" if post.is_deleted else "") + (
        " post--hidden" if view.is_hidden else ""
    )
    if post.is_deleted:
        inner = format_html(
            '<p class="post__deleted">{}</p>', _("This post was deleted by its author.")
        )
    elif view.is_hidden and not view.shows_hidden_text:
        inner = format_html('<p class="post__deleted">{}</p>', _("A moderator hid this post."))
    else:
        inner = mark_safe(  # noqa: S308 - each part is escaped where it is built
            _flags(view)
            + _folded(view, body)
            + render_reactions(view, csrf_token=csrf_token)
            + _actions(view, is_moderator=is_moderator)
        )
    return format_html(
        '<article class="{}" id="post-{}">{}{}</article>', classes, post.pk, header, inner
    )


def _flags(view: PostView) -> SafeString:
    parts = []
    if view.is_hidden:
        reason = format_html(": {}", view.post.hidden_reason) if view.post.hidden_reason else ""
        who = (
            _("Only you and the moderators can see it.")
            if view.is_own
            else _("Only its author and the moderators can see it.")
        )
        parts.append(
            format_html(
                '<p class="post__flag" role="note"><strong>{}</strong>{}. {}</p>',
                _("Hidden by a moderator"), reason, who,
            )
        )  # fmt: skip
    if view.is_held:
        parts.append(
            format_html(
                '<p class="post__flag" role="note">{}</p>',
                _(
                    "Waiting for a moderator's approval. "
                    "Only its author and the moderators can see it for now."
                ),
            )
        )
    return mark_safe("".join(parts))  # noqa: S308 - built by format_html


def content_note_text(view: PostView) -> str:
    labels = ", ".join(view.note_labels)
    separator = "; " if labels and view.note_text else ""
    return f"{_('Content note:')} {labels}{separator}{view.note_text}"


def _folded(view: PostView, body: SafeString) -> SafeString:
    show = _("show")
    if view.is_from_muted_member:
        return format_html(
            FOLD,
            _("Post from a muted member"), show, body,
        )  # fmt: skip
    if view.is_folded_by_note:
        return format_html(
            NOTE_FOLD,
            content_note_text(view), show, body,
        )  # fmt: skip
    if view.has_content_note:
        return format_html(
            '<p class="content-note-line muted">{}</p>{}', content_note_text(view), body
        )
    return body


@dataclass(frozen=True)
class Words:
    """The fixed words of a post's viewer parts, translated and escaped once per language."""

    reaction_labels: dict[str, str]
    who_reacted: str
    copy_link: str
    to_this_post: str
    quote: str
    edit: str
    delete: str
    report: str
    moderate: str


@cache
def _words(language: str) -> Words:
    with translation.override(language):
        return Words(
            reaction_labels={kind.value: escape(str(kind.label)) for kind in ReactionKind},
            who_reacted=escape(_("Who reacted")),
            copy_link=escape(_("Copy link")),
            to_this_post=escape(_("to this post")),
            quote=escape(_("Quote")),
            edit=escape(_("Edit")),
            delete=escape(_("Delete")),
            report=escape(_("Report or share a concern")),
            moderate=escape(_("Moderate")),
        )


def words() -> Words:
    return _words(translation.get_language() or settings.LANGUAGE_CODE)


def render_reactions(view: PostView, *, csrf_token: str) -> SafeString:
    """The reaction buttons (or counts), the one part of a post htmx replaces on its own.

    Built with f-strings from pre-escaped words: every value below is a
    number, a fixed string, or escaped here.
    """
    post = view.post
    labels = words().reaction_labels
    counts = [(kind.value, getattr(post, field)) for kind, field in REACTION_COUNT_FIELDS.items()]
    if view.can_react:
        url = url_for("forum:react", post.pk)
        buttons = "".join(
            f'<button type="submit" name="kind" value="{kind}" class="reaction" '
            f'aria-pressed="{"true" if kind in view.own_reactions else "false"}">'
            f'<span aria-hidden="true">{REACTION_EMOJI[kind]}</span> {labels[kind]}'
            + (f' <span class="reaction__count">{count}</span>' if count else "")
            + "</button>"
            for kind, count in counts
        )
        inner = (
            f'<form method="post" action="{url}" hx-post="{url}" hx-target="#reactions-{post.pk}" '
            f'hx-swap="outerHTML" class="reactions__form"><input type="hidden" '
            f'name="csrfmiddlewaretoken" value="{escape(csrf_token)}">{buttons}</form>'
        )
    else:
        inner = (
            '<p class="reactions__counts">'
            + "".join(
                f'<span class="reaction reaction--static"><span aria-hidden="true">'
                f'{REACTION_EMOJI[kind]}</span> {labels[kind]} <span class="reaction__count">'
                f"{count}</span></span> "
                for kind, count in counts
                if count
            )
            + "</p>"
        )
    who = ""
    if any(count for _kind, count in counts):
        who = (
            f'<a class="reactions__who" href="{url_for("forum:reactors", post.pk)}">'
            f"{words().who_reacted}</a>"
        )
    return mark_safe(  # noqa: S308 - see the docstring
        f'<div class="reactions" id="reactions-{post.pk}">{inner}{who}</div>'
    )


def _actions(view: PostView, *, is_moderator: bool) -> str:
    """The links under a post this viewer may use (f-strings of URLs and escaped words)."""
    post = view.post
    said = words()
    permalink = url_for("forum:permalink", post.pk)
    items = [
        f'<li><a href="{permalink}" class="copy-link" data-permalink="'
        f'{escape(absolute_prefix())}{permalink}">{said.copy_link}<span class="visually-hidden"> '
        f"{said.to_this_post}</span></a></li>"
    ]
    if view.viewer_is_member:
        links = [(url_for("forum:quote", post.pk), said.quote)]
        if view.can_edit:
            links.append((url_for("forum:edit_post", post.pk), said.edit))
        if view.can_delete:
            links.append((url_for("forum:delete_post", post.pk), said.delete))
        if not view.is_own:
            links.append((url_for("moderation:report_post", post.pk), said.report))
        if is_moderator:
            links.append((url_for("moderation:post", post.pk), said.moderate))
        items.extend(f'<li><a href="{url}">{label}</a></li>' for url, label in links if url)
    return f'<ul class="post__actions">{"".join(items)}</ul>'


def absolute_prefix() -> str:
    return str(settings.SITE_URL)


def _thread_row_key(row: ThreadRow, show_category: bool) -> str:
    thread = row.thread
    category = (thread.category.slug, thread.category.name) if show_category else ("", "")
    parts = (
        FRAGMENT_VERSION, thread.pk, thread.title, thread.author_name, thread.reply_count,
        thread.last_poster_name, thread.last_post_at.isoformat(), naturaltime(thread.last_post_at),
        thread.is_pinned, thread.is_locked, row.is_unread, show_category, *category,
        translation.get_language(), timezone.get_current_timezone_name(),
    )  # fmt: skip
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=16).hexdigest()
    return f"thread-row:{thread.pk}:{digest}"


def render_thread_rows(rows: Sequence[ThreadRow], *, show_category: bool) -> SafeString:
    """The rows of a thread list, each rendered once and cached by everything it shows."""
    keys = [_thread_row_key(row, show_category) for row in rows]
    store = fragments_cache()
    found = store.get_many(keys)
    template = get_template("forum/_thread_row.html")
    missing: dict[str, str] = {}
    html = []
    for key, row in zip(keys, rows, strict=True):
        if key not in found:
            found[key] = missing[key] = template.render(
                {"row": row, "show_category": show_category}
            )
        html.append(found[key])
    if missing:
        store.set_many(missing, timeout=FRAGMENT_TIMEOUT_SECONDS)
    return mark_safe("".join(html))  # noqa: S308 - rendered by the row template
