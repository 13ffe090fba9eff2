"""Reads that feed forum pages. Visibility is decided here and nowhere else."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower
from django.http import Http404

from hearth.accounts.models import MemberMute, User
from hearth.accounts.muted_words import MutedWords, muted_words_of
from hearth.accounts.selectors import muted_member_ids
from hearth.core.http import SignInRequired
from hearth.core.raw_rows import ModelColumns, fetch_one
from hearth.forum import listings, visibility
from hearth.forum.listings import ThreadSummary
from hearth.forum.models import (
    AnonymousIdentity,
    Bookmark,
    Category,
    Draft,
    Post,
    PostRevision,
    Reaction,
    ReadState,
    Thread,
    ThreadFollowing,
    pseudonym_for,
)
from hearth.forum.permissions import (
    ThreadRules,
    why_cannot_see_post,
)
from hearth.forum.post_rows import MOST_POSITIONS, PostRow, page_post_rows
from hearth.forum.viewer import ANONYMOUS, Viewer
from hearth.forum.word_folds import posts_with_muted_words
from hearth.safety.models import NoteChoice, QueueItem, QueueKind
from hearth.safety.selectors import labels_with_choices

POSTS_PER_PAGE = 20
if POSTS_PER_PAGE > MOST_POSITIONS:
    raise RuntimeError("a page's posts are read in one query of at most MOST_POSITIONS")
THREADS_PER_PAGE = 30
RECENT_THREADS_ON_HOME = 10
# --- Visibility --------------------------------------------------------------


def visible_categories(viewer: Viewer) -> QuerySet[Category]:
    """The categories this viewer may read, in their display order (the visibility
    policy's list filter)."""
    return Category.objects.filter(visibility.category_filter(viewer))


# A thread with its category and, for a member, their read marker, draft and
# thread mute: one query on every thread page, written as SQL because the
# ORM took longer to compile it than the database took to run it.
_THREAD_COLUMNS = ModelColumns.every(Thread, alias="t")
_THREAD_FROM = (
    f'FROM "{Thread._meta.db_table}" t '
    f'JOIN "{Category._meta.db_table}" c ON c.id = t.category_id WHERE t.id = %(thread)s'
)
_THREAD_SQL = f"SELECT {_THREAD_COLUMNS.sql}, {listings.CATEGORY_COLUMNS.sql} {_THREAD_FROM}"
_THREAD_WITH_VIEWER_STATE_SQL = (
    f"SELECT {_THREAD_COLUMNS.sql}, {listings.CATEGORY_COLUMNS.sql}, "  # noqa: S608 - our own tables
    f'(SELECT last_read_position FROM "{ReadState._meta.db_table}" '
    "WHERE member_id = %(reader)s AND thread_id = t.id), "
    f'(SELECT body FROM "{Draft._meta.db_table}" '
    "WHERE member_id = %(reader)s AND thread_id = t.id), "
    f'(SELECT level FROM "{ThreadFollowing._meta.db_table}" '
    f"WHERE member_id = %(reader)s AND thread_id = t.id) {_THREAD_FROM}"
)


def _load_thread(thread_id: int, member_id: int | None) -> Thread | None:
    if member_id is None:
        row, using = fetch_one(Thread, _THREAD_SQL, {"thread": thread_id})
    else:
        params = {"thread": thread_id, "reader": member_id}
        row, using = fetch_one(Thread, _THREAD_WITH_VIEWER_STATE_SQL, params)
    if row is None:
        return None
    thread: Thread = _THREAD_COLUMNS.instance(row, using=using)
    width = len(_THREAD_COLUMNS) + len(listings.CATEGORY_COLUMNS)
    thread.category = listings.CATEGORY_COLUMNS.instance(
        row, start=len(_THREAD_COLUMNS), using=using
    )
    if member_id is not None:
        read_position, draft, follow_level = row[width:]
        # The attributes QuerySet.annotate() would have set.
        thread.__dict__.update(
            viewer_read_position=read_position,
            viewer_draft=draft,
            viewer_follow_level=follow_level or "",
        )
    return thread


def _refuse(viewer: Viewer) -> Exception:
    return Http404() if viewer.is_member else SignInRequired()


def get_category_for_viewer_or_404(
    viewer: Viewer, slug: str, *, with_viewer_state: bool = False
) -> Category:
    """Fetch a category the viewer may see; with_viewer_state also brings, in the same
    query, how the viewer follows it (``viewer_follow_level``)."""
    follower = viewer.member_id if with_viewer_state else None
    category = listings.category_by_slug(slug, follower_id=follower)
    if category is None or not visibility.can_see_category(viewer, category):
        raise _refuse(viewer)
    return category


def get_thread_for_viewer_or_404(
    viewer: Viewer, thread_id: int, *, with_viewer_state: bool = False
) -> Thread:
    """Fetch a thread the viewer may see; with_viewer_state also brings, in the same
    query, the viewer's read marker, draft and how they follow the thread."""
    thread = _load_thread(thread_id, viewer.member_id if with_viewer_state else None)
    if thread is None or not visibility.can_see_thread(viewer, thread):
        raise _refuse(viewer)
    return thread


def get_post_for_viewer_or_404(viewer: Viewer, post_id: int) -> Post:
    """A post whose place the viewer may see: its text may still be hidden from them
    (hidden by a moderator, deleted). Routes that show the text use
    ``get_readable_post_for_viewer_or_404``."""
    post = Post.objects.select_related("thread__category").filter(pk=post_id).first()
    if post is None or viewer.is_paused or why_cannot_see_post(viewer, post) is not None:
        raise _refuse(viewer)
    return post


def get_readable_post_for_viewer_or_404(viewer: Viewer, post_id: int) -> Post:
    """A post whose text the viewer may read (the visibility policy); otherwise 404, the
    same answer as for a post that does not exist."""
    post = Post.objects.select_related("thread__category").filter(pk=post_id).first()
    if post is None or not visibility.can_read_post(viewer, post):
        raise _refuse(viewer)
    return post


# --- Threads and their pages ---------------------------------------------------


def page_count(thread: Thread, *, newest_first: bool) -> int:
    if newest_first:
        return max(1, math.ceil((thread.last_position - 1) / POSTS_PER_PAGE))
    return max(1, math.ceil(thread.last_position / POSTS_PER_PAGE))


def page_of_position(thread: Thread, position: int, *, newest_first: bool) -> int:
    """The page a post appears on for a viewer's reply order (the original post: page 1)."""
    if position == 1:
        return 1
    if newest_first:
        return (thread.last_position - position) // POSTS_PER_PAGE + 1
    return (position - 1) // POSTS_PER_PAGE + 1


def _position_range(thread: Thread, page: int, *, newest_first: bool) -> tuple[int, int, bool]:
    """The positions on a page: (lowest, highest, whether the original post joins them)."""
    if not newest_first:
        first = (page - 1) * POSTS_PER_PAGE + 1
        return first, first + POSTS_PER_PAGE - 1, False
    highest = thread.last_position - (page - 1) * POSTS_PER_PAGE
    return max(2, highest - POSTS_PER_PAGE + 1), highest, page == 1


@dataclass(frozen=True)
class PostView:
    """Everything a page shows about one post, decided here so templates walk no relations."""

    post: PostRow
    author_name: str
    author_username: str  # empty when no profile may be linked (anonymous, or account gone)
    shows_identity: bool  # the author's avatar and profile link appear (not anonymous, not gone)
    note_labels: tuple[str, ...]
    note_text: str
    is_folded_by_note: bool  # collapsed behind "Content note: ..." for this viewer
    is_from_muted_member: bool
    is_hidden: bool  # hidden by a moderator
    shows_hidden_text: bool  # the viewer is the author or a moderator
    is_held: bool
    is_own: bool
    viewer_is_member: bool
    own_reactions: frozenset[str]
    can_edit: bool
    can_delete: bool
    can_react: bool
    is_saved: bool = False  # the viewer bookmarked it
    # Folded behind "Contains a word you muted" (never the viewer's own post).
    is_folded_by_word: bool = False

    @property
    def has_content_note(self) -> bool:
        return bool(self.note_labels or self.note_text)


@dataclass(frozen=True)
class ThreadPage:
    thread: Thread
    posts: list[PostView]
    page: int
    page_count: int
    newest_first: bool
    read_position: int | None
    draft_body: str
    follow_level: str  # the viewer's own choice (FollowLevel), or "" for the default
    offered_labels: tuple[tuple[int, str], ...] = ()
    first_unread_position: int | None = field(default=None)

    @property
    def highest_position(self) -> int:
        return max((view.post.position for view in self.posts), default=0)


@dataclass(frozen=True)
class ViewerContext:
    """What the viewer chose that changes every post: mutes, muted words and content-note
    preferences."""

    muted_member_ids: frozenset[int] = frozenset()
    muted_words: MutedWords | None = None  # from the member's row: no query
    note_preferences: dict[int, str] = field(default_factory=dict)
    label_names: dict[int, str] = field(default_factory=dict)
    offered_labels: tuple[tuple[int, str], ...] = ()


def get_viewer_context(viewer: Viewer, *, muted: frozenset[int] | None = None) -> ViewerContext:
    """The viewer's mutes, and every label with the viewer's choice for it (two queries;
    one when the caller already knows the mutes that matter)."""
    labels = labels_with_choices(viewer.member)
    if muted is None:
        muted = muted_member_ids(viewer.member) if viewer.member else frozenset()
    return ViewerContext(
        muted_member_ids=muted,
        muted_words=muted_words_of(viewer.member),
        note_preferences=labels.choices,
        label_names=labels.names,
        offered_labels=labels.offered,
    )


def content_note_fold(
    note_label_ids: list[int], note_text: str, context: ViewerContext
) -> tuple[tuple[str, ...], bool]:
    """A post's content-note labels (those the viewer knows) and whether it is folded for
    them: a note without labels always folds; labels fold unless the viewer chose
    "always show" for every one. Pages and search results both ask this."""
    labels = [label_id for label_id in note_label_ids if label_id in context.label_names]
    choices = [context.note_preferences.get(label_id, NoteChoice.COLLAPSE) for label_id in labels]
    folded = bool(note_text and not labels) or any(choice != NoteChoice.SHOW for choice in choices)
    return tuple(context.label_names[label_id] for label_id in labels), folded and bool(
        labels or note_text
    )


def _post_view(
    rules: ThreadRules,
    post: PostRow,
    context: ViewerContext,
    own_reactions: frozenset[str],
    *,
    is_saved: bool = False,
    is_folded_by_word: bool = False,
) -> PostView:
    viewer = rules.viewer
    note_labels, folded = content_note_fold(post.note_label_ids, post.content_note_text, context)
    shows_identity = bool(not post.is_anonymous and post.author_is_active)
    is_own = viewer.member_id is not None and viewer.member_id == post.author_id
    return PostView(
        post=post,
        author_name=(post.author_display_name or "") if shows_identity else post.author_name,
        author_username=(post.author_username or "") if shows_identity else "",
        shows_identity=shows_identity,
        note_labels=note_labels,
        note_text=post.content_note_text,
        is_folded_by_note=folded,
        # Muting never applies to anonymous posts: folding them would tell the
        # viewer who wrote them.
        is_from_muted_member=not post.is_anonymous and post.author_id in context.muted_member_ids,
        is_hidden=post.is_hidden,
        shows_hidden_text=rules.why_cannot_read_hidden(post) is None,
        is_held=post.is_held,
        is_own=is_own,
        viewer_is_member=viewer.is_member,
        own_reactions=own_reactions,
        can_edit=rules.why_cannot_edit(post) is None,
        can_delete=rules.why_cannot_delete(post) is None,
        can_react=rules.why_cannot_react(post) is None,
        is_saved=is_saved,
        is_folded_by_word=is_folded_by_word and not is_own,
    )


def get_thread_page(viewer: Viewer, thread: Thread, page: int, *, newest_first: bool) -> ThreadPage:
    """Load one page of a thread: posts with authors, the viewer's reactions, mutes and
    content-note choices, read marker and draft.

    Two queries, whatever the page number or thread length: the posts (with the
    viewer's mute of each author, reactions to each post and bookmarks) and the labels (not
    needed for a visitor reading posts without content notes).
    The thread should come from ``get_thread_for_viewer_or_404(...,
    with_viewer_state=True)``, which brings the read marker, draft and thread
    mute along. Raises Http404 for a page past the end.
    """
    pages = page_count(thread, newest_first=newest_first)
    if page < 1 or page > pages:
        raise Http404
    lowest, highest, with_original = _position_range(thread, page, newest_first=newest_first)
    posts = page_post_rows(
        thread,
        lowest,
        highest,
        newest_first=newest_first,
        with_original=with_original,
        reader_id=viewer.member_id,
    )
    if newest_first and posts and posts[-1].position == 1:
        posts.insert(0, posts.pop())  # the original post stays first
    rules = ThreadRules(viewer, thread)
    posts = [post for post in posts if rules.why_cannot_see(post) is None]
    muted = frozenset(
        post.author_id for post in posts if post.reader_muted_author and post.author_id is not None
    )
    # Labels name the posts' content notes and fill a member's composer; a visitor
    # reading posts without notes needs none of them (one query fewer).
    if viewer.is_member or any(post.note_label_ids for post in posts):
        context = get_viewer_context(viewer, muted=muted)
    else:
        context = ViewerContext(muted_member_ids=muted)
    read_position: int | None = getattr(thread, "viewer_read_position", None)
    first_unread = None
    if read_position is not None and read_position < thread.last_position:
        first_unread = read_position + 1
    # Whether the viewer saved each post comes with the posts' query (an EXISTS per row,
    # beside their reactions), so the Save / Saved toggle costs the page no query.
    worded = posts_with_muted_words(posts, context.muted_words, reader_id=viewer.member_id)
    views = [
        _post_view(
            rules,
            post,
            context,
            post.reader_reactions,
            is_saved=post.reader_saved,
            is_folded_by_word=post.pk in worded,
        )
        for post in posts
    ]
    return ThreadPage(
        thread=thread,
        posts=views,
        page=page,
        page_count=pages,
        newest_first=newest_first,
        read_position=read_position,
        draft_body=getattr(thread, "viewer_draft", None) or "",
        follow_level=getattr(thread, "viewer_follow_level", ""),
        offered_labels=context.offered_labels,
        first_unread_position=first_unread,
    )


def get_posts_after(viewer: Viewer, thread: Thread, position: int) -> list[PostView]:
    """The posts after ``position`` the viewer may see, oldest first, at most a page:
    what a live update inserts into an open thread (``forum.live_views``). Two queries,
    like a page: the posts (with the viewer's mutes, reactions and bookmarks) and the
    labels."""
    rows = page_post_rows(
        thread,
        max(position, 1) + 1,
        position + POSTS_PER_PAGE,
        newest_first=False,
        with_original=False,
        reader_id=viewer.member_id,
    )
    rules = ThreadRules(viewer, thread)
    rows = [row for row in rows if rules.why_cannot_see(row) is None]
    muted = frozenset(
        row.author_id for row in rows if row.reader_muted_author and row.author_id is not None
    )
    context = get_viewer_context(viewer, muted=muted)
    worded = posts_with_muted_words(rows, context.muted_words, reader_id=viewer.member_id)
    return [
        _post_view(
            rules,
            row,
            context,
            row.reader_reactions,
            is_saved=row.reader_saved,
            is_folded_by_word=row.pk in worded,
        )
        for row in rows
    ]


def get_post_view(viewer: Viewer, post: Post) -> PostView:
    """One post as a page shows it (for fragments such as the reactions after a toggle)."""
    own = get_own_reactions(viewer.member, post) if viewer.member else frozenset()
    saved = viewer.member is not None and is_saved_by(viewer.member, post)
    rules = ThreadRules(viewer, post.thread)
    row = PostRow.from_post(post)
    context = get_viewer_context(viewer)
    worded = posts_with_muted_words([row], context.muted_words, reader_id=viewer.member_id)
    return _post_view(rules, row, context, own, is_saved=saved, is_folded_by_word=row.pk in worded)


def get_post_views_for_visitor(posts: list[Post]) -> list[PostView]:
    """Posts already loaded (with their thread and author) as a visitor's page shows them:
    the name shown, the content note and whether it folds the text. For readers outside
    the pages, such as feeds, which must follow the page's rules rather than their own.
    One query for the labels, and none when no post carries one. The caller chooses
    posts the visitor may read (``visibility.readable_posts``)."""
    if any(post.note_label_ids for post in posts):
        context = get_viewer_context(ANONYMOUS, muted=frozenset())
    else:
        context = ViewerContext()
    return [
        _post_view(
            ThreadRules(ANONYMOUS, post.thread), PostRow.from_post(post), context, frozenset()
        )
        for post in posts
    ]


def get_post_at_position(thread: Thread, position: int) -> Post | None:
    return Post.objects.filter(thread=thread, position=position).only("pk", "position").first()


def list_post_revisions(post: Post) -> list[PostRevision]:
    return list(post.revisions.order_by("number"))


def list_reactors(post: Post) -> dict[str, list[str]]:
    """Who reacted to a post, by kind, oldest reaction first: display names, except that a
    member who posts anonymously in the thread appears under their pseudonym there (their
    name beside the reaction would tell who the pseudonym is)."""
    pseudonym_numbers = AnonymousIdentity.objects.filter(
        thread_id=post.thread_id, member_id=OuterRef("member_id")
    ).values("number")[:1]
    reactors: dict[str, list[str]] = {}
    for kind, name, number in (
        Reaction.objects.filter(post=post, member__is_active=True)
        .annotate(pseudonym_number=Subquery(pseudonym_numbers))
        .order_by("created_at")
        .values_list("kind", "member__display_name", "pseudonym_number")
    ):
        reactors.setdefault(kind, []).append(name if number is None else pseudonym_for(number))
    return reactors


# --- Category and home lists -----------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a category page continues: keyset pagination, no OFFSET."""

    is_pinned: bool
    last_post_at: datetime
    thread_id: int

    def encode(self) -> str:
        return f"{int(self.is_pinned)}_{self.last_post_at.isoformat()}_{self.thread_id}"

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """Parse a cursor from a URL; raises ValueError for anything malformed."""
        pinned, moment, thread_id = value.split("_")
        if pinned not in {"0", "1"}:
            raise ValueError(value)
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError(value)
        return cls(is_pinned=pinned == "1", last_post_at=parsed, thread_id=int(thread_id))


@dataclass(frozen=True)
class CategoryPage:
    category: Category
    rows: list[ThreadSummary]
    next_cursor: Cursor | None
    is_first_page: bool


def get_category_page(viewer: Viewer, category: Category, after: Cursor | None) -> CategoryPage:
    """A page of a category's listed threads with the viewer's read state (one query)."""
    start = (after.is_pinned, after.last_post_at, after.thread_id) if after else None
    rows = listings.category_listing(viewer, category.pk, start, limit=THREADS_PER_PAGE + 1)
    next_cursor = None
    if len(rows) > THREADS_PER_PAGE:
        rows = rows[:THREADS_PER_PAGE]
        last = rows[-1]
        next_cursor = Cursor(last.is_pinned, last.last_post_at, last.pk)
    return CategoryPage(
        category=category, rows=rows, next_cursor=next_cursor, is_first_page=after is None
    )


@dataclass(frozen=True)
class HomePage:
    categories: list[Category]
    recent: list[ThreadSummary]
    # Each category's latest thread, when this viewer would see it in a list
    # (not muted, not hidden by their content-note choices, not held).
    listed_last_thread_ids: frozenset[int]


def get_home_page(viewer: Viewer) -> HomePage:
    categories, listed_last = listings.home_categories(viewer)
    return HomePage(
        categories=categories,
        recent=listings.recent_listing(viewer, RECENT_THREADS_ON_HOME),
        listed_last_thread_ids=listed_last,
    )


# --- Small reads for composers and actions -----------------------------------------


def get_new_thread_draft(member: User, category: Category) -> Draft | None:
    return Draft.objects.filter(member=member, category=category, thread=None).first()


def get_edit_draft(member: User, post: Post) -> Draft | None:
    """The member's unsaved edit of a post, if they left one."""
    return Draft.objects.filter(member=member, post=post).first()


def get_reply_draft(member: User, thread: Thread) -> str:
    return (
        Draft.objects.filter(member=member, thread=thread).values_list("body", flat=True).first()
        or ""
    )


MENTION_SUGGESTIONS = 8


def list_mentionable_members(member: User, place: Thread | Category, prefix: str) -> list[User]:
    """The composer's @-suggestions: up to eight members who may see ``place`` (a thread,
    or the category of a new thread) whose username or display name starts with
    ``prefix``, in any case; never the member, nor anyone they blocked.

    Someone who blocked the member is suggested like anyone else: leaving them out would
    tell the member they are blocked, and a mention of them notifies nothing anyway
    (``services.without_blockers``)."""
    if not prefix:
        return []
    if isinstance(place, Thread):
        audience = visibility.thread_audience(place)
    else:
        audience = visibility.category_audience(place)
    blocked = MemberMute.objects.filter(member=member, is_block=True).values("muted_id")
    return list(
        audience.filter(Q(username__istartswith=prefix) | Q(display_name__istartswith=prefix))
        .exclude(pk=member.pk)
        .exclude(pk__in=blocked)
        .order_by(Lower("username"))
        .only("username", "display_name")[:MENTION_SUGGESTIONS]
    )


def get_first_unread_position(member: User, thread: Thread) -> int:
    read = (
        ReadState.objects.filter(member=member, thread=thread)
        .values_list("last_read_position", flat=True)
        .first()
    )
    return min((read or 0) + 1, thread.last_position)


def get_own_reactions(member: User, post: Post) -> frozenset[str]:
    return frozenset(
        Reaction.objects.filter(member=member, post=post).values_list("kind", flat=True)
    )


def is_saved_by(member: User, post: Post) -> bool:
    """Did the member save (bookmark) the post? One query: pages of posts learn it with
    their posts instead (``PostRow.reader_saved``)."""
    return Bookmark.objects.filter(member=member, post=post).exists()


def author_display_name(post: Post) -> str:
    """The author's current display name; the pseudonym for anonymous posts, and the
    name they posted under if they left."""
    author = post.author
    if not post.is_anonymous and author is not None and author.is_active:
        return author.display_name
    return post.author_name


def get_check_in_for_author(member: User, item_id: int) -> QueueItem | None:
    """A check-in item, only for the author of the post it is about (else None)."""
    item = QueueItem.objects.filter(pk=item_id, kind=QueueKind.CHECK_IN).first()
    if item is None or item.post_id is None:
        return None
    if not Post.objects.filter(pk=item.post_id, author=member).exists():
        return None
    return item


def post_texts(post_ids: list[int]) -> dict[int, tuple[str, str]]:
    """The stored HTML and Markdown source of these posts, by id (one query; none for no
    ids): the JSON API sends the text where the page shows it, and the source to those who
    may edit it. Pages read the HTML through their cached fragments instead."""
    if not post_ids:
        return {}
    rows = Post.objects.filter(pk__in=post_ids).values_list("pk", "body_html", "body")
    return {pk: (body_html, body) for pk, body_html, body in rows}
