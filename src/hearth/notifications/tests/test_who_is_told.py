"""Who hears about what: every kind of notification, through the real services and tasks."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import transaction

from hearth.accounts.models import User
from hearth.core.testing import MakeMember
from hearth.forum.models import Category, FollowLevel, Post, ReactionKind, Thread
from hearth.forum.services import (
    follow_category,
    follow_thread,
    reply_to_thread,
    start_thread,
    toggle_reaction,
)
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.services import close_item, hide_post, message_member
from hearth.notifications.models import Kind, Notification
from hearth.notifications.tasks import notify_about_post
from hearth.notifications.testing import bell, deliver, told
from hearth.notifications.wording import headline
from hearth.safety.models import QueueItem, QueueKind, ReportReason, Resolution
from hearth.safety.services import ask_for_check_in, file_report, open_check_in

pytestmark = pytest.mark.django_db


def test_a_reply_in_my_thread_tells_me_who_answered(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    starter = make_member()
    thread = make_thread(author=starter)
    fern = make_member(display_name="Fern")

    reply = make_reply(thread, author=fern)
    deliver()

    (notification,) = told(starter)
    assert notification.kind == Kind.REPLY
    assert notification.post_id == reply.pk
    assert notification.target_url == f"/p/{reply.pk}/"
    assert headline(notification) == "Fern replied in your thread"
    assert bell(starter) == 1


def test_nobody_is_told_about_their_own_reply(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    starter = make_member()
    thread = make_thread(author=starter)

    make_reply(thread, author=starter)
    deliver()

    assert told(starter) == []


def test_watching_tells_every_reply_and_normal_tells_none(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    thread = make_thread()
    watcher, bystander = make_member(), make_member()
    follow_thread(member=watcher, thread=thread, level=FollowLevel.WATCHING)

    make_reply(thread)
    make_reply(thread)
    deliver()

    assert [each.kind for each in told(watcher)] == [Kind.REPLY, Kind.REPLY]
    assert told(bystander) == []


def test_having_replied_i_track_the_thread_quotes_of_me_tell_me_other_replies_do_not(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    thread = make_thread()
    willow = make_member()
    mine = make_reply(thread, author=willow)

    make_reply(thread, body="Just adding my voice.")
    quoting = make_reply(
        thread, body=f"**Willow** [wrote](<http://testserver/p/{mine.pk}/>):\n> hello\n\nSame here."
    )
    deliver()

    (notification,) = told(willow)
    assert notification.kind == Kind.REPLY_TO_ME
    assert notification.post_id == quoting.pk


def test_a_mention_reaches_a_member_who_never_posted_there(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    thread = make_thread()
    willow = make_member(username="willow")

    post = make_reply(thread, body="@willow you said something like this once")
    deliver()

    (notification,) = told(willow)
    assert notification.kind == Kind.MENTION
    assert notification.post_id == post.pk


def test_muting_a_thread_silences_even_mentions(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    starter = make_member(username="starter")
    thread = make_thread(author=starter)
    follow_thread(member=starter, thread=thread, level=FollowLevel.MUTED)

    make_reply(thread, body="@starter are you still here?")
    deliver()

    assert told(starter) == []


def test_watching_a_category_tells_new_threads_and_replies(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_member: MakeMember,
    make_reply: MakeReply,
) -> None:
    category = make_category()
    watcher, tracker = make_member(), make_member()
    follow_category(member=watcher, category=category, level=FollowLevel.WATCHING)
    follow_category(member=tracker, category=category, level=FollowLevel.TRACKING)

    thread = make_thread(category=category)
    make_reply(thread)
    deliver()

    assert [each.kind for each in told(watcher)] == [Kind.NEW_THREAD, Kind.REPLY]
    assert [each.kind for each in told(tracker)] == [Kind.NEW_THREAD]


def test_a_muted_category_is_silent_unless_i_follow_the_thread(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_member: MakeMember,
    make_reply: MakeReply,
) -> None:
    category = make_category()
    member = make_member(username="quiet")
    follow_category(member=member, category=category, level=FollowLevel.MUTED)
    ignored, followed = make_thread(category=category), make_thread(category=category)
    follow_thread(member=member, thread=followed, level=FollowLevel.WATCHING)

    make_reply(ignored, body="@quiet hello")
    make_reply(followed)
    deliver()

    assert [each.thread_id for each in told(member)] == [followed.pk]


def test_hugs_are_grouped_on_one_notification(
    make_thread: MakeThread, make_member: MakeMember
) -> None:
    author = make_member()
    post = make_thread(author=author).posts.get()
    fern = make_member(display_name="Fern")
    others = [make_member() for _ in range(3)]

    for member in [*others, fern]:
        toggle_reaction(member=member, post=post, kind=ReactionKind.HUG)
        deliver()

    (notification,) = told(author)
    assert notification.kind == Kind.REACTION
    assert headline(notification) == "Fern and 3 others sent hugs"
    assert bell(author) == 1


def test_a_new_hug_brings_a_read_group_back_unread_and_taking_all_back_removes_it(
    make_thread: MakeThread, make_member: MakeMember
) -> None:
    author = make_member()
    post = make_thread(author=author).posts.get()
    fern, ash = make_member(display_name="Fern"), make_member(display_name="Ash")
    toggle_reaction(member=fern, post=post, kind=ReactionKind.HUG)
    deliver()
    Notification.objects.filter(recipient=author).update(read_at="2026-01-01T00:00Z")

    toggle_reaction(member=ash, post=post, kind=ReactionKind.HEART)
    deliver()
    (notification,) = told(author)
    assert notification.read_at is None
    assert headline(notification) == "Ash and 1 other reacted to your post"

    toggle_reaction(member=ash, post=post, kind=ReactionKind.HEART)
    toggle_reaction(member=fern, post=post, kind=ReactionKind.HUG)
    deliver()
    assert told(author) == []
    assert bell(author) == 0


def test_a_moderators_decision_tells_the_author_with_the_reason(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply, moderator: User
) -> None:
    author = make_member()
    post = make_reply(make_thread(), author=author)

    hide_post(moderator=moderator, post=post, reason="It named a method")
    deliver()

    (notification,) = told(author, Kind.MODERATION)
    assert "hid your post" in headline(notification)
    assert "It named a method" in notification.detail
    assert notification.target_url.startswith("/notices/#notice-")


def test_a_message_from_the_moderators_is_a_notification(
    make_member: MakeMember, moderator: User
) -> None:
    member = make_member()

    message_member(moderator=moderator, member=member, subject="Checking in", body="How are you?")
    deliver()

    (notification,) = told(member, Kind.NOTICE)
    assert headline(notification) == "Message from the moderators: Checking in"


def test_a_held_first_post_tells_its_author_it_is_waiting(
    make_category: MakeCategory, make_member: MakeMember, settings: object
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 1  # type: ignore[attr-defined]
    author = make_member()

    start_thread(
        author=author,
        category=make_category(),
        title="Hello",
        body="My first post",
        request_key="k",
    )
    deliver()

    (notification,) = told(author, Kind.MODERATION)
    assert headline(notification) == "Your post is waiting for a moderator's approval"


def _check_in_for(post: Post) -> QueueItem:
    return open_check_in(
        post_id=post.pk, thread_id=post.thread_id, category_id=post.thread.category_id, matches=[]
    )


def test_an_answered_check_in_request_tells_the_writer(
    make_thread: MakeThread, make_member: MakeMember, moderator: User
) -> None:
    writer = make_member()
    post = make_thread(author=writer).posts.get()
    item = _check_in_for(post)
    ask_for_check_in(item=item)
    deliver()

    close_item(moderator=moderator, item=item, resolution=Resolution.HANDLED)
    deliver()

    (notification,) = told(writer, Kind.CHECK_IN)
    assert notification.target_url == "/notices/"


def test_a_check_in_nobody_asked_for_tells_the_writer_nothing(
    make_thread: MakeThread, make_member: MakeMember, moderator: User
) -> None:
    writer = make_member()
    item = _check_in_for(make_thread(author=writer).posts.get())

    close_item(moderator=moderator, item=item, resolution=Resolution.HANDLED)
    deliver()

    assert told(writer) == []


def test_moderators_of_the_category_hear_of_reports_and_check_in_requests(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_member: MakeMember,
    make_category_moderator: Callable[[Category], User],
    moderator: User,
) -> None:
    here, elsewhere = make_category(), make_category()
    ours, theirs = make_category_moderator(here), make_category_moderator(elsewhere)
    resting = make_category_moderator(here)
    User.objects.filter(pk=resting.pk).update(receives_check_ins=False)
    post = make_thread(category=here).posts.get()
    reporter = make_member()

    file_report(
        reporter=reporter,
        reason=ReportReason.OTHER,
        details="",
        post_id=post.pk,
        thread_id=post.thread_id,
        category_id=here.pk,
    )
    ask_for_check_in(item=_check_in_for(post))
    deliver()

    assert [each.kind for each in told(ours)] == [Kind.REPORT, Kind.CHECK_IN_REQUEST]
    assert [each.kind for each in told(moderator)] == [Kind.REPORT, Kind.CHECK_IN_REQUEST]
    assert [each.kind for each in told(resting)] == [Kind.REPORT]
    assert told(theirs) == []
    assert told(reporter) == []
    assert QueueItem.objects.filter(kind=QueueKind.REPORT).count() == 1


def test_a_rolled_back_reply_tells_nobody(make_thread: MakeThread, make_member: MakeMember) -> None:
    starter = make_member()
    thread = make_thread(author=starter)

    def reply_then_fail() -> None:
        with transaction.atomic():
            reply_to_thread(
                author=make_member(), thread=thread, body="Never happened", request_key="r1"
            )
            raise RuntimeError

    with pytest.raises(RuntimeError):
        reply_then_fail()
    deliver()

    assert told(starter) == []
    assert not Post.objects.filter(body="Never happened").exists()


def test_running_a_fan_out_twice_tells_once(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    starter = make_member()
    thread: Thread = make_thread(author=starter)
    reply = make_reply(thread)
    deliver()

    notify_about_post.call(post_id=reply.pk, mentioned_member_ids=[])
    deliver()

    assert len(told(starter)) == 1
    assert bell(starter) == 1
