"""The hand-written SQL reads give what the ORM gives.

The busiest pages read with SQL of their own (``hearth.core.raw_rows``): the
thread with the viewer's state, a page of posts, the home and category lists,
the category by its slug, the viewer's mutes and content-note choices. Each
test here asks the same question of the ORM -- with ``hearth.forum.visibility``
for who may see what -- on one forum holding every state those reads must get
right, for several viewers, and compares every field the read returns, types
included: a SQLite 1 is not True, a naive datetime is not an aware one, a JSON
string is not a list. The last test checks that each read asks the database
router which database to read its model from.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from datetime import timezone as dt_timezone
from typing import Any

import pytest
from django.db import router
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.test import override_settings
from pytest_django.fixtures import Settings

from hearth.accounts.models import MemberMute, Role, User
from hearth.accounts.selectors import muted_member_ids
from hearth.accounts.services import mute_member
from hearth.core.http import SignInRequired
from hearth.core.testing import MakeMember
from hearth.forum import listings
from hearth.forum.listings import ThreadSummary
from hearth.forum.models import (
    Bookmark,
    Category,
    CategoryModerator,
    CategoryReadMark,
    Draft,
    FollowLevel,
    Post,
    Reaction,
    ReactionKind,
    ReadState,
    Thread,
    ThreadFollowing,
    Visibility,
)
from hearth.forum.post_rows import PostRow, page_post_rows
from hearth.forum.selectors import get_thread_for_viewer_or_404
from hearth.forum.services import (
    ContentNote,
    delete_post,
    edit_post,
    follow_thread,
    mark_category_read,
    mark_thread_read,
    reply_to_thread,
    save_draft,
    save_post,
    start_thread,
    toggle_reaction,
)
from hearth.forum.testing import MakeCategory
from hearth.forum.viewer import ANONYMOUS, Viewer, viewer_for
from hearth.forum.visibility import category_filter, thread_filter
from hearth.moderation.services import (
    edit_post_as_moderator,
    hide_post,
    lock_thread,
    move_thread,
    pin_thread,
    suspend_member,
)
from hearth.safety.models import ContentNoteLabel, ContentNotePreference, NoteChoice
from hearth.safety.selectors import labels_with_choices
from hearth.safety.services import set_note_preference

pytestmark = pytest.mark.django_db

_request_keys = itertools.count(1)

# --- The forum ------------------------------------------------------------------------


@dataclass(frozen=True)
class Forum:
    categories: tuple[Category, ...]
    busy: Category  # many threads: pinned, locked, held, muted, hidden by a note, tied
    conversation: Thread  # every kind of post
    reader: User  # the member whose state (reads, mutes, drafts, choices) the forum is full of
    viewers: dict[str, Viewer]

    @property
    def threads(self) -> list[Thread]:
        return list(Thread.objects.select_related("category").order_by("pk"))


@pytest.fixture
def forum(
    make_member: MakeMember,
    make_category: MakeCategory,
    settings: Settings,
) -> Forum:
    """Seven categories (public, members, moderators; one empty), threads in every state
    a list shows, a conversation with every kind of post, and members' private state."""
    settings.HEARTH_HOLD_FIRST_POSTS = 0
    reader = make_member(display_name="Reader")
    friend = make_member(display_name="Friend")
    muted_author = make_member(display_name="Muted author")
    blocked_author = make_member(display_name="Blocked author")
    leaving = make_member(display_name="Leaving member")
    resting = make_member(display_name="Resting member")
    suspended = make_member(display_name="Suspended member")
    global_moderator = make_member(role=Role.MODERATOR, display_name="Global moderator")
    category_moderator = make_member(role=Role.MODERATOR, display_name="Category moderator")

    public_walk = make_category(
        "Public walk", visibility=Visibility.PUBLIC, position=1, allow_anonymous=True
    )
    open_door = make_category("Open door", visibility=Visibility.PUBLIC, position=1)
    members_chat = make_category("Members chat", visibility=Visibility.MEMBERS, position=0)
    between = make_category("Between sessions", visibility=Visibility.MEMBERS, position=2)
    moderators_room = make_category("Moderators room", visibility=Visibility.MODERATORS, position=3)
    case_notes = make_category("Case notes", visibility=Visibility.MODERATORS, position=3)
    quiet = make_category("Quiet corner", visibility=Visibility.PUBLIC, position=4)
    for assigned in (members_chat, moderators_room):
        CategoryModerator.objects.create(category=assigned, member=category_moderator)

    label = {slug: ContentNoteLabel.objects.get(slug=slug) for slug in ("grief", "abuse", "trauma")}
    # No longer offered to authors, still named on old posts.
    ContentNoteLabel.objects.filter(slug="substances").update(is_active=False)

    def start(author: User, category: Category, title: str, **options: Any) -> Thread:
        return start_thread(
            author=author,
            category=category,
            title=title,
            body=f"{title}: it has been a long week.",
            request_key=f"raw-sql-{next(_request_keys)}",
            **options,
        )

    def reply(author: User, thread: Thread, body: str = "Sending a hug.", **options: Any) -> Post:
        return reply_to_thread(
            author=author,
            thread=thread,
            body=body,
            request_key=f"raw-sql-{next(_request_keys)}",
            **options,
        )

    def held(make: Callable[[], Any]) -> Any:
        """A newcomer's first post, held for a moderator."""
        settings.HEARTH_HOLD_FIRST_POSTS = 1
        try:
            return make()
        finally:
            settings.HEARTH_HOLD_FIRST_POSTS = 0

    # The reader's first thread waits for a moderator: they and moderators see it.
    held(lambda: start(reader, between, "My first thread"))

    # A busy members' category.
    house_rules = start(friend, members_chat, "House rules")
    welcome = start(global_moderator, members_chat, "Welcome")
    sleep = start(friend, members_chat, "Sleep")
    argument = start(muted_author, members_chat, "An old argument")
    start(friend, members_chat, "Hard memories", content_note=ContentNote(labels=(label["abuse"],)))
    noted_reply = start(friend, members_chat, "A reply carries the note")
    reply(muted_author, noted_reply, content_note=ContentNote(labels=(label["abuse"],)))
    held(lambda: start(make_member(), members_chat, "First steps"))
    tie_one = start(friend, members_chat, "Tie one")
    tie_two = start(blocked_author, members_chat, "Tie two")
    reply(muted_author, sleep)
    for pinned in (house_rules, welcome):
        pin_thread(moderator=global_moderator, thread=pinned, reason="Everyone should see it")
    lock_thread(moderator=global_moderator, thread=argument, reason="It went round in circles")
    noisy = start(friend, members_chat, "Noisy thread")
    reply(friend, noisy)  # the category's latest thread: muted by the reader
    # Posts written in the same instant: keyset pages must break ties by id.
    Thread.objects.filter(pk__in=[tie_one.pk, tie_two.pk]).update(
        last_post_at=Thread.objects.get(pk=sleep.pk).last_post_at
    )
    Thread.objects.filter(pk=house_rules.pk).update(
        last_post_at=Thread.objects.get(pk=welcome.pk).last_post_at
    )

    # Read before the reader marked the category read, and replied to after.
    start(friend, between, "Read before the mark")
    later = start(friend, between, "Replied after the mark")
    mark_category_read(member=reader, category=between)
    reply(muted_author, later)

    # A conversation with every kind of post.
    conversation = start(
        friend,
        public_walk,
        "Missing my therapist",
        content_note=ContentNote(labels=(label["grief"],), text="Loss of a parent"),
    )
    thinking = reply(muted_author, conversation, "Thinking of you.")
    reply(muted_author, conversation, "Me too, quietly.", anonymous=True)
    edited = reply(friend, conversation, "First words.")
    edit_post(editor=friend, post=edited, body="Better words.", base_revision=1)
    hidden = reply(blocked_author, conversation, "Something unkind.")
    deleted = reply(friend, conversation, "Posted too soon.")
    held(lambda: reply(make_member(), conversation, "Hello, I am new."))
    goodbye = reply(leaving, conversation, "Goodbye, all.")
    reply(resting, conversation, "Taking a break.")
    moderated = reply(category_moderator, conversation, "A link that should go.")
    reply(reader, conversation, "Thank you all.", content_note=ContentNote(text="Sad news"))
    reply(
        friend,
        conversation,
        "What happened to me.",
        content_note=ContentNote(labels=(label["abuse"], label["trauma"]), text="Abuse"),
    )
    first = Post.objects.get(thread=conversation, position=1)
    for member, post, kind in (
        (reader, first, ReactionKind.ME_TOO),
        (reader, edited, ReactionKind.HUG),
        (reader, edited, ReactionKind.HEART),
        (reader, hidden, ReactionKind.THANKS),
        (reader, deleted, ReactionKind.HUG),
        (global_moderator, edited, ReactionKind.THANKS),
        (friend, thinking, ReactionKind.HEART),
        (leaving, thinking, ReactionKind.HUG),
    ):
        toggle_reaction(member=member, post=post, kind=kind)
    # Saved before the post was hidden or deleted: the bookmarks stay, the rows say so.
    for member, post in (
        (reader, first),
        (reader, edited),
        (reader, hidden),
        (reader, deleted),
        (global_moderator, thinking),
    ):
        save_post(member=member, post=post)
    hide_post(moderator=global_moderator, post=hidden, reason="Unkind to another member")
    delete_post(member=friend, post=deleted)
    edit_post_as_moderator(
        moderator=global_moderator,
        post=moderated,
        body="(link removed)",
        base_revision=1,
        reason="No links to clinics",
    )
    goodbye.author.delete()  # type: ignore[union-attr]  # the account is gone, the post stays
    User.objects.filter(pk=resting.pk).update(is_active=False)

    # Public threads: one read to the end, one carrying a note a moderator hides.
    open_thread = start(friend, open_door, "Open thread")
    reply(muted_author, open_thread)
    start(friend, open_door, "Trauma note", content_note=ContentNote(labels=(label["trauma"],)))
    # A public category whose latest thread now lives in a moderators' category. Replies
    # that raced a move left such rows (they were counted in the category the thread had
    # left); home must judge the thread by its own category, not the card's.
    wrong_room = start(friend, public_walk, "Wrong room")
    move_thread(moderator=global_moderator, thread=wrong_room, to=case_notes, reason="Private")
    Category.objects.filter(pk=public_walk.pk).update(
        last_thread_id=wrong_room.pk, last_thread_title=wrong_room.title
    )
    start(category_moderator, moderators_room, "Rota")
    start(global_moderator, case_notes, "Case review")

    # The reader's private state.
    follow_thread(member=reader, thread=noisy, level=FollowLevel.MUTED)
    set_note_preference(member=reader, label=label["abuse"], choice=NoteChoice.HIDE)
    set_note_preference(member=reader, label=label["grief"], choice=NoteChoice.SHOW)
    set_note_preference(member=reader, label=label["trauma"], choice=NoteChoice.SHOW)
    set_note_preference(member=reader, label=label["trauma"], choice=NoteChoice.COLLAPSE)
    mute_member(member=reader, target=muted_author)
    mute_member(member=reader, target=blocked_author, block=True)
    for thread, position in ((conversation, 5), (open_thread, 2), (sleep, 1)):
        mark_thread_read(member=reader, thread=thread, up_to_position=position, known_position=None)
    save_draft(member=reader, thread=conversation, body="I wanted to say")
    save_draft(member=reader, category=public_walk, title="A new thread", body="Not this one")

    # Someone else's, which must never show through the reader's.
    follow_thread(member=global_moderator, thread=argument, level=FollowLevel.MUTED)
    set_note_preference(member=global_moderator, label=label["trauma"], choice=NoteChoice.HIDE)
    mute_member(member=global_moderator, target=friend)
    mark_category_read(member=global_moderator, category=members_chat)
    mark_thread_read(
        member=global_moderator, thread=conversation, up_to_position=12, known_position=None
    )
    save_draft(member=global_moderator, thread=sleep, body="Have you tried")
    toggle_reaction(member=category_moderator, post=edited, kind=ReactionKind.HUG)

    suspend_member(
        moderator=global_moderator, member=suspended, days=3, partial=False, reason="Cooling off"
    )
    viewers = {
        "visitor": ANONYMOUS,
        "member": viewer_for(reader),
        "category moderator": viewer_for(category_moderator),
        "global moderator": viewer_for(global_moderator),
        "suspended member": viewer_for(User.objects.get(pk=suspended.pk)),
    }
    categories = (public_walk, open_door, members_chat, between, moderators_room, case_notes, quiet)
    return Forum(
        categories=tuple(Category.objects.get(pk=category.pk) for category in categories),
        busy=Category.objects.get(pk=members_chat.pk),
        conversation=Thread.objects.get(pk=conversation.pk),
        reader=reader,
        viewers=viewers,
    )


