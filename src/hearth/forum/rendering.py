"""A post as HTML, fast: cached viewer-independent fragments plus the viewer's bits.

The part of a post that is the same for every viewer -- the header (avatar,
name, badge, time) and the body with its "last edited" line -- is rendered
from templates once and cached, keyed by everything it shows: the post's
version (bumped by every change to the post), the author's profile version
(name, avatar), the language and the time zone. The relative times it prints
("3 days ago") are not in the key: the fragment expires when one of them
would read differently. So a cached fragment is never out of date.

What differs per viewer -- folds for content notes and mutes, hidden and held
markers, reactions pressed, the links a viewer may use -- is put together
here in Python, and the whole post as one kind of viewer sees it is kept
with the fragment: most readers of a post see it the same way, and they
share that work. The CSRF token is the one per-request value in it, written
as a slot and filled in once per page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.forum.listings import ThreadSummary
from hearth.forum.models import REACTION_COUNT_FIELDS, Category, Post, ReactionKind
from hearth.forum.post_rows import PostRow
from hearth.forum.selectors import PostView

# Bump when the fragment templates or this module's markup change.
FRAGMENT_VERSION = 2
FRAGMENT_TIMEOUT_SECONDS = 24 * 3600
REACTION_EMOJI: dict[str, str] = {
    ReactionKind.HUG: "\N{HUGGING FACE}",
    ReactionKind.HEART: "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}",
    ReactionKind.THANKS: "\N{PERSON WITH FOLDED HANDS}",
    ReactionKind.ME_TOO: "\N{RAISED HAND}",
}
_ID = 987654321  # a placeholder id for URL patterns reversed once
# Where the request's CSRF token goes in shared HTML. NUL never reaches a page
# otherwise: forms refuse it and Markdown replaces it.
CSRF_SLOT = "\x00csrf\x00"

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


def fragment_key(view: PostView, reader: str) -> str:
    """A key naming every version the fragment shows (not its relative times: see below);
    ``reader`` is ``reader_key()``, the same for every post of a page."""
    post = view.post
    return (
        f"post:{FRAGMENT_VERSION}:{post.pk}:{post.version}:{post.author_id or 0}:"
        f"{post.author_profile_version or 0}:{int(view.shows_identity)}:{reader}"
    )


def reader_key() -> str:
    """The reader's language and time zone: every fragment shows text and times."""
    return f"{translation.get_language()}:{timezone.get_current_timezone_name()}"


