"""The denormalised counters agree with a count from scratch, whatever happens.

The property test runs random sequences of the changes that touch them --
new threads and replies (some held for approval), approving, rejecting,
hiding, restoring, deleting and moving -- and after every one compares each
thread's and category's numbers with an oracle worked out here, in plain
Python, from the Post and Thread rows (``hearth.forum.counters`` is not used).
The named tests below pin the bugs the counters once had, the last two when a
service is handed a thread loaded before someone else moved it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

import hypothesis
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from hearth.accounts.models import Role, User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Post, Thread
from hearth.forum.services import delete_post, reply_to_thread, start_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.models import AuditAction, AuditEntry, ModeratorNotice
from hearth.moderation.services import (
    approve_post,
    hide_post,
    lock_thread,
    move_thread,
    reject_post,
    restore_post,
)

pytestmark = pytest.mark.django_db


# --- The oracle: the rule of hearth.forum.counters, worked out again from the rows -------------


class ThreadNumbers(NamedTuple):
    reply_count: int
    last_post_id: int | None
    last_post_at: datetime
    last_poster_name: str


class CategoryNumbers(NamedTuple):
    thread_count: int
    post_count: int
    last_thread_id: int | None
    last_post_at: datetime | None
    last_thread_title: str
    last_poster_name: str


class PostRow(NamedTuple):
    pk: int
    position: int
    created_at: datetime
    author_name: str
    is_held: bool
    is_deleted: bool

    @property
    def counts(self) -> bool:
        return not self.is_held and not self.is_deleted


class ThreadRow(NamedTuple):
    pk: int
    category_id: int
    title: str
    is_held: bool


def expected_numbers() -> tuple[dict[int, ThreadNumbers], dict[int, CategoryNumbers]]:
    """Every thread's and category's numbers, counted from scratch in Python."""
    posts: dict[int, list[PostRow]] = defaultdict(list)
    for (
        pk,
        thread_id,
        position,
        created_at,
        author_name,
        is_held,
        is_deleted,
    ) in Post.objects.values_list(
        "pk", "thread_id", "position", "created_at", "author_name", "is_held", "is_deleted"
    ):
        posts[thread_id].append(PostRow(pk, position, created_at, author_name, is_held, is_deleted))
    threads = [
        ThreadRow(*row)
        for row in Thread.objects.values_list("pk", "category_id", "title", "is_held")
    ]

    thread_numbers: dict[int, ThreadNumbers] = {}
    for thread in threads:
        counted = [post for post in posts[thread.pk] if post.counts]
        if counted:
            last = max(counted, key=lambda post: post.position)
        else:
            [last] = [post for post in posts[thread.pk] if post.position == 1]
        thread_numbers[thread.pk] = ThreadNumbers(
            reply_count=sum(1 for post in counted if post.position > 1),
            last_post_id=last.pk,
            last_post_at=last.created_at,
            last_poster_name=last.author_name,
        )

    category_numbers: dict[int, CategoryNumbers] = {}
    for category_id in Category.objects.values_list("pk", flat=True):
        counted_threads = [
            thread for thread in threads if thread.category_id == category_id and not thread.is_held
        ]
        latest = max(
            counted_threads,
            key=lambda thread: (thread_numbers[thread.pk].last_post_at, thread.pk),
            default=None,
        )
        category_numbers[category_id] = CategoryNumbers(
            thread_count=len(counted_threads),
            post_count=sum(
                1 for thread in counted_threads for post in posts[thread.pk] if post.counts
            ),
            last_thread_id=latest.pk if latest else None,
            last_post_at=thread_numbers[latest.pk].last_post_at if latest else None,
            last_thread_title=latest.title if latest else "",
            last_poster_name=thread_numbers[latest.pk].last_poster_name if latest else "",
        )
    return thread_numbers, category_numbers


def stored_numbers() -> tuple[dict[int, ThreadNumbers], dict[int, CategoryNumbers]]:
    """The numbers the forum keeps in its Thread and Category rows."""
    threads = {
        pk: ThreadNumbers(reply_count, last_post_id, last_post_at, last_poster_name)
        for pk, reply_count, last_post_id, last_post_at, last_poster_name in (
            Thread.objects.values_list(
                "pk", "reply_count", "last_post_id", "last_post_at", "last_poster_name"
            )
        )
    }
    categories = {
        pk: CategoryNumbers(thread_count, post_count, last_thread_id, last_post_at, title, poster)
        for pk, thread_count, post_count, last_thread_id, last_post_at, title, poster in (
            Category.objects.values_list(
                "pk",
                "thread_count",
                "post_count",
                "last_thread_id",
                "last_post_at",
                "last_thread_title",
                "last_poster_name",
            )
        )
    }
    return threads, categories


def assert_numbers_are_true(after: str = "") -> None:
    """Every stored counter equals the oracle's, and the held flags agree."""
    expected_threads, expected_categories = expected_numbers()
    stored_threads, stored_categories = stored_numbers()
    wrong_threads = {
        pk: {"stored": stored_threads[pk], "expected": expected}
        for pk, expected in expected_threads.items()
        if stored_threads[pk] != expected
    }
    wrong_categories = {
        pk: {"stored": stored_categories[pk], "expected": expected}
        for pk, expected in expected_categories.items()
        if stored_categories[pk] != expected
    }
    assert not wrong_threads, f"thread numbers drifted after {after}: {wrong_threads}"
    assert not wrong_categories, f"category numbers drifted after {after}: {wrong_categories}"
    # A thread is held exactly when its original post is, and remembers its last position.
    for pk, is_held, last_position in Thread.objects.values_list("pk", "is_held", "last_position"):
        original = Post.objects.get(thread_id=pk, position=1)
        assert original.is_held == is_held, f"thread {pk} held={is_held}, original post not"
        positions = Post.objects.filter(thread_id=pk).values_list("position", flat=True)
        assert last_position == max(positions), f"thread {pk} last_position {last_position}"


