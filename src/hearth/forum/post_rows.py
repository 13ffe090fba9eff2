"""A page of posts as plain records: one hand-written query, no model instances.

A thread page shows twenty posts and their authors. Through the ORM that
query cost about 1.2 ms per request (compiling it, then building forty model
instances); as SQL read into small records it costs a tenth of that. The
records carry exactly what a page, the permission rules and the cached
fragments need. The post's stored HTML is left out: it is read (with the
author's avatar) only for the fragments that must be rendered, see
``hearth.forum.rendering``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime

from hearth.accounts.models import MemberMute, User
from hearth.core.raw_rows import ModelColumns, fetch_rows
from hearth.forum.models import Bookmark, Post, Reaction, ReactionKind, Thread

REACTION_KINDS = tuple(ReactionKind)

_POST_COLUMNS = ModelColumns(
    Post,
    (
        "id", "position", "author", "author_name", "created_at", "revision", "edited_at",
        "edited_by_name", "is_deleted", "is_anonymous", "is_hidden", "hidden_reason", "is_held",
        "content_note_text", "note_label_ids", "version", "hug_count", "heart_count",
        "thanks_count", "me_too_count",
    ),
    alias="p",
)  # fmt: skip
_AUTHOR_COLUMNS = ModelColumns(
    User, ("username", "display_name", "is_active", "profile_version"), alias="u"
)
_FROM = f'FROM "{Post._meta.db_table}" p LEFT JOIN "{User._meta.db_table}" u ON u.id = p.author_id '
# For a signed-in reader, on each row: whether they muted the author, which
# reactions they gave the post, and whether they saved it -- three fewer queries
# per page (a round trip each on PostgreSQL), at the price of a few index lookups
# per row (the saved one walks the bookmark's unique (member, post) index).
_READER_COLUMNS = (
    f'EXISTS (SELECT 1 FROM "{MemberMute._meta.db_table}" mm '  # noqa: S608 - our own tables
    "WHERE mm.member_id = %(reader)s AND mm.muted_id = p.author_id), "
    + ", ".join(
        f'EXISTS (SELECT 1 FROM "{Reaction._meta.db_table}" r '  # noqa: S608 - our own tables
        f"WHERE r.post_id = p.id AND r.member_id = %(reader)s AND r.kind = '{kind.value}')"
        for kind in REACTION_KINDS
    )
    + f', EXISTS (SELECT 1 FROM "{Bookmark._meta.db_table}" b '  # noqa: S608 - our own tables
    "WHERE b.member_id = %(reader)s AND b.post_id = p.id)"
)
# Each condition names the thread, so both walk the (thread, position) index:
# "thread = ? AND (range OR original)" made SQLite read every post of the thread.
# A query reads at most this many positions (and the original post): a page of them
# (selectors.POSTS_PER_PAGE checks it).
MOST_POSITIONS = 20
_RANGE = "WHERE (p.thread_id = %(thread)s AND p.position BETWEEN %(lowest)s AND %(highest)s) "
_RANGE_AND_ORIGINAL = _RANGE + "OR (p.thread_id = %(thread)s AND p.position = 1) "
_QUERIES = {
    (for_member, newest_first, with_original): (
        f"SELECT {_POST_COLUMNS.sql}, {_AUTHOR_COLUMNS.sql}"
        + (f", {_READER_COLUMNS} " if for_member else " ")
        + _FROM
        + (_RANGE_AND_ORIGINAL if with_original else _RANGE)
        + ("ORDER BY p.position DESC" if newest_first else "ORDER BY p.position")
        # The LIMIT is what makes PostgreSQL read the page through unique_post_position:
        # it guesses thousands of rows for positions 1..20 of a long thread (those
        # positions exist in every thread) and, without it, scanned the whole thread or
        # the table (45 ms for page 1 of a 10,000-reply thread; 1 ms with it).
        + " LIMIT %(most)s"
    )
    for for_member in (False, True)
    for newest_first in (False, True)
    for with_original in (False, True)
}


@dataclass(slots=True, eq=False)
class PostRow:
    """One post as a page shows it; the attribute names are the model's."""

    id: int
    position: int
    author_id: int | None
    author_name: str
    created_at: datetime
    revision: int
    edited_at: datetime | None
    edited_by_name: str
    is_deleted: bool
    is_anonymous: bool
    is_hidden: bool
    hidden_reason: str
    is_held: bool
    content_note_text: str
    note_label_ids: list[int]
    version: int
    hug_count: int
    heart_count: int
    thanks_count: int
    me_too_count: int
    # The author's account (all None once the account is gone).
    author_username: str | None
    author_is_active: bool | None
    author_display_name: str | None
    author_profile_version: int | None
    thread: Thread = field(repr=False)
    # Read only for fragments that must be rendered.
    body_html: str | None = field(default=None, repr=False)
    # The signed-in reader's: they muted the author; the reactions they gave; they
    # saved the post (a bookmark).
    reader_muted_author: bool = False
    reader_reactions: frozenset[str] = frozenset()
    reader_saved: bool = False

    @property
    def pk(self) -> int:
        return self.id

    @classmethod
    def from_post(cls, post: Post) -> PostRow:
        """The record of a post already loaded as a model (single-post pages and fragments)."""
        author = post.author
        deferred = post.get_deferred_fields()
        columns = [getattr(post, name) for name in _POST_COLUMNS.attnames]
        account = [getattr(author, name) if author else None for name in _AUTHOR_COLUMNS.attnames]
        body_html = None if "body_html" in deferred else post.body_html
        return cls(*[*columns, *account, post.thread, body_html])


