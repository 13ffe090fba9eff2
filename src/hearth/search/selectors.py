"""A search, read for one member: candidates from the index, checked against the
visibility policy, a page at a time.

The index finds candidates; the visibility policy's list form
(``forum.visibility.post_filter``) decides which of them the searcher may read,
so a hidden, held or deleted post, or one in a category they cannot read, never
appears -- not in the results, not in a count (none is shown). Posts of members
they muted are left out (anonymous posts never are: leaving them out would say
who wrote them). A post behind a content note shows the note instead of an
excerpt unless the searcher chose to always show each of its labels.

Pages are keyset pages: the cursor is the last shown result's score and id.
Since candidates the searcher may not read are skipped, one page may read
several batches; it stops after ``MAX_CANDIDATES_PER_PAGE`` and offers to search
on from there rather than scan without end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from hearth.accounts.selectors import muted_member_ids
from hearth.core.text.search_terms import SearchTerms
from hearth.forum.models import Category, Post, Thread
from hearth.forum.selectors import ViewerContext, content_note_fold, get_viewer_context
from hearth.forum.viewer import Viewer
from hearth.forum.visibility import category_filter, post_filter
from hearth.search.backends import MARK_END, MARK_START, Candidate, Cursor, Scope, current_backend
from hearth.search.backends.scope_sql import newest_entries
from hearth.search.models import SearchEntry

PAGE_SIZE = 20
CANDIDATE_BATCH = 60
MAX_CANDIDATES_PER_PAGE = 1200
EXCERPT_WORDS = 40


@dataclass(frozen=True)
class SearchQuery:
    """What to look for and where: the words, the filters, the order and the page."""

    terms: SearchTerms
    category: Category | None = None
    thread: Thread | None = None
    author_ids: tuple[int, ...] = ()
    mine: bool = False
    following: bool = False
    created_from: datetime | None = None
    created_before: datetime | None = None
    by_relevance: bool = True
    after: Cursor | None = None

    @property
    def is_empty(self) -> bool:
        """Nothing to search by: no words and no filter (the page shows only the form)."""
        return not (
            self.terms.has_text
            or self.category
            or self.thread
            or self.author_ids
            or self.mine
            or self.following
            or self.created_from
            or self.created_before
        )


@dataclass(frozen=True)
class SearchHit:
    post_id: int
    position: int
    thread_id: int
    thread_title: str
    category_name: str
    author_name: str
    created_at: datetime
    excerpt: SafeString  # escaped text with <mark>ed matches ("" when folded)
    note_labels: tuple[str, ...]
    note_text: str
    is_folded_by_note: bool
    is_held: bool
    is_hidden: bool
    is_own: bool = False  # the searcher wrote it (never folded for a muted word)


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit] = field(default_factory=list)
    next_cursor: Cursor | None = None
    # The page stopped after reading many candidates the searcher may not read: the
    # next page searches on from there.
    stopped_early: bool = False


def search_posts(viewer: Viewer, query: SearchQuery) -> SearchResults:
    scope = _scope(viewer, query)
    if scope is None or viewer.is_paused:
        return SearchResults()
    backend = current_backend()
    muted = muted_member_ids(viewer.member) if viewer.member else frozenset()
    found: list[tuple[Candidate, Post]] = []
    after, scanned, exhausted = query.after, 0, False
    while len(found) <= PAGE_SIZE and scanned < MAX_CANDIDATES_PER_PAGE:
        if query.terms.has_text:
            batch = backend.candidates(
                query.terms,
                scope,
                by_relevance=query.by_relevance,
                after=after,
                limit=CANDIDATE_BATCH,
            )
        else:
            ids = newest_entries(
                scope, after_post_id=after.post_id if after else None, limit=CANDIDATE_BATCH
            )
            batch = [Candidate(post_id=post_id, score=0.0) for post_id in ids]
        scanned += len(batch)
        readable = _readable_posts(viewer, [candidate.post_id for candidate in batch], muted)
        for candidate in batch:
            if candidate.post_id in readable and len(found) <= PAGE_SIZE:
                found.append((candidate, readable[candidate.post_id]))
        if len(batch) < CANDIDATE_BATCH:
            exhausted = True
            break
        after = batch[-1].cursor
    if len(found) > PAGE_SIZE:
        found = found[:PAGE_SIZE]
        next_cursor: Cursor | None = found[-1][0].cursor
        stopped_early = False
    elif exhausted:
        next_cursor, stopped_early = None, False
    else:
        next_cursor, stopped_early = after, True
    posts = [post for _candidate, post in found]
    hits = _hits(viewer, query.terms, posts, muted)
    return SearchResults(hits=hits, next_cursor=next_cursor, stopped_early=stopped_early)


def _scope(viewer: Viewer, query: SearchQuery) -> Scope | None:
    """The filters as the index reads them, or None when nothing can match."""
    chosen = set(Category.objects.filter(category_filter(viewer)).values_list("pk", flat=True))
    if query.thread is not None:
        chosen &= {query.thread.category_id}
    if query.category is not None:
        chosen &= {query.category.pk}
    if not chosen or ((query.mine or query.following) and viewer.member_id is None):
        return None
    # Without a chosen category or thread, every category the searcher may read: left to
    # the visibility check of each candidate rather than asked of every match.
    narrowed = query.thread is not None or query.category is not None
    return Scope(
        category_ids=tuple(sorted(chosen)) if narrowed else None,
        thread_id=query.thread.pk if query.thread else None,
        author_ids=query.author_ids,
        own_posts_of=viewer.member_id if query.mine else None,
        followed_by=viewer.member_id if query.following else None,
        created_from=query.created_from,
        created_before=query.created_before,
    )


def _readable_posts(viewer: Viewer, post_ids: list[int], muted: frozenset[int]) -> dict[int, Post]:
    """The candidates the visibility policy lets the viewer read, less muted members' posts."""
    if not post_ids:
        return {}
    posts = (
        Post.objects.filter(pk__in=post_ids)
        .filter(post_filter(viewer))
        .exclude(Q(is_anonymous=False) & Q(author_id__in=muted))
        .select_related("thread__category", "author")
        .only(
            "pk",
            "position",
            "author_name",
            "is_anonymous",
            "created_at",
            "is_held",
            "is_hidden",
            "note_label_ids",
            "content_note_text",
            "thread__id",
            "thread__title",
            "thread__category__name",
            "author__display_name",
            "author__is_active",
        )
    )
    return {post.pk: post for post in posts}