# --- The property test -------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One change; ``pick`` and ``choice`` choose what it applies to, modulo what exists."""

    action: str
    pick: int
    choice: int


ACTIONS = (
    "start_by_newcomer",  # a brand-new member: held
    "start_by_member",  # an established member: published
    "start_by_moderator",  # never held
    "reply_by_newcomer",
    "reply_by_waiting_newcomer",  # a newcomer from earlier in the run writes again
    "reply_by_member",
    "reply_by_moderator",
    "approve",
    "reject",
    "hide",
    "restore",
    "delete",
    "move",
)

steps = st.builds(
    Step,
    action=st.sampled_from(ACTIONS),
    pick=st.integers(min_value=0, max_value=3),
    choice=st.integers(min_value=0, max_value=5),
)


@dataclass
class Forum:
    """What one example works with; its rows are rolled back when the example ends."""

    moderator: User
    categories: list[Category]
    members: list[User]
    make_member: MakeMember
    newcomers: list[User] = field(default_factory=list)
    keys: Iterator[int] = field(default_factory=lambda: iter(range(1, 10_000)))

    def key(self) -> str:
        return f"counters-{next(self.keys)}"

    def threads(self) -> list[Thread]:
        return list(Thread.objects.select_related("category", "author").order_by("pk"))

    def posts(self) -> list[Post]:
        return list(
            Post.objects.select_related("thread__category", "thread__author", "author").order_by(
                "pk"
            )
        )

    def author(self, action: str, choice: int) -> tuple[User, bool | None]:
        """The author a step writes as, and whether their post must be held (None: either)."""
        if action.endswith("_by_moderator"):
            return self.moderator, False
        if action.endswith("_by_member"):
            return self.members[choice % len(self.members)], False
        if action.endswith("_by_waiting_newcomer") and self.newcomers:
            return self.newcomers[choice % len(self.newcomers)], None
        newcomer = self.make_member()
        self.newcomers.append(newcomer)
        return newcomer, True


def _pick[T](items: list[T], index: int) -> T | None:
    return items[index % len(items)] if items else None


def _audits(action: AuditAction) -> int:
    return AuditEntry.objects.filter(action=action).count()


