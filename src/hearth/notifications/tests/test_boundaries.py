"""Nothing reaches a member who may not see it, or who asked not to hear it.

One leak test per boundary of issue 12, item 4. Each checks the state the
task sees when it runs, not only when the event fired.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.core.testing import MakeMember
from hearth.forum.models import Category, FollowLevel, ReactionKind, Visibility
from hearth.forum.services import delete_post, follow_thread, reply_to_thread, toggle_reaction
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.services import hide_post, move_thread, suspend_member
from hearth.notifications.models import Delivery, Kind, NotificationSettings
from hearth.notifications.services import end_finished_breaks, take_a_break
from hearth.notifications.testing import bell, deliver, told

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_category(make_category: MakeCategory) -> Category:
    return make_category("Hard things", allow_anonymous=True)


def test_notification_for_a_post_hidden_before_the_task_ran(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply, moderator: User
) -> None:
    starter = make_member()
    thread = make_thread(author=starter)
    deliver()
    reply = make_reply(thread)

    hide_post(moderator=moderator, post=reply, reason="Unkind")
    deliver()

    assert told(starter) == []


def test_notification_for_a_post_the_recipient_can_no_longer_see_is_withdrawn(
    make_thread: MakeThread,
    make_member: MakeMember,
    make_reply: MakeReply,
    moderator: User,
    client_for: object,
) -> None:
    starter = make_member()
    thread = make_thread(author=starter)
    reply = make_reply(thread, body="A reply that will be hidden")
    deliver()
    assert bell(starter) == 1

    hide_post(moderator=moderator, post=reply, reason="Unkind")
    deliver()

    assert told(starter, Kind.REPLY) == []
    assert bell(starter) == 0
    page = client_for(starter).get(reverse("notifications:list")).content.decode()  # type: ignore[operator]
    assert "replied" not in page


def test_notification_for_a_deleted_post_never_arrives(
    make_thread: MakeThread, make_member: MakeMember
) -> None:
    starter, writer = make_member(), make_member()
    thread = make_thread(author=starter)
    deliver()
    reply = reply_to_thread(author=writer, thread=thread, body="Oops", request_key="k")

    delete_post(member=writer, post=reply)
    deliver()

    assert told(starter) == []


def test_notification_for_a_thread_moved_where_the_recipient_cannot_read(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_member: MakeMember,
    make_reply: MakeReply,
    moderator: User,
) -> None:
    starter = make_member()
    watcher = make_member()
    thread = make_thread(author=starter)
    follow_thread(member=watcher, thread=thread, level=FollowLevel.WATCHING)
    make_reply(thread)
    deliver()
    assert len(told(watcher)) == 1
    backroom = make_category("Moderators", visibility=Visibility.MODERATORS)

    move_thread(moderator=moderator, thread=thread, to=backroom, reason="Needs care")
    deliver()

    assert told(watcher) == []
    assert bell(watcher) == 0


def test_nothing_from_a_suspended_author(
    make_thread: MakeThread, make_member: MakeMember, moderator: User
) -> None:
    starter, writer = make_member(), make_member()
    thread = make_thread(author=starter)
    deliver()
    reply_to_thread(author=writer, thread=thread, body="Hello", request_key="k")

    suspend_member(moderator=moderator, member=writer, days=3, partial=False, reason="Cooling off")
    deliver()

    assert told(starter, Kind.REPLY) == []


def test_nothing_reaches_a_suspended_member(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply, moderator: User
) -> None:
    starter = make_member()
    thread = make_thread(author=starter)
    deliver()
    suspend_member(moderator=moderator, member=starter, days=3, partial=False, reason="Cooling off")

    make_reply(thread)
    deliver()

    assert told(starter, Kind.REPLY) == []


@pytest.mark.parametrize("block", [True, False], ids=["blocked", "muted"])
def test_a_blocked_or_muted_members_reply_mention_and_hug_never_notify(
    block: bool, make_thread: MakeThread, make_member: MakeMember
) -> None:
    starter = make_member(username="starter")
    unwelcome = make_member()
    thread = make_thread(author=starter)
    deliver()
    mute_member(member=starter, target=unwelcome, block=block)

    reply_to_thread(author=unwelcome, thread=thread, body="@starter listen to me", request_key="k")
    toggle_reaction(member=unwelcome, post=thread.posts.get(position=1), kind=ReactionKind.HUG)
    deliver()

    assert told(starter) == []
    assert bell(starter) == 0


def test_a_hug_group_leaves_out_a_muted_member(
    make_thread: MakeThread, make_member: MakeMember
) -> None:
    author = make_member()
    post = make_thread(author=author).posts.get()
    fern = make_member(display_name="Fern")
    unwelcome = make_member(display_name="Unwelcome")
    mute_member(member=author, target=unwelcome)

    toggle_reaction(member=fern, post=post, kind=ReactionKind.HUG)
    toggle_reaction(member=unwelcome, post=post, kind=ReactionKind.HUG)
    deliver()

    (notification,) = told(author)
    assert (notification.actor_name, notification.others_count) == ("Fern", 0)


def test_an_anonymous_reply_notifies_under_its_pseudonym_only(
    anonymous_category: Category,
    make_thread: MakeThread,
    make_member: MakeMember,
    client_for: object,
) -> None:
    starter = make_member()
    secret = make_member(display_name="Secret Name", username="secretname")
    thread = make_thread(author=starter, category=anonymous_category)
    deliver()

    reply = reply_to_thread(
        author=secret, thread=thread, body="Me too.", request_key="k", anonymous=True
    )
    deliver()

    (notification,) = told(starter)
    assert notification.actor_id is None
    assert notification.actor_name == reply.author_name
    assert reply.author_name.startswith("Anonymous")
    page = client_for(starter).get(reverse("notifications:list")).content.decode()  # type: ignore[operator]
    assert reply.author_name in page
    assert "Secret Name" not in page
    assert "secretname" not in page
    (message,) = mail.outbox
    assert "Secret Name" not in message.subject + str(message.body)
    assert "secretname" not in message.subject + str(message.body)


def test_an_anonymous_author_stays_blocked(
    anonymous_category: Category, make_thread: MakeThread, make_member: MakeMember
) -> None:
    starter = make_member()
    unwelcome = make_member()
    thread = make_thread(author=starter, category=anonymous_category)
    deliver()
    mute_member(member=starter, target=unwelcome, block=True)

    reply_to_thread(author=unwelcome, thread=thread, body="Hi", request_key="k", anonymous=True)
    deliver()

    assert told(starter) == []


def test_a_member_on_a_break_sees_no_count_and_gets_no_email_until_it_ends(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    starter = make_member()
    thread = make_thread(author=starter)
    deliver()
    take_a_break(member=starter, until=timezone.now() + timedelta(days=2))

    make_reply(thread)
    deliver()

    assert len(told(starter)) == 1  # it waits for them
    assert bell(starter) == 0
    assert mail.outbox == []

    User.objects.filter(pk=starter.pk).update(break_until=timezone.now() - timedelta(minutes=1))
    assert end_finished_breaks() == 1
    assert bell(starter) == 1


def test_a_kind_turned_off_is_not_recorded_and_here_only_sends_no_email(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    off, here_only = make_member(username="off"), make_member(username="hereonly")
    NotificationSettings.objects.create(member=off, deliveries={Kind.MENTION: Delivery.OFF})
    NotificationSettings.objects.create(
        member=here_only, deliveries={Kind.MENTION: Delivery.IN_APP}
    )
    thread = make_thread()
    deliver()

    make_reply(thread, body="@off and @hereonly, thinking of you")
    deliver()

    assert told(off) == []
    assert len(told(here_only)) == 1
    recipients = {address for message in mail.outbox for address in message.to}
    assert off.email not in recipients
    assert here_only.email not in recipients


def test_another_members_notification_is_404_like_a_missing_one(
    make_thread: MakeThread, make_member: MakeMember, make_reply: MakeReply, client_for: object
) -> None:
    starter = make_member()
    make_reply(make_thread(author=starter))
    deliver()
    (notification,) = told(starter)
    snoop: Client = client_for(make_member())  # type: ignore[operator]

    for name in ("notifications:open",):
        assert snoop.get(reverse(name, args=[notification.pk])).status_code == 404
        assert snoop.get(reverse(name, args=[notification.pk + 1000])).status_code == 404
    assert snoop.post(reverse("notifications:mark_read", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
