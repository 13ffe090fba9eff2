"""Atom feeds of new threads, for the categories an operator opened to public reading.

A feed URL is copied into feed readers and services that fetch it without anyone
signed in, and keep what they fetched, so a feed is always read as a visitor
reads the site, whoever asks: the category and its threads come through the
visibility policy's list form for the anonymous viewer, and a category only
members or moderators may read has no feed at all (404, for everyone, signed in
or not). Each entry is a thread's opening post as a visitor's page shows it
(``selectors.get_post_views_for_visitor``): the name shown (an anonymous post's
pseudonym, never the account), and for a post behind a content note only the
note and a link, never the text, as the page folds it for a visitor.

The feed is built in the site's language and carries nothing of the member who
fetched it, so every reader gets the same bytes (links name ``SITE_URL``, or, when the
operator left it unset, the address the feed was fetched at). They are not cached here: the
key would have to name every entry's version, its thread's state and its
author's name, and finding those is the same query as building the feed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.xmlutils import SimplerXMLGenerator
from django.views.decorators.http import require_safe

from hearth.core.site_address import absolute_url
from hearth.forum import listings, selectors, visibility
from hearth.forum.models import Category, Post
from hearth.forum.rendering import content_note_text
from hearth.forum.selectors import PostView
from hearth.forum.viewer import ANONYMOUS

ENTRIES_PER_FEED = 30
# Feed readers poll; a few minutes spares the server without keeping a hidden post
# in a reader's copy for long. (A signed-in member's responses are never stored.)
VISITOR_CACHE_CONTROL = "public, max-age=300"
MEMBER_CACHE_CONTROL = "private, no-store"

# What an entry needs of its opening post, thread, category and author: the
# account's other columns (email, password) never leave the database.
_ENTRY_FIELDS = (
    *("id", "position", "author", "author_name", "created_at", "revision", "edited_at"),
    *("edited_by_name", "is_deleted", "is_anonymous", "is_hidden", "hidden_reason", "is_held"),
    *("content_note_text", "note_label_ids", "version", "hug_count", "heart_count"),
    *("thanks_count", "me_too_count", "body_html", "thread"),
    *("author__username", "author__display_name", "author__is_active"),
    "author__profile_version",
)


@dataclass(frozen=True)
class FeedEntry:
    title: str
    link: str
    author_name: str
    content_html: str
    published: datetime
    updated: datetime
    category_name: str


@dataclass(frozen=True)
class FeedContent:
    title: str
    subtitle: str
    link: str
    feed_url: str
    entries: tuple[FeedEntry, ...]


def category_feed_url(category: Category) -> str | None:
    """The category's feed address, or None when a visitor may not read the category
    (then it has no feed)."""
    if not visibility.can_see_category(ANONYMOUS, category):
        return None
    return reverse("forum:category_feed", kwargs={"slug": category.slug})


# The newest threads looked at for a feed's entries: more than it shows, for the few
# whose opening post a visitor may not read (held, hidden or deleted).
CANDIDATE_THREADS = ENTRIES_PER_FEED * 3


def _newest_opening_posts(category: Category | None) -> list[Post]:
    """The opening posts of the newest threads a visitor may read (in one category, or
    in every public one): two queries, the newest threads' ids first, walking an index
    from the top whatever the forum's size (``listings.newest_thread_ids``). Held threads
    and held, hidden or deleted opening posts are left out by the policy's list form."""
    candidates = listings.newest_thread_ids(
        ANONYMOUS, category_id=category.pk if category else None, limit=CANDIDATE_THREADS
    )
    posts = (
        visibility.readable_posts(ANONYMOUS)
        .filter(position=1, thread_id__in=candidates)
        .select_related("thread__category", "author")
        .only(*_ENTRY_FIELDS)
        .order_by("-thread__created_at", "-thread_id")
    )
    return list(posts[:ENTRIES_PER_FEED])


def _content_html(view: PostView, link: str) -> str:
    if view.is_folded_by_note:
        return format_html(
            '<p>{}</p><p><a href="{}">{}</a></p>',
            content_note_text(view),
            link,
            _("Read it on the site"),
        )
    return view.post.body_html or ""  # stored sanitised at save time