def relative_time_changes_at(moment: datetime, now: datetime) -> float:
    """When ``naturaltime(moment)`` may next read differently, as a Unix time (never late,
    sometimes early: an early answer only costs one more rendering).

    Under a day old it counts whole seconds, minutes or hours of ``now - moment``,
    so it changes on a whole second (or minute) after ``moment``. Older, it names
    two units of which the smaller is at most an hour ("3 days, 4 hours ago"),
    counted from ``moment`` without its fraction of a second -- except that a
    month is counted by the calendar, and when ``moment``'s day is missing from
    a month (the 31st, a 29th of February) the month turns at midnight instead.
    """
    age = (now - moment).total_seconds()
    if age < 0:  # a clock ahead of ours: "in 2 seconds" changes every second
        return now.timestamp() + 1
    if age < 24 * 3600:
        step = 1 if age < 60 else 60
        return moment.timestamp() + (age // step + 1) * step
    whole = moment.replace(microsecond=0)
    next_hour = whole.timestamp() + ((now - whole).total_seconds() // 3600 + 1) * 3600
    next_midnight = datetime.combine(
        now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo
    ).timestamp()
    return min(next_hour, next_midnight)


@dataclass(frozen=True)
class PostFragment:
    """A post's header and body HTML, the same for every viewer until ``expires_at``.

    ``articles`` collects the whole post as a viewer sees it, for each
    combination of viewer-specific facts met so far (see ``_viewer_facts``):
    most readers of a post see it the same way, so it is assembled once.
    It only grows, and dies with the fragment.
    """

    header: str
    body: str
    expires_at: float
    articles: dict[str, str] = field(default_factory=dict)


MAX_ARTICLES_PER_FRAGMENT = 32


def post_fragments(views: Sequence[PostView]) -> dict[int, PostFragment]:
    """Header and body HTML for each post, from the cache or rendered and cached now."""
    reader = reader_key()
    keys = {view.post.pk: fragment_key(view, reader) for view in views}
    store = fragments_cache()
    found = store.get_many(list(keys.values()))
    now = timezone.now()
    moment = now.timestamp()
    fragments: dict[int, PostFragment] = {}
    stale = [view for view in views if _usable(found.get(keys[view.post.pk]), moment) is None]
    if stale:
        avatars = _load_for_rendering([view.post for view in stale])
        header_template = get_template("forum/_post_header.html")
        body_template = get_template("forum/_post_body.html")
        fresh: dict[str, PostFragment] = {}
        for view in stale:
            post = view.post
            owner = avatars.get(post.pk) if view.shows_identity else None
            context = {"view": view, "avatar_owner": owner}
            expires_at = relative_time_changes_at(post.created_at, now)
            if post.edited_at:
                expires_at = min(expires_at, relative_time_changes_at(post.edited_at, now))
            fresh[keys[post.pk]] = PostFragment(
                header_template.render(context), body_template.render(context), expires_at
            )
        store.set_many(fresh, timeout=FRAGMENT_TIMEOUT_SECONDS)
        found.update(fresh)
    for view in views:
        fragments[view.post.pk] = found[keys[view.post.pk]]
    return fragments


def _usable(fragment: PostFragment | None, moment: float) -> PostFragment | None:
    return fragment if fragment is not None and fragment.expires_at > moment else None


def _load_for_rendering(posts: list[PostRow]) -> dict[int, User | None]:
    """Fetch the stored HTML and the avatar owner of posts whose fragment must be
    rendered (one query); answers each post's avatar owner."""
    rows = (
        Post.objects.filter(pk__in=[post.pk for post in posts])
        .select_related("author")
        .only("body_html", "author__avatar", "author__username", "author__display_name")
    )
    loaded = {row.pk: row for row in rows}
    owners: dict[int, User | None] = {}
    for post in posts:
        row = loaded.get(post.pk)
        if post.body_html is None:
            post.body_html = row.body_html if row else ""
        owners[post.pk] = row.author if row else None
    return owners


def render_posts(views: Sequence[PostView], *, csrf_token: str, is_moderator: bool) -> SafeString:
    """The page's posts: each assembled once per kind of viewer, then shared."""
    fragments = post_fragments(views)
    pieces = []
    for view in views:
        fragment = fragments[view.post.pk]
        facts = _viewer_facts(view, is_moderator=is_moderator)
        article = fragment.articles.get(facts)
        if article is None:
            article = render_post(view, fragment, csrf_token=CSRF_SLOT, is_moderator=is_moderator)
            if len(fragment.articles) < MAX_ARTICLES_PER_FRAGMENT:
                fragment.articles[facts] = article
        pieces.append(article)
    return mark_safe(  # noqa: S308 - built by render_post; the token is escaped
        "".join(pieces).replace(CSRF_SLOT, escape(csrf_token))
    )


def _viewer_facts(view: PostView, *, is_moderator: bool) -> str:
    """Everything ``render_post`` reads that is not in the post's fragment key."""
    flags = (
        view.is_folded_by_note, view.is_from_muted_member, view.is_hidden, view.shows_hidden_text,
        view.is_held, view.is_own, view.viewer_is_member, view.can_edit, view.can_delete,
        view.can_react, is_moderator,
    )  # fmt: skip
    return "".join("1" if flag else "0" for flag in flags) + "\x1f".join(
        ("", ",".join(sorted(view.own_reactions)), *view.note_labels, view.note_text)
    )


def render_post(
    view: PostView, fragment: PostFragment, *, csrf_token: str, is_moderator: bool
) -> SafeString:
    post = view.post
    header, body = mark_safe(fragment.header), mark_safe(fragment.body)  # noqa: S308 - templates
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


def _list_item_key(kind: str, item_id: int, parts: Sequence[object]) -> str:
    """A key naming everything a list item shows but its relative time (it expires instead)."""
    text = "\x1f".join(map(str, (FRAGMENT_VERSION, *parts)))
    return f"{kind}:{item_id}:{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"


def _render_list_items(
    template_name: str, items: Sequence[tuple[str, datetime | None, dict[str, object]]]
) -> SafeString:
    """List items (key, the moment its relative time counts from, template context), each
    rendered once and kept until what it shows changes (its key) or its relative time
    would read differently (its expiry)."""
    store = fragments_cache()
    found = store.get_many([key for key, _moment, _context in items])
    now = timezone.now()
    moment = now.timestamp()
    template = get_template(template_name)
    fresh: dict[str, tuple[str, float]] = {}
    html = []
    for key, counted_from, context in items:
        entry = found.get(key)
        if entry is None or entry[1] <= moment:
            expires_at = (
                relative_time_changes_at(counted_from, now) if counted_from else float("inf")
            )
            entry = fresh[key] = (template.render(context), expires_at)
        html.append(entry[0])
    if fresh:
        store.set_many(fresh, timeout=FRAGMENT_TIMEOUT_SECONDS)
    return mark_safe("".join(html))  # noqa: S308 - rendered by the item template


def render_thread_rows(rows: Sequence[ThreadSummary], *, show_category: bool) -> SafeString:
    """The rows of a thread list."""
    reader = reader_key()
    items = []
    for row in rows:
        shown = (
            row.title, row.author_name, row.reply_count, row.last_poster_name,
            row.last_post_at.isoformat(), row.is_pinned, row.is_locked, row.is_unread,
            show_category, row.category_slug if show_category else "",
            row.category_name if show_category else "", reader,
        )  # fmt: skip
        context = {"row": row, "show_category": show_category}
        items.append((_list_item_key("thread-row", row.pk, shown), row.last_post_at, context))
    return _render_list_items("forum/_thread_row.html", items)


def render_category_cards(
    categories: Sequence[Category], listed_thread_ids: frozenset[int]
) -> SafeString:
    """The home page's category cards; each names its latest thread only if the reader
    would see that thread in a list."""
    reader = reader_key()
    items = []
    for category in categories:
        names_thread = category.last_thread_id in listed_thread_ids
        shown = (
            category.name, category.slug, category.description, category.thread_count,
            category.last_post_at.isoformat() if category.last_post_at else "",
            category.last_thread_id if names_thread else "",
            category.last_thread_title if names_thread else "", reader,
        )  # fmt: skip
        context = {"category": category, "names_thread": names_thread}
        key = _list_item_key("category-card", category.pk, shown)
        items.append((key, category.last_post_at, context))
    return _render_list_items("forum/_category_card.html", items)