# --- Comparing values, types included ---------------------------------------------------


def _typed(value: object) -> object:
    """A value with its exact type (True is not 1) and, for a moment, its UTC offset
    (an aware datetime is not a naive one)."""
    if isinstance(value, datetime):
        return (datetime, value, value.utcoffset())
    if isinstance(value, list):
        return (list, [_typed(each) for each in value])
    return (type(value), value)


def _differences(found: list[dict[str, object]], expected: list[dict[str, object]]) -> list[str]:
    """What differs, row by row and field by field; empty when they agree."""
    problems = [] if len(found) == len(expected) else [f"{len(found)} rows, not {len(expected)}"]
    for index, (row, wanted) in enumerate(zip(found, expected, strict=False)):
        problems += [
            f"row {index} (id {wanted.get('id')}) {key}: "
            f"{row.get(key, '-')!r} != {wanted.get(key, '-')!r}"
            for key in sorted(row.keys() | wanted.keys())
            if row.get(key, "-") != wanted.get(key, "-")
        ]
    return problems


def _model_record(instance: Model) -> dict[str, object]:
    return {
        field.attname: _typed(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
    }


def _attnames(model: type[Model]) -> set[str]:
    return {field.attname for field in model._meta.concrete_fields}


# --- The ORM's answers ------------------------------------------------------------------


def _orm_listed(viewer: Viewer) -> QuerySet[Thread]:
    """Threads the viewer sees in lists: visible (the policy's filter), not muted, and
    carrying no content note they chose to hide."""
    threads = Thread.objects.filter(thread_filter(viewer)).select_related("category")
    if viewer.member_id is None:
        return threads
    muted = ThreadFollowing.objects.filter(
        member_id=viewer.member_id, thread=OuterRef("pk"), level=FollowLevel.MUTED
    )
    hidden = ContentNotePreference.objects.filter(
        member_id=viewer.member_id, choice=NoteChoice.HIDE
    ).values("label_id")
    return threads.exclude(Exists(muted)).exclude(content_notes__in=hidden)


@dataclass(frozen=True)
class _ReadMarkers:
    """A member's read positions (by thread) and "mark category read" moments."""

    positions: dict[int, int]
    marks: dict[int, datetime]

    @classmethod
    def of(cls, viewer: Viewer) -> _ReadMarkers:
        return cls(
            positions=dict(
                ReadState.objects.filter(member_id=viewer.member_id).values_list(
                    "thread_id", "last_read_position"
                )
            ),
            marks=dict(
                CategoryReadMark.objects.filter(member_id=viewer.member_id).values_list(
                    "category_id", "marked_at"
                )
            ),
        )

    def is_unread(self, viewer: Viewer, thread: Thread) -> bool:
        """Active since the member marked its category read, and not read to its end."""
        if viewer.member_id is None:
            return False
        marked_at = self.marks.get(thread.category_id)
        if marked_at is not None and thread.last_post_at <= marked_at:
            return False
        return self.positions.get(thread.pk, 0) < thread.last_position


def _orm_summaries(viewer: Viewer, threads: QuerySet[Thread]) -> list[dict[str, object]]:
    markers = _ReadMarkers.of(viewer)
    return [_orm_summary(viewer, thread, markers) for thread in threads]


def _orm_summary(viewer: Viewer, thread: Thread, markers: _ReadMarkers) -> dict[str, object]:
    record: dict[str, object] = {}
    for each in fields(ThreadSummary):
        if each.name in _attnames(Thread):
            value = getattr(thread, each.name)
        elif each.name.removeprefix("category_") in _attnames(Category):
            value = getattr(thread.category, each.name.removeprefix("category_"))
        elif each.name == "is_unread":
            value = markers.is_unread(viewer, thread)
        else:
            pytest.fail(f"ThreadSummary.{each.name} is new: give its ORM value here")
        record[each.name] = _typed(value)
    return record


def _summary_record(summary: ThreadSummary) -> dict[str, object]:
    return {each.name: _typed(getattr(summary, each.name)) for each in fields(ThreadSummary)}


_CATEGORY_ORDER = ("-is_pinned", "-last_post_at", "-id")


def _pages(
    viewer: Viewer, category: Category, limit: int, shift: dt_timezone = UTC
) -> Iterator[list[ThreadSummary]]:
    """A category's pages of ``limit`` rows, each continuing after the last row of the one
    before (its moment given in ``shift``'s time, as a cursor from a URL may be)."""
    after = None
    for _page in range(50):
        rows = listings.category_listing(viewer, category.pk, after, limit)
        if not rows:
            return
        yield rows
        last = rows[-1]
        after = (last.is_pinned, last.last_post_at.astimezone(shift), last.pk)
    pytest.fail("the category's pages never end")


# --- The thread query -------------------------------------------------------------------


def test_the_thread_query_matches_the_orm_for_every_viewer_and_thread(forum: Forum) -> None:
    threads = forum.threads
    missing_id = max(thread.pk for thread in threads) + 1

    for (name, viewer), thread in itertools.product(forum.viewers.items(), threads):
        visible = Thread.objects.filter(thread_filter(viewer), pk=thread.pk).exists()
        expected_state = {
            "viewer_read_position": ReadState.objects.filter(
                member_id=viewer.member_id, thread=thread
            )
            .values_list("last_read_position", flat=True)
            .first(),
            "viewer_draft": Draft.objects.filter(member_id=viewer.member_id, thread=thread)
            .values_list("body", flat=True)
            .first(),
            "viewer_follow_level": ThreadFollowing.objects.filter(
                member_id=viewer.member_id, thread=thread
            )
            .values_list("level", flat=True)
            .first()
            or "",
        }
        for with_state in (False, True):
            context = f"{name}, thread {thread.title!r}, with_viewer_state={with_state}"
            if not visible:
                with pytest.raises(Http404 if viewer.is_member else SignInRequired):
                    get_thread_for_viewer_or_404(viewer, thread.pk, with_viewer_state=with_state)
                continue

            loaded = get_thread_for_viewer_or_404(viewer, thread.pk, with_viewer_state=with_state)

            assert _model_record(loaded) == _model_record(thread), context
            assert _model_record(loaded.category) == _model_record(thread.category), context
            assert loaded.get_deferred_fields() == set(), context
            assert (loaded._state.db, loaded._state.adding) == ("default", False), context
            state = {key: loaded.__dict__.get(key, "absent") for key in expected_state}
            if with_state and viewer.is_member:
                assert {key: _typed(value) for key, value in state.items()} == {
                    key: _typed(value) for key, value in expected_state.items()
                }, context
            else:
                assert set(state.values()) == {"absent"}, context

    for viewer in forum.viewers.values():
        with pytest.raises(Http404 if viewer.is_member else SignInRequired):
            get_thread_for_viewer_or_404(viewer, missing_id, with_viewer_state=True)


# --- A page of posts --------------------------------------------------------------------


@dataclass(frozen=True)
class _ReaderState:
    """Whom a reader muted, the reactions they gave each post, and the posts they saved."""

    muted: frozenset[int]
    reactions: dict[int, frozenset[str]]
    saved: frozenset[int]

    @classmethod
    def of(cls, reader_id: int | None) -> _ReaderState:
        given: dict[int, set[str]] = {}
        for post_id, kind in Reaction.objects.filter(member_id=reader_id).values_list(
            "post_id", "kind"
        ):
            given.setdefault(post_id, set()).add(kind)
        return cls(
            muted=frozenset(
                MemberMute.objects.filter(member_id=reader_id).values_list("muted_id", flat=True)
            ),
            reactions={post_id: frozenset(kinds) for post_id, kinds in given.items()},
            saved=frozenset(
                Bookmark.objects.filter(member_id=reader_id).values_list("post_id", flat=True)
            ),
        )


def _orm_post_record(post: Post, reader: _ReaderState, thread: Thread) -> dict[str, object]:
    record: dict[str, object] = {}
    for each in fields(PostRow):
        account_field = each.name.removeprefix("author_")
        if each.name == "body_html":
            value = None  # read only for the fragments that must be rendered
        elif each.name in _attnames(Post):
            value = getattr(post, each.name)
        elif account_field in _attnames(User):
            value = getattr(post.author, account_field) if post.author else None
        elif each.name == "thread":
            value = thread
        elif each.name == "reader_muted_author":
            value = post.author_id in reader.muted
        elif each.name == "reader_reactions":
            value = reader.reactions.get(post.pk, frozenset())
        elif each.name == "reader_saved":
            value = post.pk in reader.saved
        else:
            pytest.fail(f"PostRow.{each.name} is new: give its ORM value here")
        record[each.name] = _typed(value)
    return record


def _post_row_record(row: PostRow) -> dict[str, object]:
    return {each.name: _typed(getattr(row, each.name)) for each in fields(PostRow)}


def test_a_page_of_posts_matches_the_orm_for_every_reader_order_and_range(forum: Forum) -> None:
    thread = forum.conversation
    last = thread.last_position
    readers = {name: viewer.member_id for name, viewer in forum.viewers.items()}
    states = {reader_id: _ReaderState.of(reader_id) for reader_id in readers.values()}
    ranges = [(1, last), (2, last), (4, 9), (last, last), (last + 1, last + 20)]

    checked = 0
    for (name, reader_id), (lowest, highest), newest_first, with_original in itertools.product(
        readers.items(), ranges, (False, True), (False, True)
    ):
        wanted = Q(position__range=(lowest, highest))
        if with_original:
            wanted |= Q(position=1)
        expected = [
            _orm_post_record(post, states[reader_id], thread)
            for post in Post.objects.select_related("author")
            .filter(wanted, thread=thread)
            .order_by("-position" if newest_first else "position")
        ]

        rows = page_post_rows(
            thread,
            lowest,
            highest,
            newest_first=newest_first,
            with_original=with_original,
            reader_id=reader_id,
        )

        assert _differences([_post_row_record(row) for row in rows], expected) == [], (
            f"{name}: positions {lowest}-{highest}, newest_first={newest_first}, "
            f"with_original={with_original}"
        )
        assert all(row.thread is thread for row in rows)
        checked += len(rows)
    assert checked > 0


# --- Lists ------------------------------------------------------------------------------


def test_every_category_listing_matches_the_orm_in_order_and_read_state(forum: Forum) -> None:
    for (name, viewer), category in itertools.product(forum.viewers.items(), forum.categories):
        expected = _orm_summaries(
            viewer, _orm_listed(viewer).filter(category=category).order_by(*_CATEGORY_ORDER)
        )

        rows = listings.category_listing(viewer, category.pk, None, limit=100)

        assert _differences([_summary_record(row) for row in rows], expected) == [], (
            f"{name} in {category.name}"
        )


def test_category_pages_continue_where_the_last_one_ended(forum: Forum) -> None:
    utc_plus_5_30 = dt_timezone(timedelta(hours=5, minutes=30))
    for (name, viewer), category in itertools.product(forum.viewers.items(), forum.categories):
        everything = _orm_summaries(
            viewer, _orm_listed(viewer).filter(category=category).order_by(*_CATEGORY_ORDER)
        )
        for limit, shift in itertools.product((1, 2, 3), (UTC, utc_plus_5_30)):
            pages = list(_pages(viewer, category, limit, shift))

            assert all(len(page) <= limit for page in pages)
            found = [_summary_record(row) for page in pages for row in page]
            assert _differences(found, everything) == [], (
                f"{name} in {category.name}, {limit} a page, cursor in {shift}"
            )


def test_recent_activity_matches_the_orm(forum: Forum) -> None:
    for name, viewer in forum.viewers.items():
        markers = _ReadMarkers.of(viewer)
        expected = {
            thread.pk: _orm_summary(viewer, thread, markers)
            for thread in _orm_listed(viewer).order_by("-last_post_at", "-id")
        }
        moments = [record["last_post_at"] for record in expected.values()]
        for limit in (1, 3, 10, 100):
            rows = listings.recent_listing(viewer, limit)

            # The query orders by the moment alone: threads active in the same instant
            # may come in either order, so each row is compared with its ORM row.
            found = [_summary_record(row) for row in rows]
            assert _differences(found, [expected[row.pk] for row in rows]) == [], name
            assert [_typed(row.last_post_at) for row in rows] == moments[:limit], name
            assert len({row.pk for row in rows}) == len(rows), name


def test_home_categories_match_the_orm(forum: Forum) -> None:
    for name, viewer in forum.viewers.items():
        readable = list(
            Category.objects.filter(category_filter(viewer)).order_by("position", "name")
        )
        last_ids = [category.last_thread_id for category in readable if category.last_thread_id]
        listed_last = frozenset(
            _orm_listed(viewer).filter(pk__in=last_ids).values_list("pk", flat=True)
        )

        categories, listed = listings.home_categories(viewer)

        found = [_model_record(category) for category in categories]
        assert _differences(found, [_model_record(each) for each in readable]) == [], name
        assert listed == listed_last, name


def test_a_category_by_its_slug_matches_the_orm(forum: Forum) -> None:
    for category in Category.objects.all():
        found = listings.category_by_slug(category.slug)

        assert found is not None
        assert _model_record(found) == _model_record(category)
    assert listings.category_by_slug("no-such-category") is None


# --- The viewer's choices ---------------------------------------------------------------


def test_muted_member_ids_match_the_orm(forum: Forum) -> None:
    for name, viewer in forum.viewers.items():
        if viewer.member is None:
            continue
        expected = frozenset(
            MemberMute.objects.filter(member=viewer.member).values_list("muted_id", flat=True)
        )

        assert muted_member_ids(viewer.member) == expected, name


def test_labels_with_choices_match_the_orm(forum: Forum) -> None:
    labels = list(ContentNoteLabel.objects.order_by("position", "name"))
    for name, viewer in forum.viewers.items():
        choices = dict(
            ContentNotePreference.objects.filter(member_id=viewer.member_id).values_list(
                "label_id", "choice"
            )
        )

        found = labels_with_choices(viewer.member)

        assert found.names == {label.pk: label.name for label in labels}, name
        assert found.offered == tuple((label.pk, label.name) for label in labels if label.is_active)
        assert found.choices == choices, name
        # The names come in the labels' order, their ids as ints.
        assert [_typed(key) for key in found.names] == [_typed(label.pk) for label in labels]


# --- The forum holds what the comparisons need ------------------------------------------


def test_the_forum_holds_every_state_the_reads_must_get_right(forum: Forum) -> None:
    """Without these the comparisons above could agree about nothing."""
    posts = Post.objects.filter(thread=forum.conversation)
    reader = forum.reader
    busy = Thread.objects.filter(category=forum.busy)
    visibilities = [category.visibility for category in forum.categories]
    busiest_moments = list(busy.values_list("last_post_at", flat=True))
    busy_latest, public_latest = forum.busy.last_thread_id, forum.categories[0].last_thread_id
    assert busy_latest is not None
    assert public_latest is not None

    assert {Visibility(each): visibilities.count(each) for each in visibilities} == {
        Visibility.PUBLIC: 3,
        Visibility.MEMBERS: 2,
        Visibility.MODERATORS: 2,
    }
    assert busy.filter(is_pinned=True).count() == 2
    assert busy.filter(is_locked=True).exists()
    assert busy.filter(is_held=True).exists()
    assert Thread.objects.filter(is_held=True, author=reader).exists()
    assert len(busiest_moments) - len(set(busiest_moments)) >= 2  # ties
    assert ThreadFollowing.objects.filter(
        member=reader, thread_id=busy_latest, level=FollowLevel.MUTED
    ).exists()
    assert Thread.objects.filter(
        content_notes__slug="abuse", category=forum.busy, is_held=False
    ).exists()
    assert CategoryReadMark.objects.filter(member=reader).exists()
    member = forum.viewers["member"]
    markers = _ReadMarkers.of(member)
    assert {markers.is_unread(member, thread) for thread in _orm_listed(member)} == {False, True}
    assert posts.filter(is_anonymous=True, author__isnull=False).exists()
    assert posts.filter(is_deleted=True).exists()
    assert posts.filter(is_hidden=True).exclude(hidden_reason="").exists()
    assert posts.filter(is_held=True).exists()
    assert posts.filter(author__isnull=True).exists()
    assert posts.filter(author__is_active=False).exists()
    assert posts.filter(edited_at__isnull=False).exclude(edited_by_name=F("author_name")).exists()
    assert posts.exclude(note_label_ids=[]).exists()
    assert Reaction.objects.filter(member=reader, post__is_hidden=True).exists()
    assert MemberMute.objects.filter(member=reader, is_block=True).exists()
    assert Draft.objects.filter(member=reader, thread__isnull=True).exists()
    assert ContentNoteLabel.objects.filter(is_active=False).exists()
    # A category's latest thread lives in another category (see the fixture).
    assert Thread.objects.get(pk=public_latest).category_id != forum.categories[0].pk
    assert {viewer.is_paused for viewer in forum.viewers.values()} == {False, True}


# --- The router -------------------------------------------------------------------------


class RecordingRouter:
    """Sends every read to the default database, noting which model it was asked about."""

    def __init__(self) -> None:
        self.asked: list[type[Model]] = []

    def db_for_read(self, model: type[Model], **hints: object) -> str:
        self.asked.append(model)
        return "default"


def test_every_raw_read_asks_the_router_for_its_model(forum: Forum) -> None:
    viewer = forum.viewers["member"]
    reader = forum.reader
    thread = forum.conversation
    category = forum.busy
    moment = datetime.now(tz=UTC)
    reads: dict[str, tuple[Callable[[], object], type[Model]]] = {
        "home_categories": (lambda: listings.home_categories(viewer), Category),
        "category_by_slug": (lambda: listings.category_by_slug(category.slug), Category),
        "category_listing": (
            lambda: listings.category_listing(viewer, category.pk, None, 5),
            Thread,
        ),
        "category_listing, continued": (
            lambda: listings.category_listing(viewer, category.pk, (False, moment, 1), 5),
            Thread,
        ),
        "recent_listing": (lambda: listings.recent_listing(viewer, 10), Thread),
        "thread": (lambda: get_thread_for_viewer_or_404(viewer, thread.pk), Thread),
        "thread with the viewer's state": (
            lambda: get_thread_for_viewer_or_404(viewer, thread.pk, with_viewer_state=True),
            Thread,
        ),
        "page_post_rows": (
            lambda: page_post_rows(
                thread, 2, 5, newest_first=True, with_original=True, reader_id=reader.pk
            ),
            Post,
        ),
        "muted_member_ids": (lambda: muted_member_ids(reader), MemberMute),
        "labels_with_choices": (lambda: labels_with_choices(reader), ContentNoteLabel),
    }

    asked: dict[str, set[type[Model]]] = {}
    with override_settings(DATABASE_ROUTERS=[f"{__name__}.{RecordingRouter.__name__}"]):
        (recorder,) = router.routers
        assert isinstance(recorder, RecordingRouter)
        for name, (read, _model) in reads.items():
            recorder.asked.clear()
            read()
            asked[name] = set(recorder.asked)

    assert asked == {name: {model} for name, (_read, model) in reads.items()}
    assert not any(isinstance(each, RecordingRouter) for each in router.routers)
