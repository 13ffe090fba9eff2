"""A post as HTML, fast: cached viewer-independent fragments plus the viewer's bits.

The part of a post that is the same for every viewer -- the header (avatar,
name, badge, time) and the body with its "last edited" line -- is rendered
from templates once and cached, keyed by everything it shows: the post's
version (bumped by every change to the post), the author's profile version
(name, avatar), the language and the time zone. The compact times it prints
("5 min", "3 h", "12 Mar") are not in the key: the fragment expires when one of
them would read differently. So a cached fragment is never out of date.

What differs per viewer -- folds for content notes and mutes, hidden and held
markers, reactions pressed, saved or not, the links a viewer may use -- is the template
``forum/_post_article.html``; the whole post as one kind of viewer sees it is
cached too, under the fragment's key plus those facts (``article_key``): most
readers of a post see it the same way, and they share that work. The CSRF
token is the one per-request value in it, written as a slot and filled in
once per page. Reactions change the counts in the article's key, not the
post's version, so a hug never throws the rendered body away.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import BaseCache, caches
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.accounts.muted_words import MutedWords
from hearth.core import compact_times
from hearth.core.site_address import configured_origin
from hearth.forum.listings import ThreadSummary
from hearth.forum.models import REACTION_COUNT_FIELDS, Category, Post, ReactionKind
from hearth.forum.post_rows import PostRow
from hearth.forum.selectors import PostView

# Bump when the fragment templates or this module's markup change.
FRAGMENT_VERSION = 9
FRAGMENT_TIMEOUT_SECONDS = 24 * 3600
# Each reaction's icon (``{% icon %}``): drawn, so no reader depends on an emoji font.
REACTION_ICONS: dict[str, str] = {
    ReactionKind.HUG: "hand-heart",
    ReactionKind.HEART: "heart",
    ReactionKind.THANKS: "hands-folded",
    ReactionKind.ME_TOO: "hand",
}
# Where the request's CSRF token goes in shared HTML. NUL never reaches a page
# otherwise: forms refuse it and Markdown replaces it.
CSRF_SLOT = "\x00csrf\x00"


def fragments_cache() -> BaseCache:
    return caches["fragments"]


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
    """When the ``timestamp`` tag's text for ``moment`` may next read differently, as a
    Unix time (never late): on a whole minute, hour or day after ``moment`` while it
    counts them ("5 min", "3 h", "4 d"), then when the year turns and a date ("12 Mar")
    starts to need its year; ``math.inf`` for a date that already shows it. (A moment
    ahead of us: see ``compact_times.changes_at``.)
    """
    return compact_times.changes_at(moment, now)


@dataclass(frozen=True, slots=True)
class PostFragment:
    """A post's header and body HTML, the same for every viewer until ``expires_at``.

    Immutable, like everything in the fragment cache: a cached value is shared
    by every request the process serves.
    """

    header: str
    body: str
    expires_at: float


@dataclass(frozen=True, slots=True)
class Article:
    """A whole post as one kind of viewer sees it (``_article_facts``), until ``expires_at``."""

    html: str
    expires_at: float


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


def _usable[T: (PostFragment, Article)](found: T | None, moment: float) -> T | None:
    return found if found is not None and found.expires_at > moment else None


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
    """The page's posts: each assembled once per kind of viewer and kept, then shared.

    The assembled article's key names the post's fragment key and every fact
    of the viewer's that the article template reads, so most pages are put
    together from the cache without rendering anything.
    """
    reader = reader_key()
    keys = {view.post.pk: article_key(view, reader, is_moderator=is_moderator) for view in views}
    store = fragments_cache()
    found: dict[str, Article] = store.get_many(list(keys.values()))
    moment = timezone.now().timestamp()
    missing = [view for view in views if _usable(found.get(keys[view.post.pk]), moment) is None]
    if missing:
        fragments = post_fragments(missing)
        fresh = {
            keys[view.post.pk]: Article(
                render_article(view, fragments[view.post.pk], is_moderator=is_moderator),
                fragments[view.post.pk].expires_at,
            )
            for view in missing
        }
        store.set_many(fresh, timeout=FRAGMENT_TIMEOUT_SECONDS)
        found.update(fresh)
    html = "".join(found[keys[view.post.pk]].html for view in views)
    return mark_safe(html.replace(CSRF_SLOT, escape(csrf_token)))  # noqa: S308 - templates


def article_key(view: PostView, reader: str, *, is_moderator: bool) -> str:
    """The fragment's key, plus every viewer fact the article shows (``_article_facts``)."""
    facts = _article_facts(view, is_moderator=is_moderator)
    digest = hashlib.blake2b(facts.encode(), digest_size=12).hexdigest()
    return f"article:{fragment_key(view, reader)}:{digest}"


def _article_facts(view: PostView, *, is_moderator: bool) -> str:
    """Everything ``_post_article.html`` reads that is not in the post's fragment key:
    the viewer's facts, and the reaction counts (a reaction does not bump the post's
    version, so the body's fragment outlives it)."""
    post = view.post
    flags = (
        view.is_folded_by_note, view.is_from_muted_member, view.is_hidden, view.shows_hidden_text,
        view.is_held, view.is_own, view.viewer_is_member, view.can_edit, view.can_delete,
        view.can_react, is_moderator, view.is_saved, view.is_folded_by_word,
    )  # fmt: skip
    counts = (post.hug_count, post.heart_count, post.thanks_count, post.me_too_count)
    return "".join("1" if flag else "0" for flag in flags) + "\x1f".join(
        (
            "",
            ",".join(map(str, counts)),
            ",".join(sorted(view.own_reactions)),
            *view.note_labels,
            view.note_text,
            absolute_prefix(),
        )
    )