def _hits(
    viewer: Viewer, terms: SearchTerms, posts: list[Post], muted: frozenset[int]
) -> list[SearchHit]:
    if not posts:
        return []
    context = (
        get_viewer_context(viewer, muted=muted)
        if viewer.is_member or any(post.note_label_ids for post in posts)
        else ViewerContext(muted_member_ids=muted)
    )
    folds = {
        post.pk: content_note_fold(post.note_label_ids, post.content_note_text, context)
        for post in posts
    }
    unfolded = [post.pk for post in posts if not folds[post.pk][1]]
    excerpts = _excerpts(terms, unfolded)
    return [
        SearchHit(
            post_id=post.pk,
            position=post.position,
            thread_id=post.thread.pk,
            thread_title=post.thread.title,
            category_name=post.thread.category.name,
            author_name=_author_name(post),
            created_at=post.created_at,
            excerpt=excerpts.get(post.pk, SafeString("")),
            note_labels=folds[post.pk][0],
            note_text=post.content_note_text,
            is_folded_by_note=folds[post.pk][1],
            is_held=post.is_held,
            is_hidden=post.is_hidden,
            is_own=viewer.member_id is not None and post.author_id == viewer.member_id,
        )
        for post in posts
    ]


def _author_name(post: Post) -> str:
    """As the thread page names the author: the pseudonym of an anonymous post, the
    stored name once the account is gone, the member's display name otherwise."""
    if post.is_anonymous or post.author is None or not post.author.is_active:
        return post.author_name
    return post.author.display_name


def _excerpts(terms: SearchTerms, post_ids: list[int]) -> dict[int, SafeString]:
    if not post_ids:
        return {}
    if terms.has_text:
        marked = current_backend().excerpts(terms, post_ids)
    else:
        bodies = SearchEntry.objects.filter(pk__in=post_ids).values_list("pk", "body")
        marked = {pk: Truncator(body).words(EXCERPT_WORDS) for pk, body in bodies}
    return {pk: _with_marks(text) for pk, text in marked.items()}


def _with_marks(text: str) -> SafeString:
    """Escape the excerpt, then turn the backend's markers into <mark> elements; a
    marker left open (a passage cut short) is closed."""
    escaped = str(escape(" ".join(text.split())))
    html = escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    if html.count("<mark>") > html.count("</mark>"):
        html += "</mark>"
    return mark_safe(html)  # noqa: S308 - escaped above; only our own <mark> tags added
