"""Blocking does what *Settings → Muted and blocked members* says, rule by rule, and the
blocked member is never told (issue 17, item 7; CARE.md "Mute and block").

Willow blocks Rowan. Each test is one sentence of the settings page, checked against what
happens -- also when Rowan posts anonymously, where Willow must not learn who wrote it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.conversations.models import (
    AllowFrom,
    Conversation,
    Message,
    MessagingSettings,
    Participant,
)
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import add_participant, send_message, start_conversation
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.events import Event, subscribe, unsubscribe
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.events import MemberMentioned, PostPublished
from hearth.forum.models import Category, Post, Thread
from hearth.forum.selectors import list_mentionable_members
from hearth.forum.services import reply_to_thread, start_thread
from hearth.forum.testing import MakeCategory
from hearth.notifications.delivery import Tell, tell
from hearth.notifications.models import EmailState, Kind
from hearth.notifications.services import mark_read
from hearth.notifications.testing import bell, deliver, told

pytestmark = pytest.mark.django_db

CANNOT_MESSAGE = "You can't message this member."
MUTED_FOLD = "Post from a muted member"


@pytest.fixture
def willow(make_member: MakeMember) -> User:
    """The member who blocks."""
    return make_member(username="willow", display_name="Willow")


@pytest.fixture
def rowan(make_member: MakeMember, willow: User) -> User:
    """The member Willow blocked."""
    rowan = make_member(username="rowan", display_name="Rowan")
    make_established(willow, rowan)
    open_to_everyone(willow, rowan)
    mute_member(member=willow, target=rowan, block=True)
    return rowan


@pytest.fixture
def fern(make_member: MakeMember) -> User:
    """Someone nobody muted or blocked."""
    fern = make_member(username="fern", display_name="Fern")
    make_established(fern)
    open_to_everyone(fern)
    return fern


@pytest.fixture
def hard_things(make_category: MakeCategory) -> Category:
    return make_category("Hard things", allow_anonymous=True)


@pytest.fixture
def willows_thread(willow: User, hard_things: Category) -> Thread:
    thread = start_thread(
        author=willow,
        category=hard_things,
        title="A hard week",
        body="My therapist is away and I miss the sessions.",
        request_key="willow-thread",
    )
    deliver()
    return thread


def _reply(author: User, thread: Thread, body: str, *, anonymous: bool = False) -> Post:
    return reply_to_thread(
        author=author,
        thread=thread,
        body=body,
        request_key=f"{author.username}-{Post.objects.count()}",
        anonymous=anonymous,
    )


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def _article(page: str, post: Post) -> str:
    found = re.search(rf'<article[^>]*id="post-{post.pk}".*?</article>', page, re.DOTALL)
    assert found is not None
    return found[0]


# --- The settings page says exactly this -------------------------------------------------


RULES = [
    "Their posts are folded away, and so are their messages in a conversation you share; "
    "you can open any one of them.",
    "Nothing they do notifies you or sends you an email: replies, mentions, quotes of your "
    "posts, reactions, messages.",
    "Blocking does everything muting does, and:",
    "They can't start a conversation with you, add you to one, or write to you in a "
    "conversation between the two of you. They only read “You can't message this member”, "
    "the same words anyone reads when a member doesn't take their messages. You can't write "
    "to them either until you unblock them.",
    "In a group conversation you are both in, their messages stay folded and don't notify you.",
    "They can still write your @name or quote your posts, because stopping them would tell "
    "them they are blocked; but that never notifies you, and their posts are folded for you.",
    "If someone you muted or blocked posts anonymously, nothing they write notifies you "
    "either. Their anonymous posts are not folded, though: that would tell you who wrote them.",
    "They are never told that you muted or blocked them.",
]


def test_the_settings_page_says_what_muting_and_blocking_do(
    willow: User, client_for: ClientFor
) -> None:
    page = _page(client_for(willow), reverse("accounts:mutes"))

    for rule in RULES:
        assert rule in page
    assert "stops their mentions, replies and messages from reaching you" not in page


# --- Messages ---------------------------------------------------------------------------


def test_they_cannot_start_a_conversation_with_you(willow: User, rowan: User) -> None:
    with pytest.raises(PermissionDenied) as refused:
        start_conversation(starter=rowan, recipients=[willow], title="", body="Hi", request_key="k")

    assert str(refused.value) == CANNOT_MESSAGE
    assert not Conversation.objects.exists()


def test_they_cannot_add_you_to_a_group(
    willow: User, rowan: User, fern: User, make_member: MakeMember
) -> None:
    ash = make_member(display_name="Ash")
    open_to_everyone(ash)
    group = start_conversation(
        starter=rowan, recipients=[fern, ash], title="", body="Hi", request_key="k"
    )
    opened = get_conversation_for_viewer_or_404(rowan, group.pk)

    with pytest.raises(PermissionDenied) as refused:
        add_participant(adder=rowan, opened=opened, member=willow)

    assert str(refused.value) == CANNOT_MESSAGE
    assert not Participant.objects.filter(conversation=group, member=willow).exists()


def test_they_cannot_write_in_a_conversation_of_just_the_two_of_you(
    make_member: MakeMember,
) -> None:
    willow, rowan = make_member(), make_member()
    make_established(willow, rowan)
    open_to_everyone(willow, rowan)
    both = start_conversation(
        starter=rowan, recipients=[willow], title="", body="Before", request_key="k"
    )
    mute_member(member=willow, target=rowan, block=True)

    with pytest.raises(PermissionDenied) as refused:
        send_message(
            author=rowan,
            opened=get_conversation_for_viewer_or_404(rowan, both.pk),
            body="After",
            request_key="k2",
        )
    with pytest.raises(PermissionDenied) as blocker_refused:
        send_message(
            author=willow,
            opened=get_conversation_for_viewer_or_404(willow, both.pk),
            body="Me neither",
            request_key="k3",
        )

    assert str(refused.value) == CANNOT_MESSAGE
    assert "Unblock them first" in str(blocker_refused.value)
    assert Message.objects.filter(conversation=both).count() == 1


def test_the_refusal_reads_the_same_as_when_a_member_takes_no_messages(
    willow: User, rowan: User, fern: User
) -> None:
    MessagingSettings.objects.filter(member=fern).update(allow_from=AllowFrom.NOBODY)

    refusals = []
    for recipient in (willow, fern):
        with pytest.raises(PermissionDenied) as refused:
            start_conversation(
                starter=rowan, recipients=[recipient], title="", body="Hi", request_key="k"
            )
        refusals.append(str(refused.value))

    assert refusals == [CANNOT_MESSAGE, CANNOT_MESSAGE]


def test_in_a_group_you_are_both_in_their_messages_are_folded_and_silent(
    willow: User, rowan: User, fern: User, client_for: ClientFor
) -> None:
    group = start_conversation(
        starter=fern, recipients=[willow, rowan], title="", body="Welcome", request_key="k"
    )
    deliver()
    mark_read(member=willow)
    assert bell(willow) == 0

    send_message(
        author=rowan,
        opened=get_conversation_for_viewer_or_404(rowan, group.pk),
        body="ROWAN-IN-THE-GROUP",
        request_key="k2",
    )
    deliver()

    assert bell(willow) == 0
    url = reverse("conversations:conversation", kwargs={"conversation_id": group.pk})
    page = _page(client_for(willow), url)
    fold = re.search(r"<details class=\"fold\">.*?</details>", page, re.DOTALL)
    assert fold is not None
    assert "Message from a member you muted" in fold[0]
    assert "ROWAN-IN-THE-GROUP" in fold[0]
    assert "Message from a member you muted" not in _page(client_for(fern), url)


# --- Mentions and quotes ------------------------------------------------------------------


def test_their_mention_of_you_is_published_like_any_other_and_notifies_nothing(
    willow: User,
    rowan: User,
    fern: User,
    willows_thread: Thread,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    heard: list[Event] = []
    for kind in (PostPublished, MemberMentioned):
        subscribe(kind, heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            reply = _reply(rowan, willows_thread, "@willow and @fern, I read you.")
    finally:
        for kind in (PostPublished, MemberMentioned):
            unsubscribe(kind, heard.append)
    deliver()

    assert reply.body_html.count('class="mention"') == 2  # both names linked alike
    # No event names Willow as mentioned (Fern, whom nobody blocked, is).
    (published,) = [event for event in heard if isinstance(event, PostPublished)]
    assert published.mentioned_member_ids == [fern.pk]
    mentions = [event for event in heard if isinstance(event, MemberMentioned)]
    assert [event.mentioned_member_id for event in mentions] == [fern.pk]
    assert told(willow) == []
    assert [each.kind for each in told(fern)] == [Kind.MENTION]
    # Rowan sees their post as they wrote it; nothing says Willow blocked them.
    rowans_view = _article(_page(client_for(rowan), willows_thread.get_absolute_url()), reply)
    assert re.search(r'<a [^>]*href="/members/willow/"[^>]*>@willow</a>', rowans_view)


def test_you_are_still_suggested_to_them_for_a_mention(
    willow: User, rowan: User, willows_thread: Thread
) -> None:
    suggested = list_mentionable_members(rowan, willows_thread, "wil")

    assert suggested == [willow]
    assert list_mentionable_members(willow, willows_thread, "row") == []


def test_their_quote_of_your_post_is_published_and_notifies_nothing(
    willow: User, rowan: User, fern: User, willows_thread: Thread, client_for: ClientFor
) -> None:
    first = willows_thread.posts.get(position=1)
    rowan_client = client_for(rowan)
    composer = _page(rowan_client, reverse("forum:quote", args=[first.pk]))
    quoted = re.search(r"<textarea[^>]*>(.*?)</textarea>", composer, re.DOTALL)
    assert quoted is not None
    assert "My therapist is away" in quoted[1]

    response = rowan_client.post(
        reverse("forum:reply", args=[willows_thread.pk]),
        {"body": quoted[1].strip() + "\n\nI know.", "request_key": "quote-1"},
    )
    deliver()

    assert response.status_code == 302
    reply = Post.objects.get(thread=willows_thread, author=rowan)
    assert "<blockquote>" in reply.body_html
    assert "My therapist is away" in reply.body_html
    assert told(willow) == []
    assert bell(willow) == 0


def test_the_same_quote_by_someone_else_does_notify(
    willow: User, fern: User, willows_thread: Thread, client_for: ClientFor
) -> None:
    first = willows_thread.posts.get(position=1)
    fern_client = client_for(fern)
    composer = _page(fern_client, reverse("forum:quote", args=[first.pk]))
    quoted = re.search(r"<textarea[^>]*>(.*?)</textarea>", composer, re.DOTALL)
    assert quoted is not None

    fern_client.post(
        reverse("forum:reply", args=[willows_thread.pk]),
        {"body": quoted[1].strip() + "\n\nI know.", "request_key": "quote-1"},
    )
    deliver()

    assert [each.kind for each in told(willow)] == [Kind.REPLY_TO_ME]


# --- Their posts, their replies ------------------------------------------------------------


def test_their_posts_are_folded_for_you_and_for_nobody_else(
    willow: User, rowan: User, fern: User, willows_thread: Thread, client_for: ClientFor
) -> None:
    reply = _reply(rowan, willows_thread, "ROWAN-WROTE-THIS")

    for_willow = _article(_page(client_for(willow), willows_thread.get_absolute_url()), reply)
    for_fern = _article(_page(client_for(fern), willows_thread.get_absolute_url()), reply)
    answer = client_for(willow).get(f"/api/v1/posts/{reply.pk}").json()

    assert MUTED_FOLD in for_willow
    folded = rf'<details class="fold">.*{MUTED_FOLD}.*ROWAN-WROTE-THIS'
    assert re.search(folded, for_willow, re.DOTALL)
    assert MUTED_FOLD not in for_fern
    assert answer["is_from_muted_member"] is True


def test_their_replies_never_notify_you_nor_email_you(
    willow: User, rowan: User, fern: User, willows_thread: Thread
) -> None:
    _reply(rowan, willows_thread, "Rowan replies.")
    deliver()
    assert told(willow) == []

    _reply(fern, willows_thread, "Fern replies.")
    deliver()

    assert [each.kind for each in told(willow)] == [Kind.REPLY]
    assert [message.to for message in mail.outbox] == [[willow.email]]


def test_an_email_waiting_when_you_block_them_is_never_sent(
    make_member: MakeMember, willows_thread: Thread, willow: User
) -> None:
    later_blocked = make_member(display_name="Later blocked")
    reply = _reply(later_blocked, willows_thread, "Before the block.")
    (notification,) = tell(
        [
            Tell(
                recipient_id=willow.pk,
                kind=Kind.REPLY,
                key=f"post:{reply.pk}",
                target_url=reply.get_absolute_url(),
                from_member_id=later_blocked.pk,
                actor_id=later_blocked.pk,
                actor_name=later_blocked.display_name,
                thread_id=willows_thread.pk,
                post_id=reply.pk,
            )
        ]
    )
    assert notification.email_state == EmailState.PENDING

    mute_member(member=willow, target=later_blocked, block=True)
    deliver()

    notification.refresh_from_db()
    assert notification.email_state == EmailState.SKIPPED
    assert mail.outbox == []


# --- Anonymously ---------------------------------------------------------------------------


AnonymousReply = Callable[[str], Post]


@pytest.fixture
def anonymous_reply(rowan: User, willows_thread: Thread) -> AnonymousReply:
    def write(body: str) -> Post:
        return _reply(rowan, willows_thread, body, anonymous=True)

    return write


def test_anonymously_their_reply_mention_and_quote_still_notify_nothing(
    willow: User, willows_thread: Thread, anonymous_reply: AnonymousReply
) -> None:
    first = willows_thread.posts.get(position=1)
    permalink = f"http://testserver{first.get_absolute_url()}"

    anonymous_reply(f"**Willow** [wrote]({permalink}):\n\n> My therapist is away\n\n@willow hi")
    deliver()

    assert told(willow) == []
    assert bell(willow) == 0
    assert mail.outbox == []


def test_anonymously_their_post_is_not_folded_and_names_only_the_pseudonym(
    willow: User,
    fern: User,
    willows_thread: Thread,
    anonymous_reply: AnonymousReply,
    client_for: ClientFor,
) -> None:
    reply = anonymous_reply("ANONYMOUS-WORDS")

    for_willow = _article(_page(client_for(willow), willows_thread.get_absolute_url()), reply)
    for_fern = _article(_page(client_for(fern), willows_thread.get_absolute_url()), reply)
    answer = client_for(willow).get(f"/api/v1/posts/{reply.pk}").json()

    for article in (for_willow, for_fern):
        assert MUTED_FOLD not in article
        assert "ANONYMOUS-WORDS" in article
        assert reply.author_name in article
        assert "Rowan" not in article
        assert "rowan" not in article
    assert answer["is_from_muted_member"] is False
    assert answer["author"] == {"name": reply.author_name, "username": None}


def test_anonymously_their_mention_of_you_is_linked_like_any_other(
    willow: User, willows_thread: Thread, anonymous_reply: AnonymousReply
) -> None:
    reply = anonymous_reply("@willow are you there?")

    # Written under the pseudonym, the name linked as always: nothing ties it to Rowan.
    assert re.search(r'<a [^>]*href="/members/willow/"[^>]*>@willow</a>', reply.body_html)
    assert reply.author_name.startswith("Anonymous")