def _write(forum: Forum, step: Step) -> str:
    author, must_hold = forum.author(step.action, step.choice)
    # Established members are never held; everyone else meets HEARTH_HOLD_FIRST_POSTS=1.
    limit = 0 if step.action.endswith("_by_member") else 1
    with override_settings(HEARTH_HOLD_FIRST_POSTS=limit):
        if step.action.startswith("start"):
            category = forum.categories[step.pick % len(forum.categories)]
            thread = start_thread(
                author=author,
                category=category,
                title=f"Thread {forum.key()}",
                body="Hi",
                request_key=forum.key(),
            )
            post = Post.objects.get(thread=thread, position=1)
        else:
            target = _pick(forum.threads(), step.pick)
            if target is None:
                return "reply: no thread yet"
            if target.is_held and author not in (forum.moderator, target.author):
                # Only its author and moderators see a held thread, so only they reply.
                with pytest.raises(PermissionDenied):
                    reply_to_thread(
                        author=author, thread=target, body="Hi", request_key=forum.key()
                    )
                return "reply: refused in a held thread"
            post = reply_to_thread(author=author, thread=target, body="Hi", request_key=forum.key())
    if must_hold is not None:
        assert post.is_held == must_hold
    kind = "thread" if post.is_original_post else "reply"
    return f"{kind}: {'held' if post.is_held else 'published'}" + (
        " in a held thread" if post.thread.is_held and not post.is_original_post else ""
    )


class Before(NamedTuple):
    """A post's flags before a step: the services may update the object they are given."""

    is_held: bool
    is_hidden: bool
    is_original_post: bool
    is_deleted: bool = False

    @classmethod
    def of(cls, post: Post) -> Before:
        return cls(post.is_held, post.is_hidden, post.is_original_post, post.is_deleted)

    def __str__(self) -> str:
        flags = [
            name
            for name, on in (
                ("held", self.is_held),
                ("hidden", self.is_hidden),
                ("deleted", self.is_deleted),
            )
            if on
        ]
        kind = "original post" if self.is_original_post else "reply"
        return f"{' '.join(flags) or 'published'} {kind}"


def _label(step: Step) -> str:
    return f"{step.action}{' twice' if _twice(step) else ''}"


def _twice(step: Step) -> bool:
    """Whether a moderator action is done twice (a second tab, a double click)."""
    return step.choice % 2 == 1


def _approve(forum: Forum, step: Step) -> str:
    posts = forum.posts()
    post = _pick([post for post in posts if post.is_held] or posts, step.pick)
    if post is None:
        return f"{_label(step)}: no post yet"
    was, audits = Before.of(post), _audits(AuditAction.APPROVE_POST)
    if was.is_held and (was.is_hidden or was.is_deleted):
        # Rejected earlier, or deleted by its author: refused, and nothing changes.
        with pytest.raises(ValidationError):
            approve_post(moderator=forum.moderator, post=post)
        assert Post.objects.get(pk=post.pk).is_held
        assert _audits(AuditAction.APPROVE_POST) == audits
        return f"{_label(step)}: refused, {was}"
    for _time in range(1 + _twice(step)):
        approve_post(moderator=forum.moderator, post=post)
    assert not Post.objects.get(pk=post.pk).is_held
    assert _audits(AuditAction.APPROVE_POST) - audits == int(was.is_held)
    return f"{_label(step)}: {was}"


def _reject(forum: Forum, step: Step) -> str:
    posts = forum.posts()
    waiting = [post for post in posts if post.is_held and not post.is_hidden]
    post = _pick(waiting or posts, step.pick)
    if post is None:
        return f"{_label(step)}: no post yet"
    was, audits = Before.of(post), _audits(AuditAction.REJECT_POST)
    for _time in range(1 + _twice(step)):
        reject_post(moderator=forum.moderator, post=post, reason="Not for here")
    rejected = was.is_held and not was.is_hidden
    assert _audits(AuditAction.REJECT_POST) - audits == int(rejected)
    return f"{_label(step)}: {was}"


def _hide_or_restore(forum: Forum, step: Step) -> str:
    post = _pick(forum.posts(), step.pick)
    if post is None:
        return f"{_label(step)}: no post yet"
    hide = step.action == "hide"
    action = AuditAction.HIDE_POST if hide else AuditAction.RESTORE_POST
    was, audits = Before.of(post), _audits(action)
    for _time in range(1 + _twice(step)):
        (hide_post if hide else restore_post)(moderator=forum.moderator, post=post, reason="Why")
    assert Post.objects.get(pk=post.pk).is_hidden == hide
    assert _audits(action) - audits == int(was.is_hidden != hide)
    return f"{_label(step)}: {was}"


