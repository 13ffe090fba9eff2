"""Search as JSON (mounted at /api/v1/search by ``hearth.api``): the search page's form,
rules and results -- the same visibility, mutes, content-note folds and rate limit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from hearth.core.api_schema import LARGEST_ID, ApiError, Output, responses
from hearth.core.ratelimit import RateLimit, allow
from hearth.forum.models import Category
from hearth.forum.selectors import get_thread_for_viewer_or_404
from hearth.forum.viewer import get_viewer
from hearth.forum.visibility import category_filter
from hearth.search.forms import SearchForm
from hearth.search.selectors import SearchHit, search_posts

router = Router()


class SearchHitOut(Output):
    post_id: int
    thread_id: int
    thread_title: str
    position: int = Field(description="The post's place in its thread (1: the first post).")
    category_name: str
    author_name: str = Field(description="As the thread page names the author (pseudonyms too).")
    created_at: datetime
    excerpt_html: str = Field(
        description="Escaped text with <mark> around the matching words; empty when folded."
    )
    content_note_labels: list[str]
    content_note_text: str
    is_folded_by_note: bool = Field(
        description="Behind a content note the member has not chosen to always show: "
        "the excerpt is left out, as on the page."
    )
    is_held: bool
    is_hidden: bool


class SearchResultsOut(Output):
    hits: list[SearchHitOut]
    next_cursor: str | None = Field(description="Pass as ?after= for the next page.")
    stopped_early: bool = Field(
        description="The page stopped after reading many posts the member may not read; "
        "there may be more after next_cursor."
    )


def _hit_out(hit: SearchHit) -> SearchHitOut:
    return SearchHitOut(
        post_id=hit.post_id,
        thread_id=hit.thread_id,
        thread_title=hit.thread_title,
        position=hit.position,
        category_name=hit.category_name,
        author_name=hit.author_name,
        created_at=hit.created_at,
        excerpt_html=str(hit.excerpt),
        content_note_labels=list(hit.note_labels),
        content_note_text=hit.note_text,
        is_folded_by_note=hit.is_folded_by_note,
        is_held=hit.is_held,
        is_hidden=hit.is_hidden,
    )


class SearchParams(Schema):
    """The search page's fields, as query parameters."""

    q: str = Field(
        default="", max_length=1000, description='Words, "phrases", -left out, author:name.'
    )
    category: str = Field(default="", max_length=100, description="A category's slug.")
    author: str = Field(default="", max_length=150)
    date_from: date | None = None
    date_to: date | None = None
    mine: bool = False
    following: bool = False
    sort: Literal["relevance", "newest"] = "relevance"
    thread: int | None = Field(default=None, ge=1, le=LARGEST_ID)
    after: str = Field(default="", max_length=64, description="A page's next_cursor.")

    def as_form_data(self) -> dict[str, str]:
        return {
            "q": self.q, "category": self.category, "author": self.author, "sort": self.sort,
            "after": self.after, "thread": str(self.thread) if self.thread else "",
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            **({"mine": "on"} if self.mine else {}),
            **({"following": "on"} if self.following else {}),
        }  # fmt: skip


@router.get("", response=responses({200: SearchResultsOut}), url_name="search")
def search(request: HttpRequest, params: Query[SearchParams]) -> SearchResultsOut:
    """Posts the member may read that match, a page at a time (members only, like the page)."""
    viewer = get_viewer(request)
    categories = list(Category.objects.filter(category_filter(viewer)))
    form = SearchForm(params.as_form_data(), categories=categories)
    if not form.is_valid():
        fields = {
            name: [str(message) for message in errors] for name, errors in form.errors.items()
        }
        message = " ".join(message for messages in fields.values() for message in messages)
        raise ApiError(422, "validation_failed", message, fields=fields)
    found_thread = get_thread_for_viewer_or_404(viewer, params.thread) if params.thread else None
    query = form.search_query(thread=found_thread)
    if query.is_empty:
        return SearchResultsOut(hits=[], next_cursor=None, stopped_early=False)
    if not allow("search", viewer.member_id, RateLimit.parse(settings.HEARTH_SEARCH_RATE_LIMIT)):
        raise ApiError(
            429, "rate_limited", _("You have searched a lot in a short time. Please wait a minute.")
        )
    results = search_posts(viewer, query)
    return SearchResultsOut(
        hits=[_hit_out(hit) for hit in results.hits],
        next_cursor=results.next_cursor.encode() if results.next_cursor else None,
        stopped_early=results.stopped_early,
    )