def _entries(posts: list[Post], request: HttpRequest | None) -> tuple[FeedEntry, ...]:
    entries = []
    for post, view in zip(posts, selectors.get_post_views_for_visitor(posts), strict=True):
        thread = post.thread
        link = absolute_url(thread.get_absolute_url(), request)
        entries.append(
            FeedEntry(
                title=thread.title,
                link=link,
                author_name=view.author_name,
                content_html=_content_html(view, link),
                published=post.created_at,
                updated=post.edited_at or post.created_at,
                category_name=thread.category.name,
            )
        )
    return tuple(entries)


def category_feed_content(slug: str, request: HttpRequest | None = None) -> FeedContent:
    """A public category's feed; Http404 for any other category and for none. Its links
    are absolute to ``SITE_URL``, or without it to the address ``request`` came to."""
    category = selectors.visible_categories(ANONYMOUS).filter(slug=slug).first()
    if category is None:
        raise Http404
    site = settings.HEARTH_SITE_NAME
    return FeedContent(
        title=f"{category.name} · {site}",
        subtitle=category.description
        or _("New threads in %(category)s") % {"category": category.name},
        link=absolute_url(category.get_absolute_url(), request),
        feed_url=absolute_url(
            reverse("forum:category_feed", kwargs={"slug": category.slug}), request
        ),
        entries=_entries(_newest_opening_posts(category), request),
    )


def site_feed_content(request: HttpRequest | None = None) -> FeedContent:
    """The new threads of every public category; Http404 when there is none. Links as in
    ``category_feed_content``."""
    if not selectors.visible_categories(ANONYMOUS).exists():
        raise Http404
    site = settings.HEARTH_SITE_NAME
    return FeedContent(
        title=_("New threads · %(site)s") % {"site": site},
        subtitle=_("New threads in the categories of %(site)s that anyone may read")
        % {"site": site},
        link=absolute_url(reverse("home"), request),
        feed_url=absolute_url(reverse("forum:feed"), request),
        entries=_entries(_newest_opening_posts(None), request),
    )


class _AtomWithContent(Atom1Feed):
    """Atom with each post's HTML as the entry's ``content``: Django's Atom writes the
    description as ``summary``, which readers may shorten or show as an excerpt."""

    def add_item_elements(self, handler: SimplerXMLGenerator, item: dict[str, Any]) -> None:
        super().add_item_elements(handler, {**item, "description": None})
        handler.addQuickElement("content", item["description"], {"type": "html"})


class _ThreadsFeed(Feed[FeedEntry, FeedContent]):
    feed_type = _AtomWithContent

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The site's language for every reader: the bytes never depend on who fetched them.
        with translation.override(settings.LANGUAGE_CODE):
            response = super().__call__(request, *args, **kwargs)
        response.headers["Content-Language"] = settings.LANGUAGE_CODE
        # Being a member is private: on a shared computer nothing a signed-in member
        # fetched stays in the browser's cache (core.middleware.PrivacyHeadersMiddleware).
        signed_in = request.user.is_authenticated
        response.headers["Cache-Control"] = (
            MEMBER_CACHE_CONTROL if signed_in else VISITOR_CACHE_CONTROL
        )
        return response

    def title(self, obj: FeedContent) -> str:
        return obj.title

    def subtitle(self, obj: FeedContent) -> str:
        return obj.subtitle

    def link(self, obj: FeedContent) -> str:
        return obj.link

    def feed_url(self, obj: FeedContent) -> str:
        return obj.feed_url

    def items(self, obj: FeedContent) -> tuple[FeedEntry, ...]:
        return obj.entries

    def item_title(self, item: FeedEntry) -> str:
        return item.title  # Atom's title is text: the XML writer escapes it once

    def item_description(self, item: FeedEntry) -> str:
        return item.content_html  # written as ``content``, see _AtomWithContent

    def item_link(self, item: FeedEntry) -> str:
        return item.link

    def item_author_name(self, item: FeedEntry) -> str:
        return item.author_name

    def item_pubdate(self, item: FeedEntry) -> datetime:
        return item.published

    def item_updateddate(self, item: FeedEntry) -> datetime:
        return item.updated

    def item_categories(self, item: FeedEntry) -> tuple[str, ...]:
        return (item.category_name,)


class CategoryFeed(_ThreadsFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedContent:
        return category_feed_content(kwargs["slug"], request)


class SiteFeed(_ThreadsFeed):
    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedContent:
        return site_feed_content(request)


# Visitors may fetch feeds (the sign-in-required middleware lets them through, as it
# does the category page); what they hold is decided above, for a visitor, whoever asks.
category_feed = login_not_required(require_safe(CategoryFeed()))
site_feed = login_not_required(require_safe(SiteFeed()))