def _move(forum: Forum, step: Step) -> str:
    thread = _pick(forum.threads(), step.pick)
    if thread is None:
        return "move: no thread yet"
    to = forum.categories[step.choice % len(forum.categories)]
    source_id, was_held = thread.category_id, thread.is_held
    audits = _audits(AuditAction.MOVE_THREAD)
    move_thread(moderator=forum.moderator, thread=thread, to=to, reason="Fits better there")
    assert Thread.objects.get(pk=thread.pk).category_id == to.pk
    assert _audits(AuditAction.MOVE_THREAD) - audits == int(source_id != to.pk)
    if source_id == to.pk:
        return "move: to where it is"
    return f"move: {'held' if was_held else 'published'} thread"


def _delete(forum: Forum, step: Step) -> str:
    deletable = [post for post in forum.posts() if not post.is_deleted and post.author]
    preferred = (
        [post for post in deletable if post.is_held],
        [post for post in deletable if post.is_original_post],
        deletable,
    )[step.choice % 3]
    post = _pick(preferred or deletable, step.pick)
    if post is None or post.author is None:
        return "delete: nothing to delete"
    was = Before.of(post)
    delete_post(member=post.author, post=post)
    assert Post.objects.get(pk=post.pk).is_deleted
    return f"delete: {was}"


CHANGES = {
    "approve": _approve,
    "reject": _reject,
    "hide": _hide_or_restore,
    "restore": _hide_or_restore,
    "move": _move,
    "delete": _delete,
}


def apply(forum: Forum, step: Step) -> str:
    """Make the change; return what it did, for Hypothesis's statistics."""
    if step.action.startswith(("start_", "reply_")):
        return _write(forum, step)
    return CHANGES[step.action](forum, step)


STARTS = [action for action in ACTIONS if action.startswith("start_")]


@hypothesis.settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    category_count=st.integers(min_value=2, max_value=3),
    first=st.builds(
        Step, action=st.sampled_from(STARTS), pick=st.integers(0, 2), choice=st.just(0)
    ),
    sequence=st.lists(steps, min_size=5, max_size=30),
)
def test_the_counters_match_a_count_from_scratch_after_every_change(
    category_count: int,
    first: Step,
    sequence: list[Step],
    settings: Settings,
    make_member: MakeMember,
    make_category: MakeCategory,
    moderator: User,
) -> None:
    """Each example is one forum's history, checked against the oracle after every step.

    ``--hypothesis-show-statistics`` lists what the steps did (held replies deleted,
    rejected posts approved, held threads moved, ...).
    """
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    with transaction.atomic():
        forum = Forum(
            moderator=moderator,
            categories=[make_category() for _number in range(category_count)],
            members=[make_member(), make_member()],
            make_member=make_member,
        )
        assert_numbers_are_true("setting up")
        for number, step in enumerate([first, *sequence], start=1):
            hypothesis.event(apply(forum, step))
            assert_numbers_are_true(f"step {number}: {step}")
        transaction.set_rollback(True)  # the next example starts from an empty forum


# --- Named regressions -------------------------------------------------------------------------


def _numbers(thread: Thread) -> tuple[ThreadNumbers, CategoryNumbers]:
    threads, categories = stored_numbers()
    return threads[thread.pk], categories[Thread.objects.get(pk=thread.pk).category_id]


def test_author_deleting_their_only_held_reply_is_not_a_500_and_counts_stay_zero(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    client_for: ClientFor,
) -> None:
    thread = make_thread()
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    newcomer = make_member()
    held = reply_to_thread(author=newcomer, thread=thread, body="Hello", request_key="held-1")
    assert held.is_held

    response = client_for(newcomer).post(reverse("forum:delete_post", args=[held.pk]))

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.is_deleted
    thread_numbers, category_numbers = _numbers(thread)
    assert thread_numbers.reply_count == 0
    assert thread_numbers.last_post_id == Post.objects.get(thread=thread, position=1).pk
    assert (category_numbers.thread_count, category_numbers.post_count) == (1, 1)
    assert_numbers_are_true("deleting the only held reply")


def test_deleting_a_held_reply_does_not_drift_the_counts(
    settings: Settings,
    make_thread: MakeThread,
    make_reply: MakeReply,
    make_member: MakeMember,
) -> None:
    thread = make_thread()
    make_reply(thread)
    last = make_reply(thread)
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    newcomer = make_member()
    held = reply_to_thread(author=newcomer, thread=thread, body="Hello", request_key="held-1")
    assert held.is_held
    before = _numbers(thread)

    delete_post(member=newcomer, post=held)

    thread_numbers, category_numbers = _numbers(thread)
    assert (thread_numbers, category_numbers) == before
    assert thread_numbers.reply_count == 2
    assert thread_numbers.last_post_id == last.pk
    assert (category_numbers.thread_count, category_numbers.post_count) == (1, 3)
    assert_numbers_are_true("deleting a held reply")


