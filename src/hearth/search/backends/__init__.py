"""One search interface, two databases: what a backend answers, and which one runs.

A backend finds *candidates*: the ids of posts whose index entry matches the
words and the structural filters (category, thread, author, dates, the
searcher's own posts, threads they follow), best or newest first, after a
keyset cursor. It knows nothing of who may read what: ``selectors.py`` checks
every candidate against the visibility policy before anyone sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import connection

from hearth.core.text.search_terms import SearchTerms

# Excerpts come back with these around each matching word: characters that never
# occur in indexed text (``indexing.plain_text`` removes them), so the escaped
# excerpt can get its <mark>s after escaping.
MARK_START = "\x02"
MARK_END = "\x03"


@dataclass(frozen=True)
class Scope:
    """The structural filters, each narrowing what a candidate may be."""

    # The categories the searcher chose (only ones they may read); None for all they may
    # read, left to the visibility check of each candidate: a category they may not read
    # is a moderators' one, small, and not worth a join per match (bench/search.py).
    category_ids: tuple[int, ...] | None
    thread_id: int | None = None
    author_ids: tuple[int, ...] = ()  # public authors only: anonymous posts never match
    own_posts_of: int | None = None  # the searcher's own posts, anonymous ones included
    followed_by: int | None = None  # threads the member watches or tracks
    created_from: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last candidate's score (relevance order) and id."""

    post_id: int
    score: float = 0.0

    def encode(self) -> str:
        """For a link or an API answer: "<score>_<post id>", or "<post id>" by date
        (``forms._CURSOR`` reads it back)."""
        return f"{self.score!r}_{self.post_id}" if self.score else str(self.post_id)


@dataclass(frozen=True)
class Candidate:
    post_id: int
    score: float  # higher is better; 0.0 when ordered by date

    @property
    def cursor(self) -> Cursor:
        return Cursor(post_id=self.post_id, score=self.score)


class SearchBackend(Protocol):
    def candidates(
        self,
        terms: SearchTerms,
        scope: Scope,
        *,
        by_relevance: bool,
        after: Cursor | None,
        limit: int,
    ) -> list[Candidate]:
        """Matching posts' ids, best (or newest) first, after ``after``. ``terms`` has
        at least one wanted word (``selectors`` handles filter-only searches)."""
        ...

    def excerpts(self, terms: SearchTerms, post_ids: list[int]) -> dict[int, str]:
        """Each post's best passage, matches between MARK_START and MARK_END."""
        ...


def current_backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        from hearth.search.backends.postgres import PostgresBackend  # noqa: PLC0415

        return PostgresBackend()
    from hearth.search.backends.sqlite import SqliteBackend  # noqa: PLC0415

    return SqliteBackend()
