"""PostgreSQL: a ``tsvector`` column on the index entries, GIN-indexed (migration 0002).

A trigger computes the column from the entry's title (weight A) and body (B)
with the entry's language, so stemming follows the category's language or the
site's. A query is built once per language in use, and an entry matches the
query of its own language -- an OR of a few branches the GIN index answers
together.

Words reach PostgreSQL only as parameters of ``plainto_tsquery`` and
``phraseto_tsquery``, which read them as text, never as ``tsquery`` syntax;
language names come from the closed list in ``languages.py``.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from hearth.core.text.search_terms import SearchTerms, Term
from hearth.search.backends import MARK_END, MARK_START, Candidate, Cursor, Scope
from hearth.search.backends.scope_sql import scope_conditions
from hearth.search.languages import LANGUAGES, languages_in_use
from hearth.search.models import SearchEntry

HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=30, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)


def _term_query(language: str, term: Term) -> str:
    function = "phraseto_tsquery" if term.is_phrase else "plainto_tsquery"
    query = f"{function}('{language}'::regconfig, unaccent(%s))"
    return f"!!{query}" if term.is_excluded else query


def _query(language: str, terms: SearchTerms) -> tuple[str, list[Any]]:
    """The tsquery for one language: every wanted term AND-ed, left-out ones negated."""
    if language not in LANGUAGES:  # never: the list is closed; refuse rather than inject
        raise ValueError(f"Unknown search language {language!r}")
    ordered = [*terms.wanted, *terms.left_out]
    return " && ".join(_term_query(language, term) for term in ordered), [
        term.text for term in ordered
    ]


def query_subquery(languages: tuple[str, ...], terms: SearchTerms) -> tuple[str, list[Any]]:
    """A one-row subquery ``q`` with each language's tsquery as a column (``q.english``).

    Computed once per statement: written inline, ``plainto_tsquery`` and ``unaccent``
    (stable, not immutable) would run again for every matching row's rank -- half the
    time of a search for two common words at a million posts (bench/search.py).
    OFFSET 0 keeps the planner from inlining it back into each use.
    """
    columns, values = [], []
    for language in languages:
        query, query_values = _query(language, terms)
        columns.append(f"{query} AS {language}")
        values += query_values
    return f"(SELECT {', '.join(columns)} OFFSET 0) AS q", values


def match_condition(languages: tuple[str, ...]) -> str:
    """An entry matches its own language's query."""
    return (
        "("
        + " OR ".join(
            f"(e.language = '{language}' AND e.vector @@ q.{language})" for language in languages
        )
        + ")"
    )


def _rank(languages: tuple[str, ...]) -> str:
    branches = " ".join(
        f"WHEN '{language}' THEN ts_rank(e.vector, q.{language})" for language in languages
    )
    return f"(CASE e.language {branches} ELSE 0 END)::float8"


class PostgresBackend:
    def __init__(self) -> None:
        self._languages: tuple[str, ...] | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        if self._languages is None:  # once per search, however many pages it reads
            self._languages = languages_in_use()
        return self._languages

    def candidates(
        self,
        terms: SearchTerms,
        scope: Scope,
        *,
        by_relevance: bool,
        after: Cursor | None,
        limit: int,
    ) -> list[Candidate]:
        queries, query_values = query_subquery(self.languages, terms)
        conditions, parameters = scope_conditions(scope)
        inner_where = " AND ".join([match_condition(self.languages), *conditions])
        table = SearchEntry._meta.db_table
        outer: list[str] = []
        outer_values: list[Any] = []
        if by_relevance:
            if after is not None:
                outer.append("(score < %s OR (score = %s AND post_id < %s))")
                outer_values += [after.score, after.score, after.post_id]
            order = "score DESC, post_id DESC"
            score = _rank(self.languages)
        else:
            if after is not None:
                outer.append("post_id < %s")
                outer_values.append(after.post_id)
            order = "post_id DESC"
            score = "0::float8"
        # By date, the matches are found first (through the GIN index) and then sorted:
        # OFFSET 0 keeps the planner from walking the primary key backwards and testing
        # every entry's vector until it has enough, which for a rare word reads the whole
        # table (over a second at 1,000,000 posts; bench/search.py).
        fence = "" if by_relevance else " OFFSET 0"
        sql = (
            f"SELECT post_id, score FROM (SELECT e.post_id, {score} AS score "
            f"FROM {queries}, {table} e WHERE {inner_where}{fence}) AS found"
            + (f" WHERE {' AND '.join(outer)}" if outer else "")
            + f" ORDER BY {order} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*query_values, *parameters, *outer_values, limit])
            return [Candidate(post_id=post_id, score=value) for post_id, value in cursor.fetchall()]

    def excerpts(self, terms: SearchTerms, post_ids: list[int]) -> dict[int, str]:
        if not post_ids:
            return {}
        queries, query_values = query_subquery(self.languages, terms)
        branches = " ".join(
            f"WHEN '{language}' THEN ts_headline('{language}'::regconfig, e.body, q.{language}, %s)"
            for language in self.languages
        )
        # In the order of the statement's text: the options, then the queries.
        values = [HEADLINE_OPTIONS] * len(self.languages) + query_values
        sql = (
            f"SELECT e.post_id, CASE e.language {branches} ELSE '' END "
            f"FROM {queries}, {SearchEntry._meta.db_table} e WHERE e.post_id = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*values, post_ids])
            return dict(cursor.fetchall())