def test_approving_an_older_held_post_never_moves_last_post_at_backwards(
    settings: Settings,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
    make_member: MakeMember,
    moderator: User,
) -> None:
    category = make_category()
    quiet = make_thread(category=category, title="Quiet")
    busy = make_thread(category=category, title="Busy")
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    newcomer = make_member()
    held = reply_to_thread(author=newcomer, thread=quiet, body="Older", request_key="held-1")
    assert held.is_held
    newer_in_quiet = make_reply(quiet, author=moderator)
    newest_in_busy = make_reply(busy, author=moderator)
    quiet_before, category_before = _numbers(quiet)
    assert quiet_before.last_post_id == newer_in_quiet.pk
    assert category_before.last_thread_id == busy.pk

    approve_post(moderator=moderator, post=held)

    quiet_after, category_after = _numbers(quiet)
    assert quiet_after.reply_count == 2
    assert quiet_after.last_post_id == newer_in_quiet.pk
    assert quiet_after.last_post_at == newer_in_quiet.created_at >= held.created_at
    assert category_after.last_thread_id == busy.pk
    assert category_after.last_post_at == newest_in_busy.created_at
    assert category_after.post_count == category_before.post_count + 1
    assert_numbers_are_true("approving an older held post")


def _notices(member: User) -> int:
    return ModeratorNotice.objects.filter(member=member).count()


def test_hiding_a_hidden_post_is_a_no_op_without_a_second_audit_entry_or_notice(
    make_thread: MakeThread, make_reply: MakeReply, moderator: User
) -> None:
    reply = make_reply(make_thread())
    assert reply.author is not None
    hide_post(moderator=moderator, post=reply, reason="First reason")
    stale = Post.objects.select_related("thread__category", "author").get(pk=reply.pk)
    version = stale.version

    hide_post(moderator=moderator, post=reply, reason="Second reason")  # the page was stale

    stale.refresh_from_db()
    assert stale.is_hidden
    assert stale.hidden_reason == "First reason"
    assert stale.version == version
    assert AuditEntry.objects.filter(action=AuditAction.HIDE_POST, target_id=reply.pk).count() == 1
    assert _notices(reply.author) == 1
    assert User.objects.get(pk=reply.author.pk).unread_notices == 1


def test_restoring_a_visible_post_is_a_no_op(
    make_thread: MakeThread, make_reply: MakeReply, moderator: User
) -> None:
    reply = make_reply(make_thread())
    assert reply.author is not None
    version = reply.version
    before = _numbers(reply.thread)

    restore_post(moderator=moderator, post=reply, reason="Nothing to restore")

    reply.refresh_from_db()
    assert not reply.is_hidden
    assert reply.version == version  # cached fragments of it stay valid
    assert not AuditEntry.objects.filter(action=AuditAction.RESTORE_POST).exists()
    assert _notices(reply.author) == 0
    assert User.objects.get(pk=reply.author.pk).unread_notices == 0
    assert _numbers(reply.thread) == before


def test_approving_twice_writes_one_audit_entry(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    moderator: User,
) -> None:
    thread = make_thread()
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    newcomer = make_member()
    held = reply_to_thread(author=newcomer, thread=thread, body="Hello", request_key="held-1")
    assert held.is_held

    approve_post(moderator=moderator, post=held)
    approve_post(moderator=moderator, post=held)  # a second tab, say, with the stale post

    assert AuditEntry.objects.filter(action=AuditAction.APPROVE_POST).count() == 1
    assert _notices(newcomer) == 1
    thread_numbers, category_numbers = _numbers(thread)
    assert thread_numbers.reply_count == 1
    assert thread_numbers.last_post_id == held.pk
    assert category_numbers.post_count == 2
    assert_numbers_are_true("approving twice")


