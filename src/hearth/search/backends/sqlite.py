"""SQLite: an FTS5 table over the index entries (created by migration 0002).

The table uses the entries as its external content (the text is stored once)
and database triggers keep it in step with them. Its tokenizer is Porter
stemming over Unicode words with accents removed, so "endings" finds "ending"
and "cafe" finds "Café"; ``rank`` is BM25 with the title weighing four times
the body (also set in 0002).

Each wanted word or phrase is written as an FTS5 string ("..."), which FTS5
tokenizes as text: nothing the member typed is ever read as FTS5 syntax.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from hearth.core.text.search_terms import SearchTerms, Term
from hearth.search.backends import MARK_END, MARK_START, Candidate, Cursor, Scope
from hearth.search.backends.scope_sql import scope_conditions
from hearth.search.models import SearchEntry

FTS_TABLE = "search_fts"


def _string(term: Term) -> str:
    # Words hold only \w characters (search_terms), so no quote needs doubling.
    return '"' + term.text.replace('"', '""') + '"'


def match_expression(terms: SearchTerms) -> str:
    wanted = " AND ".join(_string(term) for term in terms.wanted)
    left_out = "".join(f" NOT {_string(term)}" for term in terms.left_out)
    return f"({wanted}){left_out}"


class SqliteBackend:
    def candidates(
        self,
        terms: SearchTerms,
        scope: Scope,
        *,
        by_relevance: bool,
        after: Cursor | None,
        limit: int,
    ) -> list[Candidate]:
        conditions, parameters = scope_conditions(scope)
        where: list[str] = [f"{FTS_TABLE} MATCH %s", *conditions]
        values: list[Any] = [match_expression(terms), *parameters]
        if by_relevance:
            # rank is BM25: lower is better; the score is its negation.
            if after is not None:
                where.append(
                    f"({FTS_TABLE}.rank > %s OR ({FTS_TABLE}.rank = %s AND {FTS_TABLE}.rowid < %s))"
                )
                values += [-after.score, -after.score, after.post_id]
            order = f"{FTS_TABLE}.rank, {FTS_TABLE}.rowid DESC"
        else:
            if after is not None:
                where.append(f"{FTS_TABLE}.rowid < %s")
                values.append(after.post_id)
            order = f"{FTS_TABLE}.rowid DESC"
        # The entries are joined only when a filter reads them: a join per match is a
        # third of a search for two common words at a million posts (bench/search.py).
        join = (
            f"JOIN {SearchEntry._meta.db_table} AS e ON e.post_id = {FTS_TABLE}.rowid "
            if conditions
            else ""
        )
        sql = (
            f"SELECT {FTS_TABLE}.rowid, -{FTS_TABLE}.rank FROM {FTS_TABLE} {join}"
            f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*values, limit])
            return [
                Candidate(post_id=post_id, score=score if by_relevance else 0.0)
                for post_id, score in cursor.fetchall()
            ]

    def excerpts(self, terms: SearchTerms, post_ids: list[int]) -> dict[int, str]:
        if not post_ids:
            return {}
        placeholders = ", ".join(["%s"] * len(post_ids))
        sql = (
            f"SELECT rowid, snippet({FTS_TABLE}, 1, %s, %s, '…', 30) FROM {FTS_TABLE} "
            f"WHERE {FTS_TABLE} MATCH %s AND rowid IN ({placeholders})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [MARK_START, MARK_END, match_expression(terms), *post_ids])
            return dict(cursor.fetchall())
