"""Reporting a message of a conversation: what the moderators get, with the reporter's
consent, and the one audited door through which they read it (issue 13, item 4)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hearth.accounts.models import User
from hearth.conversations.models import Conversation, Message, ReportedMessage
from hearth.conversations.reports import read_reported_messages, report_message
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import (
    delete_message,
    edit_message,
    leave_conversation,
    send_message,
    start_conversation,
)
from hearth.conversations.testing import open_to_everyone
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category
from hearth.moderation.models import AuditAction, AuditEntry, ModeratorNotice
from hearth.notifications.models import Kind
from hearth.notifications.testing import deliver, told
from hearth.safety.models import QueueItem, QueueKind, ReportReason

pytestmark = pytest.mark.django_db


@dataclass
class Exchange:
    conversation: Conversation
    messages: list[Message]  # in order

    def message(self, number: int) -> Message:
        """The message at ``number`` (1 = the first)."""
        return Message.objects.get(pk=self.messages[number - 1].pk)


Converse = Callable[..., Exchange]


@pytest.fixture
def converse() -> Converse:
    """A conversation written through the real services: ``bodies[i]`` is written by
    ``writers[i % len(writers)]``; the first writer starts it with everyone else (and
    with ``silent`` members, who write nothing)."""

    def make(
        writers: list[User], bodies: list[str], *, title: str = "", silent: tuple[User, ...] = ()
    ) -> Exchange:
        starter, *others = writers
        key = f"c{Conversation.objects.count()}"
        open_to_everyone(*others, *silent)
        conversation = start_conversation(
            starter=starter,
            recipients=[*others, *silent],
            title=title,
            body=bodies[0],
            request_key=f"{key}-0",
        )
        for number, body in enumerate(bodies[1:], start=1):
            author = writers[number % len(writers)]
            opened = get_conversation_for_viewer_or_404(author, conversation.pk)
            send_message(author=author, opened=opened, body=body, request_key=f"{key}-{number}")
        messages = list(conversation.messages.order_by("position"))
        return Exchange(conversation, messages)

    return make


def _report_url(message: Message) -> str:
    return reverse(
        "conversation_reports:report_message", args=[message.conversation_id, message.pk]
    )


def _read_url(item: QueueItem) -> str:
    return reverse("conversation_reports:read_reported_messages", args=[item.pk])


def _report(
    reporter: User, message: Message, *, include_earlier: bool = False, details: str = ""
) -> QueueItem:
    return report_message(
        reporter=reporter,
        opened=get_conversation_for_viewer_or_404(reporter, message.conversation_id),
        message=message,
        reason=ReportReason.UNKIND,
        details=details,
        include_earlier=include_earlier,
    )


def _shared(item: QueueItem) -> list[tuple[int, bool]]:
    return list(
        ReportedMessage.objects.filter(queue_item_id=item.pk)
        .order_by("message__position")
        .values_list("message__position", "is_context")
    )


# --- Reporting ----------------------------------------------------------------------------


def test_a_participant_reports_a_message_and_only_that_message_is_shared(
    make_member: MakeMember, converse: Converse, client_for: ClientFor
) -> None:
    fern, ash = make_member(display_name="Fern"), make_member(display_name="Ash")
    exchange = converse([fern, ash], ["Hello", "Hi", "How are you?", "Leave me alone, idiot"])
    reported = exchange.message(4)

    response = client_for(fern).post(
        _report_url(reported), {"reason": "unkind", "details": "This hurt."}
    )

    assert response.status_code == 200
    assert "Thank you for telling us" in response.content.decode()
    item = QueueItem.objects.get()
    assert (item.kind, item.reason, item.details) == (QueueKind.REPORT, "unkind", "This hurt.")
    assert (item.reporter, item.reported_member, item.message_id) == (fern, ash, reported.pk)
    assert (item.post_id, item.thread_id, item.category_id) == (None, None, None)
    assert _shared(item) == [(4, False)]


def test_with_consent_the_three_messages_before_it_are_shared_too(
    make_member: MakeMember, converse: Converse, client_for: ClientFor
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["one", "two", "three", "four", "five", "six", "seven"])
    delete_message(member=fern, message=exchange.message(5))

    client_for(ash).post(
        _report_url(exchange.message(7)), {"reason": "unkind", "include_earlier": "on"}
    )

    # Three earlier messages that are not deleted, whoever wrote them; none after it.
    assert _shared(QueueItem.objects.get()) == [(3, True), (4, True), (6, True), (7, False)]


def test_without_the_box_ticked_no_earlier_message_is_shared(
    make_member: MakeMember, converse: Converse, client_for: ClientFor
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["one", "two", "three"])

    client_for(ash).post(_report_url(exchange.message(3)), {"reason": "other"})

    assert _shared(QueueItem.objects.get()) == [(3, False)]


@pytest.mark.parametrize(
    ("number", "offered"),
    [
        (1, None),
        (2, "Include the message before it so the moderators understand"),
        (3, "Include the 2 messages before it so the moderators understand"),
        (5, "Include the 3 messages before it so the moderators understand"),
    ],
)
def test_the_form_offers_the_earlier_messages_unticked(
    number: int,
    offered: str | None,
    make_member: MakeMember,
    converse: Converse,
    client_for: ClientFor,
) -> None:
    fern, ash = make_member(), make_member()
    # Ash writes the messages at even positions, Fern the others; Fern reports Ash's.
    exchange = converse([ash, fern] if number % 2 else [fern, ash], ["a", "b", "c", "d", "e"])

    page = client_for(fern).get(_report_url(exchange.message(number))).content.decode()

    if offered is None:
        assert 'name="include_earlier"' not in page
    else:
        assert offered in page
        checkbox = page.split('name="include_earlier"', 1)[0].rsplit("<input", 1)[1]
        checkbox += page.split('name="include_earlier"', 1)[1].split(">", 1)[0]
        assert "checked" not in checkbox


def test_reporting_ones_own_message_is_refused_with_a_clear_message(
    make_member: MakeMember, converse: Converse, client_for: ClientFor
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["Mine"])
    client = client_for(fern)

    shown = client.get(_report_url(exchange.message(1)))
    sent = client.post(_report_url(exchange.message(1)), {"reason": "unkind"})

    for response in (shown, sent):
        assert response.status_code == 403
        assert "This is your own message" in response.content.decode()
    with pytest.raises(PermissionDenied, match="your own message"):
        _report(fern, exchange.message(1))
    assert not QueueItem.objects.exists()
    assert not ReportedMessage.objects.exists()


def test_a_deleted_message_cannot_be_reported(
    make_member: MakeMember, converse: Converse, client_for: ClientFor
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["Hello", "Something I regret"])
    delete_message(member=ash, message=exchange.message(2))

    response = client_for(fern).post(_report_url(exchange.message(2)), {"reason": "unkind"})

    assert response.status_code == 403
    assert not QueueItem.objects.exists()


def test_only_a_participant_reaches_the_report_page_and_ids_cannot_be_mixed(
    make_member: MakeMember,
    converse: Converse,
    client_for: ClientFor,
    moderator: User,
    administrator: User,
) -> None:
    fern, ash, willow = make_member(), make_member(), make_member()
    exchange = converse([fern, ash, willow], ["Hello both", "Hi", "Hey"])
    elsewhere = converse([fern, make_member()], ["Another conversation"])
    leave_conversation(
        member=willow, opened=get_conversation_for_viewer_or_404(willow, exchange.conversation.pk)
    )
    message = exchange.message(2)
    mixed = reverse(
        "conversation_reports:report_message", args=[elsewhere.conversation.pk, message.pk]
    )
    missing = reverse("conversation_reports:report_message", args=[exchange.conversation.pk, 10**9])

    for outsider in (make_member(), willow, moderator, administrator):
        client = client_for(outsider)
        assert client.get(_report_url(message)).status_code == 404
        assert client.post(_report_url(message), {"reason": "unkind"}).status_code == 404
    fern_client = client_for(fern)
    assert fern_client.get(mixed).status_code == 404
    assert fern_client.post(mixed, {"reason": "unkind"}).status_code == 404
    assert fern_client.get(missing).status_code == 404
    assert fern_client.get(f"/messages/{10**30}/{message.pk}/report/").status_code == 404
    assert not QueueItem.objects.exists()


def test_the_reported_member_is_told_nothing(
    make_member: MakeMember, converse: Converse, client_for: ClientFor, moderator: User
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["Hello", "Go away"])
    deliver()  # the messages' own notifications
    notified_before = len(told(ash))
    mail.outbox.clear()

    client_for(fern).post(
        _report_url(exchange.message(2)), {"reason": "worried", "details": "I'm scared for Ash"}
    )
    deliver()

    ash.refresh_from_db()
    assert len(told(ash)) == notified_before
    assert not ModeratorNotice.objects.filter(member=ash).exists()
    assert ash.unread_notices == 0
    assert all(ash.email not in message.to for message in mail.outbox)
    # The moderators, on the other hand, hear of it.
    assert [notification.kind for notification in told(moderator)] == [Kind.REPORT]


# --- The moderators' reading ------------------------------------------------------------


def test_a_moderator_reads_exactly_the_shared_messages_and_each_reading_is_audited(
    make_member: MakeMember, converse: Converse, client_for: ClientFor, moderator: User
) -> None:
    fern = make_member(display_name="Fern")
    ash = make_member(display_name="Ash")
    willow = make_member(display_name="Willow")
    bodies = [f"canary{number}" for number in range(1, 8)]
    # Fern, Ash, Willow, Fern, Ash, Willow, Fern; Ash reports Fern's fourth message.
    exchange = converse([fern, ash, willow], bodies, title="canarytitle")
    exchange_ids = {message.pk for message in exchange.messages}
    item = _report(ash, exchange.message(4), include_earlier=True)
    assert not AuditEntry.objects.exists()  # reporting reads nothing
    client = client_for(moderator)

    first = client.get(_read_url(item)).content.decode()
    second = client.get(_read_url(item))

    assert second.status_code == 200
    for shown in ("canary1", "canary2", "canary3", "canary4"):
        assert shown in first
    for kept in ("canary5", "canary6", "canary7", "canarytitle"):
        assert kept not in first
    assert "Fern" in first
    assert "Ash" in first
    assert "Willow" in first  # wrote canary3, shared as context
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [entry.action for entry in entries] == [AuditAction.READ_REPORTED_MESSAGES] * 2
    assert {(entry.actor_id, entry.target_type, entry.target_id) for entry in entries} == {
        (moderator.pk, "queue_item", item.pk)
    }
    assert entries[0].reason == "Reading a reported message"
    assert entries[0].after == {"message_ids": [m.pk for m in exchange.messages[:4]]}
    assert set(entries[0].after["message_ids"]) <= exchange_ids


def test_a_participant_who_is_not_an_author_of_shared_messages_is_not_named(
    make_member: MakeMember, converse: Converse, client_for: ClientFor, administrator: User
) -> None:
    fern = make_member(display_name="Fern")
    ash = make_member(display_name="Ash")
    quiet = make_member(display_name="Quietname")
    exchange = converse([fern, ash], ["Hello", "Stop writing to me"], silent=(quiet,))
    item = _report(fern, exchange.message(2), include_earlier=True)

    page = client_for(administrator).get(_read_url(item)).content.decode()

    assert "Stop writing to me" in page
    assert "Quietname" not in page


@pytest.mark.parametrize(
    ("persona", "can_read"),
    [
        ("reporter", False),
        ("reported", False),
        ("outsider", False),
        ("category_moderator", False),
        ("moderator", True),
        ("administrator", True),
    ],
)
def test_only_moderators_of_the_whole_community_read_reported_messages(
    persona: str,
    can_read: bool,
    make_member: MakeMember,
    converse: Converse,
    client_for: ClientFor,
    category: Category,
    make_category_moderator: Callable[[Category], User],
    moderator: User,
    administrator: User,
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["Hello", "canaryreported"])
    item = _report(fern, exchange.message(2))
    personas = {
        "reporter": fern,
        "reported": ash,
        "outsider": make_member(),
        "category_moderator": make_category_moderator(category),
        "moderator": moderator,
        "administrator": administrator,
    }

    response = client_for(personas[persona]).get(_read_url(item))

    assert response.status_code == (200 if can_read else 404)
    assert ("canaryreported" in response.content.decode()) is can_read
    assert AuditEntry.objects.count() == int(can_read)


def test_other_queue_items_are_not_a_door_to_any_conversation(
    make_member: MakeMember,
    converse: Converse,
    client_for: ClientFor,
    moderator: User,
) -> None:
    fern, ash = make_member(), make_member()
    converse([fern, ash], ["Hello", "canaryprivate"])
    post_report = QueueItem.objects.create(kind=QueueKind.REPORT, post_id=1, thread_id=1)
    member_report = QueueItem.objects.create(kind=QueueKind.REPORT, reported_member=ash)
    client = client_for(moderator)

    for item_id in (post_report.pk, member_report.pk, 10**9):
        response = client.get(
            reverse("conversation_reports:read_reported_messages", args=[item_id])
        )
        assert response.status_code == 404
    assert client.get(f"/moderation/conversation-reports/{10**30}/").status_code == 404
    assert not AuditEntry.objects.exists()


def test_an_edit_after_the_report_does_not_hide_what_was_reported(
    make_member: MakeMember, converse: Converse, client_for: ClientFor, moderator: User
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["Hello", "You are worthless"])
    item = _report(fern, exchange.message(2))
    message = exchange.message(2)

    edit_message(editor=ash, message=message, body="Sorry, wrong chat", base_revision=1)
    page = client_for(moderator).get(_read_url(item)).content.decode()

    assert "Edited after it was reported" in page
    assert "You are worthless" in page
    assert "Sorry, wrong chat" in page


def test_a_message_deleted_after_the_report_keeps_what_was_reported(
    make_member: MakeMember, converse: Converse, client_for: ClientFor, moderator: User
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["Hello", "Something cruel"])
    item = _report(fern, exchange.message(2))
    delete_message(member=ash, message=exchange.message(2))

    shared = read_reported_messages(moderator=moderator, item_id=item.pk)
    page = client_for(moderator).get(_read_url(item)).content.decode()

    assert [(m.is_deleted, m.body_when_reported) for m in shared.messages] == [
        (True, "Something cruel")
    ]
    assert "deleted this message since" in page
    assert "Something cruel" in page


def test_the_queue_links_a_conversation_report_to_its_audited_reading(
    make_member: MakeMember, converse: Converse, client_for: ClientFor, moderator: User
) -> None:
    fern, ash = make_member(), make_member()
    exchange = converse([fern, ash], ["Hello", "canaryinqueue"])
    item = _report(fern, exchange.message(2), details="Please look")

    page = client_for(moderator).get(reverse("moderation:queue")).content.decode()

    assert "Read the reported messages" in page
    assert _read_url(item) in page
    assert "Please look" in page
    assert "canaryinqueue" not in page  # the words only behind the audited door
    assert not AuditEntry.objects.exists()
