"""A message that matches a crisis signal: sent as normal, a private panel for its writer
only, and a check-in for the moderators only when the writer asks (CARE.md; issue 13,
item 6)."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.conversations.crisis import (
    crisis_panel_for,
    remember_crisis_panel,
    take_crisis_panel,
)
from hearth.conversations.models import Conversation, Message
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import send_message, start_conversation
from hearth.conversations.testing import open_to_everyone
from hearth.core.testing import ClientFor, MakeMember
from hearth.moderation.services import close_item
from hearth.notifications.models import Kind
from hearth.notifications.testing import deliver, told
from hearth.safety.models import CrisisRule, QueueItem, QueueKind, Resolution

pytestmark = pytest.mark.django_db

CRISIS_TEXT = "I can't keep pretending. Tonight I just want to die."
PANEL = "Thank you for sharing this"


@pytest.fixture
def writer(make_member: MakeMember) -> User:
    return make_member(display_name="Fern", country="GB")


@pytest.fixture
def recipient(make_member: MakeMember) -> User:
    member = make_member(display_name="Ash", country="GB")
    open_to_everyone(member)
    return member


@pytest.fixture
def conversation(writer: User, recipient: User) -> Conversation:
    return start_conversation(
        starter=writer, recipients=[recipient], title="", body="Hello", request_key="hello"
    )


def _send(author: User, conversation: Conversation, body: str, key: str = "k1") -> Message:
    opened = get_conversation_for_viewer_or_404(author, conversation.pk)
    return send_message(author=author, opened=opened, body=body, request_key=key)


def _reply(client: Client, conversation: Conversation, body: str) -> None:
    response = client.post(
        reverse("conversations:reply", args=[conversation.pk]),
        {"body": body, "request_key": body[:20]},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _page(client: Client, conversation: Conversation) -> str:
    response = client.get(reverse("conversations:conversation", args=[conversation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _request_as(member: User) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = member
    request.session = SessionStore()
    return request


def _no_words_of(item: QueueItem, text: str) -> None:
    fields = [str(getattr(item, field.attname)) for field in QueueItem._meta.concrete_fields]
    for word in ("pretending", "Tonight", "die"):
        assert word in text
        assert all(word not in value for value in fields), fields


# --- The panel ---------------------------------------------------------------------------


def test_the_writer_alone_gets_the_panel_for_a_crisis_message(
    writer: User, recipient: User, conversation: Conversation
) -> None:
    message = _send(writer, conversation, CRISIS_TEXT)

    panel = crisis_panel_for(writer, message)

    assert panel is not None
    assert panel["about_message"] is True
    assert panel["asked_for_check_in"] is False
    assert panel["check_in_action"] == reverse(
        "conversation_reports:ask_for_check_in", args=[conversation.pk, message.pk]
    )
    assert panel["contacts"].emergency_number == "999"
    assert crisis_panel_for(recipient, message) is None
    assert crisis_panel_for(writer, _send(writer, conversation, "A calm day", "k2")) is None
    assert not QueueItem.objects.exists()


def test_the_panel_shows_once_and_only_in_the_writers_session(
    writer: User, recipient: User, conversation: Conversation
) -> None:
    message = _send(writer, conversation, CRISIS_TEXT)
    writers_request = _request_as(writer)
    opened = get_conversation_for_viewer_or_404(writer, conversation.pk)

    remember_crisis_panel(writers_request, message)
    first = take_crisis_panel(writers_request, opened)
    again = take_crisis_panel(writers_request, opened)

    assert first is not None
    assert again is None
    # Even with the writer's note in their own session, the recipient gets nothing.
    recipients_request = _request_as(recipient)
    remember_crisis_panel(recipients_request, message)
    recipients_request.session["hearth_message_crisis_panel"] = {
        "conversation_id": conversation.pk,
        "message_id": message.pk,
    }
    theirs = get_conversation_for_viewer_or_404(recipient, conversation.pk)
    assert take_crisis_panel(recipients_request, theirs) is None


def test_starting_a_conversation_with_a_crisis_message_remembers_the_panel(
    writer: User, recipient: User
) -> None:
    started = start_conversation(
        starter=writer, recipients=[recipient], title="", body=CRISIS_TEXT, request_key="s"
    )
    request = _request_as(writer)

    remember_crisis_panel(request, started)

    opened = get_conversation_for_viewer_or_404(writer, started.pk)
    assert take_crisis_panel(request, opened) is not None


def test_the_panel_offers_the_check_in_and_says_the_words_stay_private(
    writer: User, conversation: Conversation
) -> None:
    message = _send(writer, conversation, CRISIS_TEXT)
    panel = crisis_panel_for(writer, message)
    assert panel is not None

    html = render_to_string(
        "conversations/crisis_message_panel.html", {"crisis_panel": panel, "csrf_token": "t"}
    )

    assert "Your message is sent." in html
    assert "Your post is up" not in html
    assert f'action="{panel["check_in_action"]}"' in html
    assert "Ask a moderator to check in with me" in html
    assert "never what you wrote" in html
    assert "not a crisis service" in html


# --- Through the pages -----------------------------------------------------------------------


def test_a_crisis_message_is_sent_and_only_the_writer_sees_the_panel(
    writer: User, recipient: User, conversation: Conversation, client_for: ClientFor
) -> None:
    writer_client, recipient_client = client_for(writer), client_for(recipient)

    _reply(writer_client, conversation, CRISIS_TEXT)
    writer_page = _page(writer_client, conversation)
    recipient_page = _page(recipient_client, conversation)

    assert PANEL in writer_page
    assert "Ask a moderator to check in with me" in writer_page
    assert "Tonight I just want to die." in recipient_page  # sent as normal
    assert PANEL not in recipient_page
    assert "crisis-panel" not in recipient_page
    assert PANEL not in _page(writer_client, conversation)  # once
    assert not QueueItem.objects.exists()  # nothing for moderators unless the writer asks


def test_asking_opens_exactly_one_check_in_that_holds_none_of_the_words(
    writer: User,
    recipient: User,
    conversation: Conversation,
    client_for: ClientFor,
    moderator: User,
) -> None:
    client = client_for(writer)
    _reply(client, conversation, CRISIS_TEXT)
    action = re.search(
        r'<form method="post" action="([^"]+/check-in/)"', _page(client, conversation)
    )
    assert action is not None
    fired_before = sum(CrisisRule.objects.values_list("fired_count", flat=True))

    first = client.post(action.group(1))
    second = client.post(action.group(1))

    assert first.status_code == second.status_code == 200
    assert "asked a moderator to check in" in first.content.decode()
    item = QueueItem.objects.get()
    assert (item.kind, item.asked_for_check_in) == (QueueKind.CHECK_IN, True)
    assert item.reported_member == writer
    assert (item.post_id, item.thread_id, item.category_id, item.reporter) == (None,) * 4
    assert item.matched_text == ""
    assert item.details == ""
    assert item.rule_ids
    _no_words_of(item, CRISIS_TEXT)
    assert sum(CrisisRule.objects.values_list("fired_count", flat=True)) == fired_before + len(
        item.rule_ids
    )
    # The moderators hear of the request, and their queue names the writer, not the words.
    deliver()
    assert [notification.kind for notification in told(moderator)] == [Kind.CHECK_IN_REQUEST]
    queue = client_for(moderator).get(reverse("moderation:queue")).content.decode()
    assert "the writer asked for a check-in" in queue
    assert "Fern" in queue
    assert "Tonight" not in queue
    assert "pretending" not in queue
    # When a moderator has checked in, the writer hears that they did (never the words).
    close_item(moderator=moderator, item=item, resolution=Resolution.HANDLED)
    deliver()
    (answered,) = told(writer, Kind.CHECK_IN)
    assert answered.target_url == reverse("moderation:notices")


@pytest.mark.parametrize("who", ["recipient", "outsider", "moderator"])
def test_only_the_writer_can_ask_for_a_check_in_about_their_message(
    who: str,
    writer: User,
    recipient: User,
    conversation: Conversation,
    client_for: ClientFor,
    make_member: MakeMember,
    moderator: User,
) -> None:
    message = _send(writer, conversation, CRISIS_TEXT)
    asker = {"recipient": recipient, "outsider": make_member(), "moderator": moderator}[who]
    url = reverse("conversation_reports:ask_for_check_in", args=[conversation.pk, message.pk])

    response = client_for(asker).post(url)

    assert response.status_code == 404
    assert not QueueItem.objects.exists()


def test_a_check_in_route_with_mixed_ids_is_a_404(
    writer: User,
    recipient: User,
    conversation: Conversation,
    client_for: ClientFor,
    make_member: MakeMember,
) -> None:
    message = _send(writer, conversation, CRISIS_TEXT)
    other = make_member()
    open_to_everyone(other)
    elsewhere = start_conversation(
        starter=writer, recipients=[other], title="", body="Hi", request_key="elsewhere"
    )
    client = client_for(writer)

    mixed = client.post(
        reverse("conversation_reports:ask_for_check_in", args=[elsewhere.pk, message.pk])
    )
    read = client.get(
        reverse("conversation_reports:ask_for_check_in", args=[conversation.pk, message.pk])
    )

    assert mixed.status_code == 404
    assert read.status_code == 405
    assert not QueueItem.objects.exists()


def test_the_composer_says_messages_are_checked_only_while_they_are(
    client_for: ClientFor, writer: User, conversation: Conversation, settings: Settings
) -> None:
    client = client_for(writer)
    url = reverse("conversations:conversation", args=[conversation.pk])
    note = "you alone will see where to find help"

    assert note in client.get(url).content.decode()
    settings.HEARTH_CRISIS_CHECK_CONVERSATIONS = False
    assert note not in client.get(url).content.decode()
    sent = _send(writer, conversation, CRISIS_TEXT, key="off")
    assert crisis_panel_for(writer, sent) is None


def test_previewing_a_message_shows_no_forum_crisis_panel(
    client_for: ClientFor, writer: User
) -> None:
    client = client_for(writer)
    preview = reverse("forum:preview")

    for_a_post = client.post(preview, {"body": CRISIS_TEXT}, HTTP_HX_REQUEST="true")
    for_a_message = client.post(
        preview, {"body": CRISIS_TEXT, "private_message": "1"}, HTTP_HX_REQUEST="true"
    )

    assert "crisis" in for_a_post.content.decode().lower()
    assert "crisis" not in for_a_message.content.decode().lower()