# PostRow is built positionally from a row: its fields must follow the columns'
# order (the models' own order, which ModelColumns keeps).
if [f.name for f in fields(PostRow)][: len(_POST_COLUMNS) + len(_AUTHOR_COLUMNS)] != [
    *_POST_COLUMNS.attnames,
    *(f"author_{name}" for name in _AUTHOR_COLUMNS.attnames),
]:
    raise RuntimeError("PostRow's fields are out of step with its query's columns")


def page_post_rows(
    thread: Thread,
    lowest: int,
    highest: int,
    *,
    newest_first: bool,
    with_original: bool,
    reader_id: int | None,
) -> list[PostRow]:
    """Posts of ``thread`` at positions lowest..highest (and the original post if asked),
    with the signed-in reader's mute of each author, reactions to each post and whether
    they saved it."""
    if highest - lowest >= MOST_POSITIONS:
        message = f"positions {lowest}..{highest}: at most {MOST_POSITIONS} at a time"
        raise ValueError(message)
    params = {
        "thread": thread.pk,
        "lowest": lowest,
        "highest": highest,
        "reader": reader_id,
        "most": MOST_POSITIONS + 1,  # the range, and the original post if asked
    }
    query = _QUERIES[reader_id is not None, newest_first, with_original]
    rows, using = fetch_rows(Post, query, params)
    post_width = len(_POST_COLUMNS)
    reader_start = post_width + len(_AUTHOR_COLUMNS)
    posts_values = _POST_COLUMNS.values_of(rows, using=using)
    authors_values = _AUTHOR_COLUMNS.values_of(rows, post_width, using=using)
    found = []
    for row, post_values, author_values in zip(rows, posts_values, authors_values, strict=True):
        post = PostRow(*[*post_values, *author_values, thread])
        if reader_id is not None:
            post.reader_muted_author = bool(row[reader_start])
            reactions_end = reader_start + 1 + len(REACTION_KINDS)
            post.reader_reactions = frozenset(
                kind.value
                for kind, given in zip(
                    REACTION_KINDS, row[reader_start + 1 : reactions_end], strict=True
                )
                if given
            )
            post.reader_saved = bool(row[reactions_end])
        found.append(post)
    return found
