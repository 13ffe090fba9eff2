"""Conversations through their services: who may write to whom, what is stored, who hears."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.conversations.models import AllowFrom, Conversation, Message, MessagingSettings
from hearth.conversations.selectors import (
    conversations_of,
    get_conversation_for_viewer_or_404,
    get_message_for_viewer_or_404,
)
from hearth.conversations.services import (
    EditConflict,
    RequestKeyReused,
    add_participant,
    delete_message,
    edit_message,
    leave_conversation,
    send_message,
    set_muted,
    start_conversation,
)
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.testing import MakeMember
from hearth.forum.testing import MakeReply, MakeThread
from hearth.moderation.services import suspend_member
from hearth.notifications.models import Kind
from hearth.notifications.services import mark_read
from hearth.notifications.testing import bell, deliver, told
from hearth.notifications.wording import headline

pytestmark = pytest.mark.django_db

CANARY = "canarytulip7731"
Start = Callable[..., Conversation]


@pytest.fixture
def start(make_member: MakeMember) -> Start:
    def make(
        starter: User | None = None,
        *recipients: User,
        body: str = "Hello, how are you?",
        key: str = "",
    ) -> Conversation:
        starter = starter or make_member()
        recipients = recipients or (make_member(),)
        open_to_everyone(*recipients)
        return start_conversation(
            starter=starter,
            recipients=list(recipients),
            title="",
            body=body,
            request_key=key or f"k{Message.objects.count()}-{starter.pk}",
        )

    return make


def test_two_members_write_to_each_other(make_member: MakeMember, start: Start) -> None:
    fern, ash = make_member(display_name="Fern"), make_member(display_name="Ash")
    conversation = start(fern, ash, body="Thinking of you")

    opened = get_conversation_for_viewer_or_404(ash, conversation.pk)
    send_message(author=ash, opened=opened, body="Thank you, it helps", request_key="r1")

    assert [m.body for m in conversation.messages.order_by("position")] == [
        "Thinking of you",
        "Thank you, it helps",
    ]
    assert [row.others for row in conversations_of(fern).rows] == [["Ash"]]
    assert conversations_of(fern).rows[0].unread == 1


def test_the_same_request_key_sends_once(make_member: MakeMember, start: Start) -> None:
    fern = make_member()
    conversation = start(fern, key="once")
    opened = get_conversation_for_viewer_or_404(fern, conversation.pk)

    for _ in range(2):
        send_message(author=fern, opened=opened, body="Again", request_key="again")
    again = start_conversation(
        starter=fern,
        recipients=[make_member()],
        title="",
        body="Hello, how are you?",
        request_key="once",
    )

    assert again.pk == conversation.pk
    assert conversation.messages.count() == 2


def test_a_reply_resent_with_other_words_sends_nothing_and_keeps_what_was_sent(
    make_member: MakeMember, start: Start
) -> None:
    fern = make_member()
    conversation = start(fern)
    opened = get_conversation_for_viewer_or_404(fern, conversation.pk)
    sent = send_message(author=fern, opened=opened, body="First words", request_key="r")

    with pytest.raises(RequestKeyReused) as reused:
        send_message(author=fern, opened=opened, body="Second thoughts", request_key="r")

    assert reused.value.existing == sent
    assert reused.value.first_body == "First words"
    assert [m.body for m in conversation.messages.order_by("position")] == [
        "Hello, how are you?",
        "First words",
    ]


def test_a_new_conversation_resent_with_other_words_starts_nothing(
    make_member: MakeMember, start: Start
) -> None:
    fern = make_member()
    conversation = start(fern, body="First words", key="s")

    with pytest.raises(RequestKeyReused) as reused:
        start_conversation(
            starter=fern, recipients=[make_member()], title="", body="Other", request_key="s"
        )

    assert reused.value.existing.conversation == conversation
    assert reused.value.first_body == "First words"
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_resend_is_compared_with_the_words_first_sent_not_an_edit(
    make_member: MakeMember, start: Start
) -> None:
    fern = make_member()
    conversation = start(fern)
    opened = get_conversation_for_viewer_or_404(fern, conversation.pk)
    sent = send_message(author=fern, opened=opened, body="Helo", request_key="r")
    edit_message(editor=fern, message=sent, body="Hello", base_revision=1)

    resent = send_message(author=fern, opened=opened, body="Helo", request_key="r")
    with pytest.raises(RequestKeyReused) as reused:
        send_message(author=fern, opened=opened, body="Hello", request_key="r")

    assert resent.pk == sent.pk
    assert reused.value.first_body == "Helo"
    assert conversation.messages.count() == 2


def test_message_text_is_encrypted_at_rest(make_member: MakeMember, start: Start) -> None:
    conversation = start(make_member(), body=f"My secret {CANARY}")
    Conversation.objects.filter(pk=conversation.pk).update(title=f"About {CANARY}")

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT body, body_html FROM "{Message._meta.db_table}"')  # noqa: S608
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
        cursor.execute(f'SELECT title FROM "{Conversation._meta.db_table}"')  # noqa: S608
        stored += " ".join(str(row[0]) for row in cursor.fetchall())
        cursor.execute('SELECT body FROM "conversations_messagerevision"')
        stored += " ".join(str(row[0]) for row in cursor.fetchall())

    assert CANARY not in stored
    assert Message.objects.get().body == f"My secret {CANARY}"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file only exists on SQLite")
@pytest.mark.django_db(transaction=True)
def test_the_canary_is_absent_from_the_database_file(make_member: MakeMember, start: Start) -> None:
    # A name is stored in the clear: finding it proves the file is read where the
    # rows are (so the absence of the message's canary means something).
    start(make_member(display_name="Plainname4471"), body=f"My secret {CANARY}")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(settings.DATABASES["default"]["TEST"]["NAME"])

    files = [path, path.with_name(f"{path.name}-wal")]
    data = b"".join(file.read_bytes() for file in files if file.exists())

    assert b"Plainname4471" in data
    assert CANARY.encode() not in data


def test_nobody_else_can_open_a_conversation_or_its_messages(
    make_member: MakeMember, start: Start, moderator: User, administrator: User
) -> None:
    fern, ash = make_member(), make_member()
    conversation = start(fern, ash)
    message = conversation.messages.get()

    for outsider in (make_member(), moderator, administrator):
        with pytest.raises(Http404):
            get_conversation_for_viewer_or_404(outsider, conversation.pk)
    other = start(fern, make_member())
    opened_other = get_conversation_for_viewer_or_404(fern, other.pk)
    with pytest.raises(Http404):
        get_message_for_viewer_or_404(opened_other, message.pk)  # a mixed id


def test_a_member_who_left_sees_it_no_more(make_member: MakeMember, start: Start) -> None:
    fern, ash, willow = make_member(), make_member(), make_member()
    conversation = start(fern, ash, willow)
    opened = get_conversation_for_viewer_or_404(ash, conversation.pk)

    leave_conversation(member=ash, opened=opened)

    with pytest.raises(Http404):
        get_conversation_for_viewer_or_404(ash, conversation.pk)
    assert conversations_of(ash).rows == []
    assert [len(row.others) for row in conversations_of(fern).rows] == [1]


def test_a_member_who_blocked_you_cannot_be_messaged_and_the_reason_is_not_said(
    make_member: MakeMember,
) -> None:
    fern, ash = make_member(), make_member()
    open_to_everyone(ash)
    mute_member(member=ash, target=fern, block=True)

    with pytest.raises(PermissionDenied) as refused:
        start_conversation(starter=fern, recipients=[ash], title="", body="Hi", request_key="k")

    assert str(refused.value) == "You can't message this member."
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    ("choice", "replied", "allowed"),
    [
        (AllowFrom.EVERYONE, False, True),
        (AllowFrom.REPLIED, False, False),
        (AllowFrom.REPLIED, True, True),
        (AllowFrom.NOBODY, True, False),
    ],
)
def test_members_choose_who_may_message_them(
    choice: str,
    replied: bool,
    allowed: bool,
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
) -> None:
    fern, ash = make_member(), make_member()
    MessagingSettings.objects.create(member=ash, allow_from=choice)
    if replied:
        make_reply(make_thread(author=fern), author=ash)

    if allowed:
        start_conversation(starter=fern, recipients=[ash], title="", body="Hi", request_key="k")
        assert Conversation.objects.count() == 1
    else:
        with pytest.raises(PermissionDenied, match=r"You can't message this member\."):
            start_conversation(starter=fern, recipients=[ash], title="", body="Hi", request_key="k")


def test_new_accounts_cannot_be_messaged_until_they_choose_but_the_moderators_always_can(
    make_member: MakeMember, moderator: User
) -> None:
    newcomer, established = make_member(), make_member()
    make_established(established)

    with pytest.raises(PermissionDenied):
        start_conversation(
            starter=established, recipients=[newcomer], title="", body="Hi", request_key="k"
        )
    start_conversation(
        starter=moderator, recipients=[newcomer], title="", body="Welcome", request_key="m"
    )
    start_conversation(
        starter=newcomer, recipients=[moderator], title="", body="Thanks", request_key="n"
    )

    assert Conversation.objects.count() == 2


def test_new_members_start_only_a_few_conversations_a_day(
    make_member: MakeMember, settings: object
) -> None:
    settings.HEARTH_NEW_MEMBER_CONVERSATIONS_PER_DAY = 2  # type: ignore[attr-defined]
    newcomer = make_member()
    others = [make_member() for _ in range(3)]
    open_to_everyone(*others)

    for number, other in enumerate(others[:2]):
        start_conversation(
            starter=newcomer, recipients=[other], title="", body="Hi", request_key=f"k{number}"
        )
    with pytest.raises(PermissionDenied, match="2 conversations a day"):
        start_conversation(
            starter=newcomer, recipients=[others[2]], title="", body="Hi", request_key="k3"
        )

    make_established(newcomer)
    start_conversation(
        starter=newcomer, recipients=[others[2]], title="", body="Hi", request_key="k4"
    )


def test_a_suspended_member_writes_only_to_the_moderators(
    make_member: MakeMember, moderator: User
) -> None:
    member, friend = make_member(), make_member()
    open_to_everyone(friend)
    suspend_member(moderator=moderator, member=member, days=3, partial=True, reason="Cooling off")
    member.refresh_from_db()

    with pytest.raises(PermissionDenied, match="only to the moderators"):
        start_conversation(
            starter=member, recipients=[friend], title="", body="Hi", request_key="k"
        )
    start_conversation(
        starter=member, recipients=[moderator], title="", body="Can we talk?", request_key="m"
    )


def test_groups_hold_at_most_eight(make_member: MakeMember) -> None:
    starter = make_member()
    others = [make_member() for _ in range(8)]
    open_to_everyone(*others)

    with pytest.raises(ValidationError, match="at most 8"):
        start_conversation(starter=starter, recipients=others, title="", body="Hi", request_key="k")
    conversation = start_conversation(
        starter=starter, recipients=others[:6], title="Our group", body="Hi", request_key="g"
    )
    opened = get_conversation_for_viewer_or_404(starter, conversation.pk)
    add_participant(adder=starter, opened=opened, member=others[6])
    with pytest.raises(ValidationError, match="at most 8"):
        add_participant(
            adder=starter,
            opened=get_conversation_for_viewer_or_404(starter, conversation.pk),
            member=others[7],
        )


def test_only_a_group_takes_new_members(make_member: MakeMember, start: Start) -> None:
    fern = make_member()
    conversation = start(fern)
    newcomer = make_member()
    open_to_everyone(newcomer)

    with pytest.raises(PermissionDenied):
        add_participant(
            adder=fern,
            opened=get_conversation_for_viewer_or_404(fern, conversation.pk),
            member=newcomer,
        )


def test_editing_keeps_history_and_detects_conflicts(make_member: MakeMember, start: Start) -> None:
    fern = make_member()
    conversation = start(fern, body="First words")
    message = conversation.messages.get()

    edit_message(editor=fern, message=message, body="Better words", base_revision=1)
    with pytest.raises(EditConflict):
        edit_message(editor=fern, message=message, body="Stale", base_revision=1)

    message.refresh_from_db()
    assert (message.body, message.revision) == ("Better words", 2)
    assert [revision.body for revision in message.revisions.all()] == [
        "First words",
        "Better words",
    ]


def test_only_the_author_edits_or_deletes_and_deleting_removes_the_text(
    make_member: MakeMember, start: Start
) -> None:
    fern, ash = make_member(), make_member()
    conversation = start(fern, ash, body=f"Regret {CANARY}")
    message = conversation.messages.get()

    with pytest.raises(PermissionDenied):
        edit_message(editor=ash, message=message, body="Hijack", base_revision=1)
    with pytest.raises(PermissionDenied):
        delete_message(member=ash, message=message)
    delete_message(member=fern, message=message)

    message.refresh_from_db()
    assert message.is_deleted
    assert message.body == ""
    assert not message.revisions.exists()


def test_an_empty_or_huge_message_is_refused_with_a_reason(
    make_member: MakeMember, start: Start
) -> None:
    fern = make_member()
    opened = get_conversation_for_viewer_or_404(fern, start(fern).pk)

    with pytest.raises(ValidationError, match="write something"):
        send_message(author=fern, opened=opened, body="   ", request_key="e")
    with pytest.raises(ValidationError, match="too long"):
        send_message(author=fern, opened=opened, body="x" * 300_000, request_key="h")


# --- Notifications ---------------------------------------------------------------------------


def test_a_message_rings_the_bell_and_emails_no_text(make_member: MakeMember, start: Start) -> None:
    fern, ash = make_member(display_name="Fern"), make_member()
    conversation = start(fern, ash, body=f"Private {CANARY}")

    deliver()

    (notification,) = told(ash, Kind.MESSAGE)
    assert headline(notification) == "Fern sent you a message"
    assert notification.target_url.startswith(f"/messages/{conversation.pk}/#message-")
    assert bell(ash) == 1
    (message,) = [each for each in mail.outbox if each.to == [ash.email]]
    assert CANARY not in str(message.body) + message.subject
    assert told(fern) == []


def test_more_messages_group_on_one_notification(make_member: MakeMember, start: Start) -> None:
    fern, ash = make_member(display_name="Fern"), make_member()
    conversation = start(fern, ash)
    opened = get_conversation_for_viewer_or_404(fern, conversation.pk)
    for number in range(2):
        send_message(author=fern, opened=opened, body=f"And {number}", request_key=f"more{number}")

    deliver()

    (notification,) = told(ash)
    assert headline(notification) == "Fern sent you 3 messages"


def test_a_muted_conversation_or_a_muted_member_does_not_ring(
    make_member: MakeMember, start: Start
) -> None:
    fern, ash, willow = make_member(), make_member(), make_member()
    conversation = start(fern, ash, willow)
    deliver()
    set_muted(
        member=ash, opened=get_conversation_for_viewer_or_404(ash, conversation.pk), muted=True
    )
    mute_member(member=willow, target=fern)
    for each in (ash, willow):
        mark_read(member=each)

    send_message(
        author=fern,
        opened=get_conversation_for_viewer_or_404(fern, conversation.pk),
        body="Hi",
        request_key="x",
    )
    deliver()

    assert bell(ash) == 0
    assert bell(willow) == 0


def test_leaving_takes_the_notification_away(make_member: MakeMember, start: Start) -> None:
    fern, ash, willow = make_member(), make_member(), make_member()
    conversation = start(fern, ash, willow)
    deliver()
    assert bell(ash) == 1

    leave_conversation(member=ash, opened=get_conversation_for_viewer_or_404(ash, conversation.pk))
    deliver()

    assert told(ash) == []
    assert bell(ash) == 0
