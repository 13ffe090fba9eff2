"""Writing in the forum: threads, replies, edits, deletion, reactions, drafts, read state."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections

from hearth.accounts.models import User
from hearth.core.testing import MakeMember
from hearth.core.text import MAX_SOURCE_BYTES
from hearth.forum.models import (
    Category,
    Draft,
    Post,
    PostRevision,
    Reaction,
    ReactionKind,
    ReadState,
    Thread,
)
from hearth.forum.services import (
    EditConflict,
    delete_post,
    edit_post,
    mark_thread_read,
    reply_to_thread,
    save_draft,
    start_thread,
    toggle_reaction,
)
from hearth.forum.testing import MakeReply, MakeThread

pytestmark = pytest.mark.django_db


def test_starting_a_thread_creates_the_original_post_and_counts_it(
    member: User, category: Category
) -> None:
    thread = start_thread(
        author=member,
        category=category,
        title="  Missing   my therapist ",
        body="Hello :)",
        request_key="k1",
    )

    thread.refresh_from_db()
    category.refresh_from_db()
    original = thread.posts.get()
    assert thread.title == "Missing my therapist"
    assert (original.position, thread.last_position, thread.reply_count) == (1, 1, 0)
    assert thread.last_post_id == original.pk
    assert (category.thread_count, category.post_count) == (1, 1)
    assert category.last_thread_title == "Missing my therapist"
    assert 'aria-label="slightly smiling face"' in original.body_html


def test_replies_take_the_next_position_and_update_the_lists(
    make_thread: MakeThread, make_reply: MakeReply, make_member: MakeMember
) -> None:
    thread = make_thread()
    replier = make_member(display_name="Fern")

    first = make_reply(thread, author=replier)
    second = make_reply(thread)

    thread.refresh_from_db()
    assert (first.position, second.position) == (2, 3)
    assert (thread.last_position, thread.reply_count) == (3, 2)
    assert thread.last_post_id == second.pk
    assert thread.category.post_count == 3 or Category.objects.get().post_count == 3


def test_a_resubmitted_reply_posts_once(make_thread: MakeThread, member: User) -> None:
    thread = make_thread()

    first = reply_to_thread(author=member, thread=thread, body="Hi", request_key="same")
    second = reply_to_thread(author=member, thread=thread, body="Hi", request_key="same")

    assert first.pk == second.pk
    thread.refresh_from_db()
    assert thread.reply_count == 1


def test_a_resubmitted_new_thread_form_creates_one_thread(member: User, category: Category) -> None:
    threads = {
        start_thread(author=member, category=category, title="T", body="B", request_key="once").pk
        for _ in range(3)
    }

    assert len(threads) == 1
    assert Thread.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_reply_sent_concurrently_posts_once(make_thread: MakeThread, member: User) -> None:
    thread = make_thread()
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def submit() -> None:
        try:
            barrier.wait()
            post = reply_to_thread(
                author=member, thread=thread, body="Hug", request_key="double-click"
            )
            results.append(post.pk)
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    workers = [threading.Thread(target=submit) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert not errors
    assert len(set(results)) == 1
    assert Post.objects.filter(thread=thread).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_replies_get_distinct_positions(
    make_thread: MakeThread, make_member: MakeMember
) -> None:
    thread = make_thread()
    authors = [make_member() for _ in range(4)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def submit(author: User, number: int) -> None:
        try:
            barrier.wait()
            reply_to_thread(
                author=author, thread=thread, body=f"Reply {number}", request_key=f"k{number}"
            )
        except BaseException as error:
            errors.append(error)
        finally:
            close_old_connections()

    workers = [
        threading.Thread(target=submit, args=(author, n)) for n, author in enumerate(authors)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert not errors
    positions = sorted(Post.objects.filter(thread=thread).values_list("position", flat=True))
    assert positions == [1, 2, 3, 4, 5]
    thread.refresh_from_db()
    assert (thread.last_position, thread.reply_count) == (5, 4)


def test_an_empty_or_oversized_reply_is_refused_and_changes_nothing(
    make_thread: MakeThread, member: User
) -> None:
    thread = make_thread()

    with pytest.raises(ValidationError, match="Please write something"):
        reply_to_thread(author=member, thread=thread, body="   \n ", request_key="a")
    with pytest.raises(ValidationError, match="longer than we can accept"):
        reply_to_thread(
            author=member, thread=thread, body="x" * (MAX_SOURCE_BYTES + 1), request_key="b"
        )

    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_a_locked_thread_refuses_replies_from_members(
    make_thread: MakeThread, member: User
) -> None:
    thread = make_thread(locked=True)

    with pytest.raises(PermissionDenied, match="closed to new replies"):
        reply_to_thread(author=member, thread=thread, body="Hi", request_key="k1")

    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_editing_keeps_every_revision(make_thread: MakeThread) -> None:
    thread = make_thread(body="First words")
    post = thread.posts.get()
    author = post.author
    assert author is not None

    edit_post(editor=author, post=post, body="Second words", base_revision=1, reason="typo")
    edit_post(editor=author, post=post, body="Third words", base_revision=2)

    post.refresh_from_db()
    assert post.body == "Third words"
    assert post.revision == 3
    assert post.edited_by_name == author.display_name
    assert post.edited_at is not None
    assert list(post.revisions.values_list("number", "body", "reason")) == [
        (1, "First words", ""),
        (2, "Second words", "typo"),
        (3, "Third words", ""),
    ]


def test_an_edit_from_an_old_revision_is_a_conflict_and_both_texts_survive(
    make_thread: MakeThread, moderator: User
) -> None:
    thread = make_thread(body="Original")
    post = thread.posts.get()
    author = post.author
    assert author is not None
    edit_post(editor=moderator, post=post, body="Moderator's version", base_revision=1)

    with pytest.raises(EditConflict) as conflict:
        edit_post(editor=author, post=post, body="Author's version", base_revision=1)

    assert conflict.value.current_body == "Moderator's version"
    assert conflict.value.current_revision == 2
    post.refresh_from_db()
    assert post.body == "Moderator's version"
    assert PostRevision.objects.filter(post=post).count() == 2


def test_deleting_a_post_removes_its_text_but_keeps_its_place(
    make_thread: MakeThread, make_reply: MakeReply, make_member: MakeMember
) -> None:
    thread = make_thread()
    author = make_member()
    reply = make_reply(thread, author=author, body="Something I regret writing")
    later = make_reply(thread)
    toggle_reaction(member=make_member(), post=reply, kind=ReactionKind.HUG)

    delete_post(member=author, post=reply)

    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.is_deleted
    assert (reply.body, reply.body_html) == ("", "")
    assert not PostRevision.objects.filter(post=reply).exists()
    assert not Reaction.objects.filter(post=reply).exists()
    assert (reply.position, later.position) == (2, 3)
    assert thread.reply_count == 1
    assert thread.last_position == 3


def test_a_reaction_toggles_and_counts_once_per_member(
    make_thread: MakeThread, member: User
) -> None:
    post = make_thread().posts.get()

    assert toggle_reaction(member=member, post=post, kind=ReactionKind.HUG) is True
    assert toggle_reaction(member=member, post=post, kind=ReactionKind.HEART) is True
    post.refresh_from_db()
    assert (post.hug_count, post.heart_count) == (1, 1)

    assert toggle_reaction(member=member, post=post, kind=ReactionKind.HUG) is False
    post.refresh_from_db()
    assert (post.hug_count, post.heart_count) == (0, 1)


def test_members_cannot_react_to_their_own_posts(make_thread: MakeThread) -> None:
    post = make_thread().posts.get()
    assert post.author is not None

    with pytest.raises(PermissionDenied):
        toggle_reaction(member=post.author, post=post, kind=ReactionKind.HUG)


def test_a_draft_is_kept_until_the_reply_is_posted(make_thread: MakeThread, member: User) -> None:
    thread = make_thread()

    save_draft(member=member, thread=thread, body="Half a thought")
    save_draft(member=member, thread=thread, body="Half a thought, and more")

    assert Draft.objects.get(member=member, thread=thread).body == "Half a thought, and more"
    reply_to_thread(author=member, thread=thread, body="The whole thought", request_key="r")
    assert not Draft.objects.filter(member=member, thread=thread).exists()


def test_a_new_thread_draft_is_removed_when_the_thread_is_posted(
    member: User, category: Category
) -> None:
    save_draft(member=member, category=category, title="A title", body="Some words")

    start_thread(
        author=member, category=category, title="A title", body="Some words", request_key="t"
    )

    assert not Draft.objects.filter(member=member).exists()


def test_a_failed_post_keeps_the_draft(make_thread: MakeThread, member: User) -> None:
    thread = make_thread(locked=True)
    save_draft(member=member, thread=thread, body="Words I don't want to lose")

    with pytest.raises(PermissionDenied):
        reply_to_thread(
            author=member, thread=thread, body="Words I don't want to lose", request_key="x"
        )

    assert Draft.objects.get(member=member, thread=thread).body == "Words I don't want to lose"


def test_the_read_marker_only_moves_forward(make_thread: MakeThread, member: User) -> None:
    thread = make_thread()

    mark_thread_read(member=member, thread=thread, up_to_position=5, known_position=None)
    mark_thread_read(member=member, thread=thread, up_to_position=3, known_position=None)

    assert ReadState.objects.get(member=member, thread=thread).last_read_position == 5
