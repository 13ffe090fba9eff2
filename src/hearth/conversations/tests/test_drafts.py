"""Server drafts of messages: saved as a member types, back in the composer, gone once
sent or left; only ever their writer's, and encrypted at rest."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.conversations import views
from hearth.conversations.drafts import message_draft_of, save_message_draft
from hearth.conversations.models import Conversation, Message, MessageDraft
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import leave_conversation, send_message, start_conversation
from hearth.conversations.tests.conftest import Start
from hearth.core.ratelimit import RateLimit
from hearth.core.testing import ClientFor, MakeMember

pytestmark = pytest.mark.django_db

CANARY = "canarytulip7731"


def _draft_url(conversation: Conversation) -> str:
    return reverse("conversations:save_draft", args=[conversation.pk])


def _start_draft_url() -> str:
    return reverse("conversations:save_start_draft")


def _conversation_url(conversation: Conversation) -> str:
    return reverse("conversations:conversation", args=[conversation.pk])


def _text(response: object) -> str:
    return str(response.content.decode())  # type: ignore[attr-defined]  # any test response


def _draft(member: User, conversation: Conversation | None) -> str:
    opened = get_conversation_for_viewer_or_404(member, conversation.pk) if conversation else None
    return message_draft_of(member, opened)


# --- Saving and prefilling --------------------------------------------------------------


def test_a_reply_draft_is_saved_and_comes_back_in_the_conversations_composer(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    client = client_for(fern)

    response = client.post(_draft_url(conversation), {"body": "Half a thought"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert _text(response) == "Draft saved."
    assert _draft(fern, conversation) == "Half a thought"
    page = _text(client.get(_conversation_url(conversation)))
    assert "Half a thought</textarea>" in page
    assert f'data-draft-url="{_draft_url(conversation)}"' in page


def test_saving_again_replaces_the_draft_and_an_empty_composer_clears_it(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    client = client_for(fern)

    client.post(_draft_url(conversation), {"body": "First words"})
    client.post(_draft_url(conversation), {"body": "Better words"})
    assert list(MessageDraft.objects.values_list("body", flat=True)) == ["Better words"]

    cleared = client.post(_draft_url(conversation), {"body": "  \n "})

    assert _text(cleared) == "Draft cleared."
    assert not MessageDraft.objects.exists()


def test_the_new_conversation_form_has_one_draft_that_prefills_it(
    fern: User, client_for: ClientFor
) -> None:
    client = client_for(fern)

    client.post(_start_draft_url(), {"body": "Dear someone"})
    client.post(_start_draft_url(), {"body": "Dear Ash", "title": "ignored"})
    page = _text(client.get(reverse("conversations:start"), {"to": "ash"}))

    draft = MessageDraft.objects.get()
    assert (draft.conversation_id, draft.body) == (None, "Dear Ash")
    assert "Dear Ash</textarea>" in page
    assert f'data-draft-url="{_start_draft_url()}"' in page


def test_quoting_keeps_what_the_member_was_writing(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="Hello")
    message = conversation.messages.get()
    client = client_for(ash)
    client.post(_draft_url(conversation), {"body": "My own words first"})

    page = _text(client.get(reverse("conversations:quote", args=[conversation.pk, message.pk])))

    assert "My own words first\n\n**Fern** [wrote]" in page
    assert "&gt; Hello\n\n</textarea>" in page


def test_message_drafts_are_encrypted_at_rest(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    client = client_for(fern)

    client.post(_draft_url(conversation), {"body": f"Reply {CANARY}"})
    client.post(_start_draft_url(), {"body": f"New {CANARY}"})

    with connection.cursor() as cursor:
        cursor.execute(f'SELECT body FROM "{MessageDraft._meta.db_table}"')  # noqa: S608
        stored = [str(row[0]) for row in cursor.fetchall()]
    assert len(stored) == 2
    assert all(CANARY not in body for body in stored)
    assert _draft(fern, conversation) == f"Reply {CANARY}"
    assert _draft(fern, None) == f"New {CANARY}"


# --- Gone once sent, or left ------------------------------------------------------------


def test_sending_the_reply_deletes_its_draft_and_no_other(
    fern: User, ash: User, willow: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    elsewhere = start(fern, willow)
    client = client_for(fern)
    client.post(_draft_url(conversation), {"body": "Almost ready"})
    client.post(_draft_url(elsewhere), {"body": "For Willow, later"})
    client_for(ash).post(_draft_url(conversation), {"body": "Ash is writing too"})

    sent = client.post(
        reverse("conversations:reply", args=[conversation.pk]),
        {"body": "Almost ready", "request_key": "r1"},
    )

    assert sent.status_code == 302
    assert _draft(fern, conversation) == ""
    assert _draft(fern, elsewhere) == "For Willow, later"
    assert _draft(ash, conversation) == "Ash is writing too"
    assert "Almost ready</textarea>" not in _text(client.get(_conversation_url(conversation)))


def test_a_reply_that_is_not_sent_keeps_its_draft(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    client = client_for(fern)
    client.post(_draft_url(conversation), {"body": "Keep me"})

    refused = client.post(
        reverse("conversations:reply", args=[conversation.pk]),
        {"body": "x" * 70_000, "request_key": "r1"},
    )

    assert refused.status_code == 400
    assert _draft(fern, conversation) == "Keep me"


def test_starting_a_conversation_deletes_the_new_conversation_draft(
    fern: User, ash: User, willow: User, start: Start, client_for: ClientFor
) -> None:
    elsewhere = start(fern, willow)
    client = client_for(fern)
    client.post(_start_draft_url(), {"body": "Dear Ash"})
    client.post(_draft_url(elsewhere), {"body": "For Willow, later"})

    started = client.post(
        reverse("conversations:start"),
        {"recipients": "ash", "body": "Dear Ash", "request_key": "k"},
    )

    assert started.status_code == 302
    assert _draft(fern, None) == ""
    assert _draft(fern, elsewhere) == "For Willow, later"


def test_the_services_delete_the_draft_in_the_same_transaction(
    fern: User, ash: User, start: Start
) -> None:
    conversation = start(fern, ash)
    opened = get_conversation_for_viewer_or_404(fern, conversation.pk)
    save_message_draft(member=fern, opened=opened, body="Soon sent")
    save_message_draft(member=fern, opened=None, body="Soon started")

    send_message(author=fern, opened=opened, body="Soon sent", request_key="s1")
    start_conversation(starter=fern, recipients=[ash], title="", body="Hi", request_key="s2")

    assert not MessageDraft.objects.filter(member=fern).exists()


def test_leaving_deletes_the_members_draft_there(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    client_for(fern).post(_draft_url(conversation), {"body": "Never mind"})
    client_for(ash).post(_draft_url(conversation), {"body": "Ash stays"})

    leave_conversation(
        member=fern, opened=get_conversation_for_viewer_or_404(fern, conversation.pk)
    )

    assert list(MessageDraft.objects.values_list("member", "body")) == [(ash.pk, "Ash stays")]
    assert client_for(fern).post(_draft_url(conversation), {"body": "Back?"}).status_code == 404
    assert not MessageDraft.objects.filter(member=fern).exists()


# --- Nobody else ------------------------------------------------------------------------


def test_someone_outside_the_conversation_gets_404_and_cannot_touch_the_draft(
    fern: User, ash: User, willow: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    client_for(fern).post(_draft_url(conversation), {"body": f"Fern's {CANARY}"})
    snoop = client_for(willow)

    overwrite = snoop.post(_draft_url(conversation), {"body": "Overwritten"})
    clear = snoop.post(_draft_url(conversation), {"body": ""})
    read = snoop.get(_draft_url(conversation))
    page = snoop.get(_conversation_url(conversation))

    assert overwrite.status_code == clear.status_code == page.status_code == 404
    assert read.status_code == 405
    assert all(CANARY not in _text(r) for r in (overwrite, clear, read, page))
    assert list(MessageDraft.objects.values_list("member", "body")) == [
        (fern.pk, f"Fern's {CANARY}")
    ]


def test_a_draft_is_only_ever_its_writers(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    """Ash is in the conversation too, but sees an empty composer, not Fern's draft; and
    Fern's draft for a new conversation is not Ash's."""
    conversation = start(fern, ash)
    fern_client = client_for(fern)
    fern_client.post(_draft_url(conversation), {"body": f"Fern's {CANARY}"})
    fern_client.post(_start_draft_url(), {"body": f"Fern's new {CANARY}"})
    ash_client = client_for(ash)

    assert CANARY not in _text(ash_client.get(_conversation_url(conversation)))
    assert CANARY not in _text(ash_client.get(reverse("conversations:start")))
    ash_client.post(_draft_url(conversation), {"body": "Ash's own"})
    assert _draft(fern, conversation) == f"Fern's {CANARY}"


def test_the_address_alone_says_which_draft_mixed_ids_change_nothing(
    fern: User, ash: User, willow: User, start: Start, client_for: ClientFor
) -> None:
    """Fern is in both conversations; ids in the form (the forum's fields, another
    conversation's) never move the draft away from the conversation of the URL."""
    mine = start(fern, ash)
    theirs = start(ash, willow)
    client = client_for(fern)

    response = client.post(
        _draft_url(mine),
        {"body": "For Ash", "conversation": theirs.pk, "conversation_id": theirs.pk, "thread": 1},
    )

    assert response.status_code == 200
    assert list(MessageDraft.objects.values_list("member", "conversation", "body")) == [
        (fern.pk, mine.pk, "For Ash")
    ]
    assert client.post(_draft_url(theirs), {"body": "Sneaking in"}).status_code == 404
    assert MessageDraft.objects.count() == 1


def test_visitors_are_sent_to_sign_in(fern: User, ash: User, start: Start) -> None:
    conversation = start(fern, ash)

    for url in (_draft_url(conversation), _start_draft_url()):
        response = Client().post(url, {"body": "Hello"})
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert not MessageDraft.objects.exists()


def test_saving_a_draft_needs_the_csrf_token(fern: User, ash: User, start: Start) -> None:
    conversation = start(fern, ash)
    client = Client(enforce_csrf_checks=True)
    client.force_login(fern)

    forged = client.post(_draft_url(conversation), {"body": "Forged"})
    client.get(_conversation_url(conversation))
    token = client.cookies["csrftoken"].value
    genuine = client.post(_draft_url(conversation), {"body": "Mine", "csrfmiddlewaretoken": token})

    assert forged.status_code == 403
    assert genuine.status_code == 200
    assert _draft(fern, conversation) == "Mine"


# --- Bad input and limits ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (f"Hello\x00{CANARY}", "The draft could not be saved."),
        ("x" * 70_000, "This message is too long"),
    ],
)
def test_bad_drafts_are_a_400_that_changes_nothing(
    body: str, says: str, fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    client = client_for(fern)
    client.post(_draft_url(conversation), {"body": "Kept"})

    for url in (_draft_url(conversation), _start_draft_url()):
        response = client.post(url, {"body": body})
        assert response.status_code == 400, url
        assert says in _text(response)
        assert CANARY not in _text(response)
    assert list(MessageDraft.objects.values_list("body", flat=True)) == ["Kept"]


def test_saving_too_fast_is_a_429_the_composer_retries(
    fern: User, ash: User, start: Start, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "DRAFT_RATE", RateLimit.parse("2/600"))
    conversation = start(fern, ash)
    client = client_for(fern)

    answers = [
        client.post(_draft_url(conversation), {"body": f"Version {number}"}).status_code
        for number in range(3)
    ]

    assert answers == [200, 200, 429]
    assert _draft(fern, conversation) == "Version 1"
    assert Message.objects.count() == 1


def test_the_start_form_says_when_it_holds_an_earlier_draft(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    writer = make_member()
    client = client_for(writer)
    start_url = reverse("conversations:start")
    notice = "Check who it is for before you send it."

    assert notice not in client.get(start_url).content.decode()
    client.post(reverse("conversations:save_start_draft"), {"body": "Words for Ash"})
    page = client.get(start_url, {"to": "someone"}).content.decode()

    assert notice in page
    assert "Words for Ash" in page