def _article_context(view: PostView, *, csrf_token: str, is_moderator: bool) -> dict[str, object]:
    counts = [
        (kind.value, getattr(view.post, field)) for kind, field in REACTION_COUNT_FIELDS.items()
    ]
    labels = dict(ReactionKind.choices)
    return {
        "view": view,
        "csrf_token": csrf_token,
        "is_moderator": is_moderator,
        "site_url": absolute_prefix(),
        "note_line": content_note_text(view) if view.has_content_note else "",
        "has_reactions": any(count for _kind, count in counts),
        "has_more_menu": _has_more_menu(view, is_moderator=is_moderator),
        "reactions": [
            {
                "kind": kind,
                "label": labels[kind],
                "icon": REACTION_ICONS[kind],
                "count": count,
                "pressed": kind in view.own_reactions,
            }
            for kind, count in counts
        ],
    }


def _has_more_menu(view: PostView, *, is_moderator: bool) -> bool:
    """Whether the post's "More" menu has an item for this viewer: the article template
    lists the same ones (all facts in the article's key)."""
    if view.post.edited_at:  # its history, for everyone who may read it
        return True
    if not view.viewer_is_member:
        return False
    return (
        is_moderator
        or not view.is_own  # Report, perhaps Message
        or view.can_edit
        or view.can_delete
        or _url_exists("between_sessions:session_note_excerpt")
    )


def _url_exists(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


def render_article(view: PostView, fragment: PostFragment, *, is_moderator: bool) -> str:
    """The whole post for one kind of viewer, from the article template (the CSRF token
    left as a slot)."""
    context = _article_context(view, csrf_token=CSRF_SLOT, is_moderator=is_moderator)
    context["header"] = mark_safe(fragment.header)  # noqa: S308 - rendered from templates
    context["body"] = mark_safe(fragment.body)  # noqa: S308 - rendered from templates
    return get_template("forum/_post_article.html#article").render(context)


def render_reactions(view: PostView, *, csrf_token: str) -> SafeString:
    """The reaction buttons (or counts): the part of a post htmx replaces on its own."""
    context = _article_context(view, csrf_token=csrf_token, is_moderator=False)
    return mark_safe(  # noqa: S308 - rendered from the template
        get_template("forum/_post_article.html#reactions").render(context)
    )


def content_note_text(view: PostView) -> str:
    labels = ", ".join(view.note_labels)
    separator = "; " if labels and view.note_text else ""
    return f"{_('Content note:')} {labels}{separator}{view.note_text}"


def absolute_prefix() -> str:
    """What "Copy link" puts before a post's path: ``SITE_URL`` when the operator set it;
    otherwise nothing, and forum.js copies the link as the browser completes it, with the
    page's own address (articles are shared between requests, and visitors' whole pages
    between hosts, so the request's address cannot be written into them)."""
    return configured_origin()


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


def render_thread_rows(
    rows: Sequence[ThreadSummary], *, show_category: bool, muted_words: MutedWords | None = None
) -> SafeString:
    """The rows of a thread list; a title with one of the reader's ``muted_words`` is
    folded (decided here for each reader, and part of the row's key)."""
    reader = reader_key()
    items = []
    for row in rows:
        title_is_muted = muted_words is not None and muted_words.found_in(row.title)
        shown = (
            row.title, row.author_name, row.reply_count, row.last_poster_name,
            row.last_post_at.isoformat(), row.is_pinned, row.is_locked, row.is_unread,
            show_category, row.category_slug if show_category else "",
            row.category_name if show_category else "", reader, title_is_muted,
        )  # fmt: skip
        context = {"row": row, "show_category": show_category, "title_is_muted": title_is_muted}
        items.append((_list_item_key("thread-row", row.pk, shown), row.last_post_at, context))
    return _render_list_items("forum/_thread_row.html", items)


def render_category_cards(
    categories: Sequence[Category],
    listed_thread_ids: frozenset[int],
    muted_words: MutedWords | None = None,
) -> SafeString:
    """The home page's category cards; each names its latest thread only if the reader
    would see that thread in a list, and folds its title if it has one of the reader's
    ``muted_words``."""
    reader = reader_key()
    items = []
    for category in categories:
        names_thread = category.last_thread_id in listed_thread_ids
        title_is_muted = (
            names_thread
            and muted_words is not None
            and muted_words.found_in(category.last_thread_title)
        )
        shown = (
            category.name, category.slug, category.description, category.thread_count,
            category.last_post_at.isoformat() if category.last_post_at else "",
            category.last_thread_id if names_thread else "",
            category.last_thread_title if names_thread else "", reader, title_is_muted,
        )  # fmt: skip
        context = {
            "category": category,
            "names_thread": names_thread,
            "title_is_muted": title_is_muted,
        }
        key = _list_item_key("category-card", category.pk, shown)
        items.append((key, category.last_post_at, context))
    return _render_list_items("forum/_category_card.html", items)