def test_a_rejected_or_deleted_held_post_cannot_be_approved_into_a_published_notice(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    moderator: User,
) -> None:
    thread = make_thread()
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    rejected_author, deleting_author = make_member(), make_member()
    rejected = reply_to_thread(author=rejected_author, thread=thread, body="A", request_key="r")
    deleted = reply_to_thread(author=deleting_author, thread=thread, body="B", request_key="d")
    reject_post(moderator=moderator, post=rejected, reason="Not here")
    delete_post(member=deleting_author, post=deleted)

    for post in (rejected, deleted):
        with pytest.raises(ValidationError):
            approve_post(moderator=moderator, post=Post.objects.get(pk=post.pk))

    assert not AuditEntry.objects.filter(action=AuditAction.APPROVE_POST).exists()
    assert Post.objects.filter(pk__in=[rejected.pk, deleted.pk], is_held=True).count() == 2
    assert_numbers_are_true("refused approvals")


def test_locking_a_locked_thread_writes_one_audit_entry(
    make_thread: MakeThread, moderator: User
) -> None:
    thread = make_thread()
    assert thread.author is not None
    stale = Thread.objects.select_related("category", "author").get(pk=thread.pk)

    lock_thread(moderator=moderator, thread=thread, reason="Cooling off")
    lock_thread(moderator=moderator, thread=stale, reason="Cooling off")  # loaded before the lock

    assert Thread.objects.get(pk=thread.pk).is_locked
    assert AuditEntry.objects.filter(action=AuditAction.LOCK_THREAD).count() == 1
    assert _notices(thread.author) == 1


def test_a_moderator_reply_in_a_held_thread_is_not_counted_in_the_category_until_approved(
    settings: Settings,
    make_member: MakeMember,
    make_category: MakeCategory,
    moderator: User,
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    category = make_category()
    newcomer = make_member()
    thread = start_thread(
        author=newcomer, category=category, title="First", body="Hello", request_key="held-1"
    )
    assert thread.is_held

    reply = reply_to_thread(author=moderator, thread=thread, body="Welcome", request_key="mod-1")

    assert not reply.is_held
    thread_numbers, category_numbers = _numbers(thread)
    assert thread_numbers.reply_count == 1  # the thread's own page counts it
    assert category_numbers == CategoryNumbers(0, 0, None, None, "", "")
    assert_numbers_are_true("a moderator's reply in a held thread")

    approve_post(moderator=moderator, post=Post.objects.get(thread=thread, position=1))

    thread_numbers, category_numbers = _numbers(thread)
    assert (category_numbers.thread_count, category_numbers.post_count) == (1, 2)
    assert category_numbers.last_thread_id == thread.pk
    assert category_numbers.last_post_at == reply.created_at
    assert category_numbers.last_poster_name == reply.author_name
    assert_numbers_are_true("approving the held thread")


# --- A thread loaded before a move -----------------------------------------------------------
# A view loads the thread before its service's transaction begins; a moderator may
# move the thread in between. The services read the category from the locked row.


def test_a_reply_to_a_thread_moved_since_the_page_loaded_counts_in_its_new_category(
    make_category: MakeCategory, make_thread: MakeThread, make_member: MakeMember, moderator: User
) -> None:
    before, after = make_category(), make_category()
    thread = make_thread(category=before)
    loaded = Thread.objects.select_related("category").get(pk=thread.pk)  # the reply view's copy
    move_thread(moderator=moderator, thread=thread, to=after, reason="Fits better there")

    reply = reply_to_thread(author=make_member(), thread=loaded, body="Hi", request_key="late-1")

    _threads, categories = stored_numbers()
    assert categories[before.pk] == CategoryNumbers(0, 0, None, None, "", "")
    assert categories[after.pk].post_count == 2
    assert categories[after.pk].last_post_at == reply.created_at
    assert_numbers_are_true("a reply through a thread loaded before a move")


def test_two_moderators_moving_the_same_thread_leave_no_category_counting_it_twice(
    make_category: MakeCategory, make_thread: MakeThread, make_member: MakeMember, moderator: User
) -> None:
    other = make_member(role=Role.MODERATOR)
    first, second, third = make_category(), make_category(), make_category()
    thread = make_thread(category=first)
    one_page = Thread.objects.select_related("category").get(pk=thread.pk)
    other_page = Thread.objects.select_related("category").get(pk=thread.pk)

    move_thread(moderator=moderator, thread=one_page, to=second, reason="Fits better there")
    move_thread(moderator=other, thread=other_page, to=third, reason="No, there")

    _threads, categories = stored_numbers()
    assert categories[second.pk].thread_count == 0
    assert categories[third.pk].thread_count == 1
    assert_numbers_are_true("two moves of the same thread")
