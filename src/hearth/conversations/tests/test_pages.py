"""The conversation pages, as members use them; and as everyone else must not."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from hearth.accounts.models import Role, User
from hearth.accounts.services import mute_member
from hearth.conversations import selectors, views
from hearth.conversations.drafts import save_message_draft
from hearth.conversations.models import (
    AllowFrom,
    Conversation,
    Message,
    MessageDraft,
    MessagingSettings,
    Participant,
)
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import (
    edit_message,
    leave_conversation,
    mark_read,
    send_message,
    set_muted,
)
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.conversations.tests.conftest import Start
from hearth.core.ratelimit import RateLimit
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category
from hearth.forum.services import reply_to_thread, start_thread
from hearth.forum.testing import MakeCategory
from hearth.notifications.testing import bell, deliver

pytestmark = pytest.mark.django_db

CANARY = "canarytulip7731"


def _send(member: User, conversation: Conversation, body: str) -> Message:
    opened = get_conversation_for_viewer_or_404(member, conversation.pk)
    return send_message(
        author=member, opened=opened, body=body, request_key=f"send-{Message.objects.count()}"
    )


def _url(name: str, *args: object) -> str:
    return reverse(f"conversations:{name}", args=args)


def _page(response: Any) -> str:
    return str(response.content.decode())


# --- Starting a conversation ------------------------------------------------------------


def test_a_member_starts_a_conversation_from_the_form_and_lands_on_it(
    fern: User, ash: User, client_for: ClientFor
) -> None:
    client = client_for(fern)

    form = client.get(_url("start"), {"to": "ash"})
    assert form.status_code == 200
    assert 'value="ash"' in _page(form)
    response = client.post(
        _url("start"),
        {"recipients": "ash", "title": "", "body": "Thinking of you today", "request_key": "k1"},
    )

    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("conversation", conversation.pk)
    page = _page(client.get(response["Location"]))
    message = Message.objects.get()
    assert f'<article class="message message--own" id="message-{message.pk}"' in page
    assert "Thinking of you today" in page
    assert "Conversation with Ash" in page


def test_the_start_form_takes_several_members_repeated_or_comma_separated(
    fern: User, ash: User, make_member: MakeMember, client_for: ClientFor
) -> None:
    make_member(username="willow", display_name="Willow")

    page = _page(client_for(fern).get(_url("start") + "?to=ash,@Willow&to=ash"))

    assert 'value="ash, willow"' in page


def test_the_start_form_says_before_typing_who_cannot_be_messaged(
    fern: User, make_member: MakeMember, client_for: ClientFor
) -> None:
    make_member(username="newcomer", display_name="Newcomer")  # new: nobody may write yet

    page = _page(client_for(fern).get(_url("start"), {"to": "newcomer"}))

    assert "Newcomer (@newcomer): You can&#x27;t message this member." in page


def test_an_unknown_username_is_named_and_the_text_is_kept(
    fern: User, ash: User, client_for: ClientFor
) -> None:
    response = client_for(fern).post(
        _url("start"), {"recipients": "ash, nobodyhere", "title": "Hi", "body": CANARY}
    )

    page = _page(response)
    assert response.status_code == 400
    assert "No member is called “nobodyhere”" in page
    assert CANARY in page
    assert not Conversation.objects.exists()


def test_a_refusal_by_the_rules_is_a_403_that_keeps_the_text(
    fern: User, ash: User, client_for: ClientFor
) -> None:
    MessagingSettings.objects.filter(member=ash).update(allow_from=AllowFrom.NOBODY)

    response = client_for(fern).post(_url("start"), {"recipients": "ash", "body": CANARY})

    page = _page(response)
    assert response.status_code == 403
    assert "You can&#x27;t message this member." in page
    assert CANARY in page
    assert not Conversation.objects.exists()


def test_in_a_group_the_refusal_names_who_cannot_be_messaged(
    fern: User, ash: User, make_member: MakeMember, client_for: ClientFor
) -> None:
    make_member(username="willow", display_name="Willow")  # new: nobody may write yet

    response = client_for(fern).post(
        _url("start"), {"recipients": "ash, willow", "body": "Hello both"}
    )

    assert response.status_code == 403
    assert "Willow (@willow): You can&#x27;t message this member." in _page(response)
    assert "Ash (@ash)" not in _page(response)


def test_the_same_form_sent_twice_starts_one_conversation(
    fern: User, ash: User, client_for: ClientFor
) -> None:
    client = client_for(fern)
    data = {"recipients": "ash", "body": "Hello", "request_key": "same-key"}

    first = client.post(_url("start"), data)
    second = client.post(_url("start"), data)

    assert first["Location"] == second["Location"]
    assert Conversation.objects.count() == 1


def test_the_start_form_resent_with_other_words_is_a_409_that_offers_them_as_a_reply(
    fern: User, ash: User, client_for: ClientFor
) -> None:
    client = client_for(fern)
    data = {"recipients": "ash", "body": "First words", "request_key": "same-key"}
    client.post(_url("start"), data)
    started = Conversation.objects.get()

    response = client.post(_url("start"), {**data, "body": CANARY})

    page = _page(response)
    assert response.status_code == 409
    assert "First words" in page
    assert CANARY in page
    assert 'value="same-key"' not in page  # the new composer sends under a fresh key
    assert f'action="{_url("reply", started.pk)}"' in page
    assert Conversation.objects.count() == 1
    assert list(Message.objects.values_list("body", flat=True)) == ["First words"]


def test_after_leaving_the_start_form_resent_with_other_words_offers_the_start_form(
    fern: User, ash: User, client_for: ClientFor
) -> None:
    client = client_for(fern)
    data = {"recipients": "ash", "body": "First words", "request_key": "same-key"}
    client.post(_url("start"), data)
    started = Conversation.objects.get()
    leave_conversation(member=fern, opened=get_conversation_for_viewer_or_404(fern, started.pk))

    response = client.post(_url("start"), {**data, "body": CANARY})

    page = _page(response)
    assert response.status_code == 409
    assert "First words" in page
    assert CANARY in page
    assert f'action="{_url("start")}"' in page
    assert 'value="ash"' in page
    assert _url("conversation", started.pk) not in page  # no link to what they left
    assert Conversation.objects.count() == 1


def test_starting_too_fast_is_a_429_that_keeps_the_text_but_a_resend_is_answered(
    fern: User, ash: User, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "START_RATE", RateLimit.parse("1/600"))
    client = client_for(fern)

    first = client.post(_url("start"), {"recipients": "ash", "body": "One", "request_key": "k1"})
    resent = client.post(_url("start"), {"recipients": "ash", "body": "One", "request_key": "k1"})
    another = client.post(_url("start"), {"recipients": "ash", "body": CANARY, "request_key": "k2"})

    assert first.status_code == resent.status_code == 302
    assert another.status_code == 429
    assert "faster than we allow" in _page(another)
    assert CANARY in _page(another)
    assert Conversation.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("body", "", "Please write something before sending."),
        ("body", "   \n ", "Please write something before sending."),
        ("body", f"Hello\x00{CANARY}", "Null characters are not allowed."),
        ("title", "t" * 10_000, "Please keep the title under 120 characters."),
        ("title", f"Hi\x00{CANARY}", "Null characters are not allowed."),
        ("recipients", "ash\x00", "Null characters are not allowed."),
        ("recipients", "", "Please say who the message is for."),
        ("recipients", "a, b, c, d, e, f, g, h", "at most 8 members, you included"),
        ("body", "x" * 70_000, "This message is too long"),
    ],
)
def test_bad_input_to_the_start_form_is_a_400_that_keeps_the_text(
    field: str, value: str, says: str, fern: User, ash: User, client_for: ClientFor
) -> None:
    data = {"recipients": "ash", "title": "A title", "body": f"My words {CANARY}", field: value}

    response = client_for(fern).post(_url("start"), data)

    page = _page(response)
    assert response.status_code == 400
    assert says in page
    assert "your text is still here" in page
    if field != "body":
        assert CANARY in page
    assert not Conversation.objects.exists()


def test_preview_without_javascript_shows_the_message_and_keeps_the_form(
    fern: User, ash: User, client_for: ClientFor
) -> None:
    response = client_for(fern).post(
        _url("start"),
        {"recipients": "ash", "title": "Hello", "body": "**so glad** :)", "preview": "1"},
    )

    page = _page(response)
    assert response.status_code == 200
    assert "<strong>so glad</strong>" in page
    assert 'value="ash"' in page
    assert "**so glad** :)" in page
    assert not Conversation.objects.exists()


# --- The conversation page -------------------------------------------------------------


def test_the_page_shows_messages_oldest_first_with_authors_and_markers(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="First from Fern")
    reply = _send(ash, conversation, "Then Ash <script>alert(1)</script>")
    edited = _send(fern, conversation, "Fern again")
    edit_message(editor=fern, message=edited, body="Fern, edited", base_revision=1)
    gone = _send(ash, conversation, "Soon gone")
    client_for(ash).post(_url("delete", conversation.pk, gone.pk))

    page = _page(client_for(fern).get(_url("conversation", conversation.pk)))

    assert page.index("First from Fern") < page.index("Then Ash") < page.index("Fern, edited")
    assert "<script>alert(1)</script>" not in page
    assert f'id="message-{reply.pk}"' in page
    assert _url("history", conversation.pk, edited.pk) in page  # the "edited" marker
    assert "Message deleted" in page
    assert "Soon gone" not in page
    assert f'href="{reverse("accounts:profile", args=["ash"])}"' in page


@pytest.mark.parametrize(
    ("others", "people"),
    [
        (1, "Between you and {ash}."),
        (2, "Between you and {ash} and {willow}."),
        (3, "Between you and {ash}, {willow} and {oak}."),
    ],
)
def test_the_page_says_who_the_conversation_is_between_as_one_sentence(
    others: int,
    people: str,
    fern: User,
    ash: User,
    willow: User,
    make_member: MakeMember,
    start: Start,
    client_for: ClientFor,
) -> None:
    oak = make_member(username="oak", display_name="Oak")
    make_established(oak)
    conversation = start(fern, *[ash, willow, oak][:others])

    page = _page(client_for(fern).get(_url("conversation", conversation.pk)))

    def link(member: User) -> str:
        address = reverse("accounts:profile", args=[member.username])
        return f'<a href="{address}">{member.display_name}</a>'

    expected = people.format(ash=link(ash), willow=link(willow), oak=link(oak))
    assert f'<p class="conversation-people">{expected}\n' in page


@pytest.mark.parametrize("block", [False, True])
def test_messages_from_a_member_one_muted_are_folded_and_open_without_javascript(
    block: bool, fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="From Fern")
    _send(ash, conversation, "From Ash")
    mute_member(member=fern, target=ash, block=block)

    page = _page(client_for(fern).get(_url("conversation", conversation.pk)))
    theirs = _page(client_for(ash).get(_url("conversation", conversation.pk)))

    folds = re.findall(r'<details class="fold">(.*?)</details>', page, re.DOTALL)
    assert len(folds) == 1
    assert "Message from a member you muted" in folds[0]
    assert "From Ash" in folds[0]
    assert "From Fern" not in folds[0]
    assert '<details class="fold"' not in theirs  # the muted member is not told


def test_opening_the_page_marks_it_read_and_the_list_shows_unread_counts(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="One")
    _send(fern, conversation, "Two")
    client = client_for(ash)

    listing = _page(client.get(_url("list")))
    assert "2 new" in listing
    assert "Unread:" in listing
    client.get(_url("conversation", conversation.pk))

    assert Participant.objects.get(member=ash).last_read_position == 2
    assert "new" not in _page(client.get(_url("list"))).split("conversation-list")[1]


@pytest.mark.django_db(transaction=True)  # the bell is told after the commit, as in production
def test_opening_the_conversation_reads_its_notification_and_the_bell_says_so_at_once(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    deliver()
    assert bell(ash) == 1

    page = _page(client_for(ash).get(_url("conversation", conversation.pk)))

    assert bell(ash) == 0
    assert "nav-bell" in page
    assert '<span class="visually-hidden"> unread</span>' not in page


def test_without_a_page_the_page_opens_at_the_first_unread_message(
    fern: User, ash: User, start: Start, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MESSAGES_PER_PAGE", 2)
    conversation = start(fern, ash, body="m1")
    for number in range(2, 7):
        _send(fern, conversation, f"m{number}")
    opened = get_conversation_for_viewer_or_404(ash, conversation.pk)
    mark_read(member=ash, opened=opened, up_to_position=2)
    client = client_for(ash)

    first = client.get(_url("conversation", conversation.pk))
    assert first.context["page"].page == 2
    assert "New messages" in _page(first)
    assert client.get(_url("conversation", conversation.pk)).context["page"].page == 3


@pytest.mark.parametrize("page", ["0", "-1", "abc", "2.5", "99999999999999999999", "²"])
def test_a_bad_page_number_is_a_clear_400(
    page: str, fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)

    response = client_for(fern).get(_url("conversation", conversation.pk), {"page": page})

    assert response.status_code == 400
    assert "That page number is not valid." in _page(response)


def test_a_page_past_the_end_shows_the_last_page(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="Only one")

    response = client_for(fern).get(_url("conversation", conversation.pk), {"page": "40"})

    assert response.status_code == 200
    assert "Only one" in _page(response)


def test_an_id_too_long_for_the_database_is_a_404_on_every_route(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    message = Message.objects.get()
    huge = "99999999999999999999999"
    client = client_for(fern)

    for name, pattern in _routes_with("conversation_id"):
        ids = [(huge, str(message.pk))]
        if "message_id" in pattern.converters:
            ids.append((str(conversation.pk), huge))
        for conversation_id, message_id in ids:
            url = "/" + str(pattern)
            for kind in ("id", "int"):
                url = url.replace(f"<{kind}:conversation_id>", conversation_id)
                url = url.replace(f"<{kind}:message_id>", message_id)
                url = url.replace(f"<{kind}:position>", huge)
            assert client.get(url).status_code in (404, 405), (name, url)
            assert client.post(url).status_code in (404, 405), (name, url)


def test_a_reply_is_added_and_lands_on_it(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)

    response = client_for(ash).post(
        _url("reply", conversation.pk), {"body": "Thank you, it helps", "request_key": "r1"}
    )

    sent = Message.objects.get(position=2)
    assert response.status_code == 302
    assert (
        response["Location"] == f"{_url('conversation', conversation.pk)}?page=1#message-{sent.pk}"
    )
    assert sent.body == "Thank you, it helps"
    assert sent.author == ash


def test_a_reply_resent_with_other_words_is_a_409_that_shows_both_and_sends_the_new_once(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    client = client_for(ash)
    url = _url("reply", conversation.pk)
    client.post(url, {"body": "First words", "request_key": "same-key"})
    first = Message.objects.get(position=2)

    response = client.post(url, {"body": CANARY, "request_key": "same-key"})

    page = _page(response)
    assert response.status_code == 409
    assert "First words" in page
    assert CANARY in page
    assert f"#message-{first.pk}" in page  # a link to what was sent
    assert 'value="same-key"' not in page
    assert f'action="{url}"' in page
    assert conversation.messages.count() == 2
    fresh_key = re.search(r'name="request_key" value="([^"]+)"', page)
    assert fresh_key is not None
    for _ in range(2):
        client.post(url, {"body": CANARY, "request_key": fresh_key.group(1)})
    assert [m.body for m in conversation.messages.order_by("position")][1:] == [
        "First words",
        CANARY,
    ]


def test_a_reply_previewed_without_javascript_comes_back_with_its_text(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)

    response = client_for(ash).post(
        _url("reply", conversation.pk), {"body": "_gently_", "request_key": "p1", "preview": "1"}
    )

    assert response.status_code == 200
    assert "<em>gently</em>" in _page(response)
    assert "\n_gently_</textarea>" in _page(response)
    assert 'value="p1"' in _page(response)
    assert Message.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("", "Please write something before sending."),
        (f"Hi\x00{CANARY}", "Null characters are not allowed."),
        ("y" * 70_000, "This message is too long"),
    ],
)
def test_a_bad_reply_is_a_400_that_keeps_the_text(
    body: str, says: str, fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)

    response = client_for(ash).post(_url("reply", conversation.pk), {"body": body})

    assert response.status_code == 400
    assert says in _page(response)
    assert body.replace("\x00", "") in _page(response).replace("\x00", "")
    assert Message.objects.count() == 1


def test_a_reply_refused_by_the_rules_keeps_the_text(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash)
    leave_conversation(member=ash, opened=get_conversation_for_viewer_or_404(ash, conversation.pk))

    response = client_for(fern).post(_url("reply", conversation.pk), {"body": CANARY})

    assert response.status_code == 403
    assert "Nobody else is left in this conversation." in _page(response)
    assert CANARY in _page(response)


def test_quote_prefills_the_composer_with_the_message_attributed(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="It was a hard session")
    first = Message.objects.get()

    page = _page(client_for(ash).get(_url("quote", conversation.pk, first.pk)))

    assert "**Fern** [wrote](" in page
    assert "&gt; It was a hard session" in page
    assert f"#message-{first.pk}" in page


def test_editing_ones_own_message_keeps_its_history(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="Helo there")
    message = Message.objects.get()
    client = client_for(fern)

    form = _page(client.get(_url("edit", conversation.pk, message.pk)))
    assert "Helo there" in form
    response = client.post(
        _url("edit", conversation.pk, message.pk), {"body": "Hello there", "base_revision": 1}
    )
    history = _page(client_for(ash).get(_url("history", conversation.pk, message.pk)))

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.body == "Hello there"
    assert "<del>Helo</del>" in history
    assert "<ins>Hello</ins>" in history


def test_an_edit_conflict_shows_both_texts_and_keeps_the_editors(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="First words")
    message = Message.objects.get()
    edit_message(editor=fern, message=message, body="Saved elsewhere", base_revision=1)

    response = client_for(fern).post(
        _url("edit", conversation.pk, message.pk), {"body": CANARY, "base_revision": 1}
    )

    page = _page(response)
    assert response.status_code == 409
    assert "Saved elsewhere" in page
    assert CANARY in page
    assert 'name="base_revision" value="2"' in page


def test_a_bad_edit_is_a_400_that_keeps_the_text(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="Words")
    message = Message.objects.get()

    response = client_for(fern).post(
        _url("edit", conversation.pk, message.pk), {"body": CANARY, "base_revision": "x\x00"}
    )

    assert response.status_code == 400
    assert CANARY in _page(response)


def test_nobody_edits_or_deletes_someone_elses_message(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="Fern's words")
    message = Message.objects.get()
    client = client_for(ash)

    for name in ("edit", "delete"):
        url = _url(name, conversation.pk, message.pk)
        assert client.get(url).status_code == 403
        assert client.post(url, {"body": "Ash's words", "base_revision": 1}).status_code == 403

    message.refresh_from_db()
    assert message.body == "Fern's words"
    assert not message.is_deleted


def test_deleting_asks_first_then_leaves_a_marker(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body=CANARY)
    message = Message.objects.get()
    client = client_for(fern)

    confirm = client.get(_url("delete", conversation.pk, message.pk))
    assert "Delete this message?" in _page(confirm)
    message.refresh_from_db()
    assert not message.is_deleted
    client.post(_url("delete", conversation.pk, message.pk))

    page = _page(client_for(ash).get(_url("conversation", conversation.pk)))
    assert "Message deleted" in page
    assert CANARY not in page


def test_leaving_asks_first_then_the_conversation_is_gone_for_the_leaver(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, title="Our chat")
    client = client_for(ash)

    confirm = client.get(_url("leave", conversation.pk))
    assert "Leave this conversation?" in _page(confirm)
    assert "Our chat" in _page(client.get(_url("list")))
    response = client.post(_url("leave", conversation.pk))

    assert response["Location"] == _url("list")
    assert "Our chat" not in _page(client.get(_url("list")))
    assert client.get(_url("conversation", conversation.pk)).status_code == 404
    assert "Everyone else has left" in _page(
        client_for(fern).get(_url("conversation", conversation.pk))
    )


def test_mute_and_unmute(fern: User, ash: User, start: Start, client_for: ClientFor) -> None:
    conversation = start(fern, ash)
    client = client_for(ash)

    client.post(_url("mute", conversation.pk), {"muted": "1"})
    assert Participant.objects.get(member=ash).is_muted
    assert "Muted" in _page(client.get(_url("list")))
    client.post(_url("mute", conversation.pk), {"muted": "0"})
    assert not Participant.objects.get(member=ash).is_muted
    assert client.post(_url("mute", conversation.pk), {"muted": "x\x00"}).status_code == 400


def test_members_are_added_to_group_conversations_only(
    fern: User, ash: User, make_member: MakeMember, start: Start, client_for: ClientFor
) -> None:
    willow = make_member(username="willow", display_name="Willow")
    rowan = make_member(username="rowan", display_name="Rowan")
    open_to_everyone(willow, rowan)
    pair = start(fern, ash)
    group = start(fern, ash, willow)
    client = client_for(fern)

    assert client.get(_url("add", pair.pk)).status_code == 403
    assert client.post(_url("add", pair.pk), {"username": "rowan"}).status_code == 403
    unknown = client.post(_url("add", group.pk), {"username": "nobodyhere"})
    assert unknown.status_code == 400
    assert "No member is called “nobodyhere”" in _page(unknown)
    already = client.post(_url("add", group.pk), {"username": "willow"})
    assert already.status_code == 400
    assert "already in the conversation" in _page(already)
    added = client.post(_url("add", group.pk), {"username": "@Rowan"})

    assert added.status_code == 302
    assert client_for(rowan).get(_url("conversation", group.pk)).status_code == 200


def test_the_settings_page_explains_and_saves_the_choice(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    newcomer = make_member()
    client = client_for(newcomer)

    page = _page(client.get(_url("settings")))
    assert re.search(r'value="nobody"[^>]* checked>', page)  # the default when new
    assert "Members I&#x27;ve replied to" in page
    response = client.post(_url("settings"), {"allow_from": "everyone"})
    bad = client.post(_url("settings"), {"allow_from": "anyone\x00"})

    assert response.status_code == 302
    assert MessagingSettings.objects.get(member=newcomer).allow_from == AllowFrom.EVERYONE
    assert bad.status_code == 400
    assert "Please choose one of the options." in _page(bad)


# --- The list --------------------------------------------------------------------------


def test_the_list_shows_names_titles_and_latest_activity_first(
    fern: User, ash: User, make_member: MakeMember, start: Start, client_for: ClientFor
) -> None:
    willow = make_member(username="willow", display_name="Willow")
    older = start(fern, ash, title="Endings")
    newer = start(fern, ash, willow)
    set_muted(member=fern, opened=get_conversation_for_viewer_or_404(fern, older.pk), muted=True)

    page = _page(client_for(fern).get(_url("list")))

    assert page.index("Ash, Willow") < page.index("Endings")
    assert "With Ash" in page
    assert _url("conversation", newer.pk) in page
    assert "Muted" in page


def test_the_list_pages_with_a_cursor(
    fern: User, ash: User, start: Start, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "CONVERSATIONS_PER_PAGE", 2)
    made = [start(fern, ash, title=f"Talk {number}") for number in range(3)]
    client = client_for(fern)

    first = client.get(_url("list"))
    cursor = first.context["found"].next_cursor
    second = client.get(_url("list"), {"before": cursor})

    shown = [row.conversation.pk for row in first.context["found"].rows]
    shown += [row.conversation.pk for row in second.context["found"].rows]
    assert sorted(shown) == sorted(each.pk for each in made)
    assert not second.context["found"].next_cursor


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "2024-01-01T00:00:00~12",  # a time without its zone
        "2024-01-01T00:00:00+00:00~99999999999999999999999",
        "2024-13-45T00:00:00+00:00~1",
        "2024-01-01T00:00:00+00:00~²",
        "~",
    ],
)
def test_a_bad_list_cursor_is_a_clear_400(cursor: str, fern: User, client_for: ClientFor) -> None:
    response = client_for(fern).get(_url("list"), {"before": cursor})

    assert response.status_code == 400
    assert "That page link is not valid." in _page(response)


def test_a_nul_in_the_list_cursor_is_a_400(fern: User, client_for: ClientFor) -> None:
    assert client_for(fern).get(_url("list") + "?before=a%00b").status_code == 400


def test_an_empty_list_says_how_to_start(member_client: Client) -> None:
    assert "choose “Message” on their profile" in _page(member_client.get(_url("list")))


# --- Links in to conversations ---------------------------------------------------------


def test_a_members_profile_offers_message_but_ones_own_does_not(
    fern: User, ash: User, client_for: ClientFor
) -> None:
    client = client_for(fern)
    link = f'href="{_url("start")}?to=ash"'

    assert link in _page(client.get(reverse("accounts:profile", args=["ash"])))
    assert _url("start") not in _page(client.get(reverse("accounts:profile", args=["fern"])))


def test_a_post_offers_message_only_when_it_names_someone_else(
    fern: User, ash: User, make_category: MakeCategory, client_for: ClientFor
) -> None:
    category: Category = make_category(allow_anonymous=True)
    thread = start_thread(
        author=ash, category=category, title="Hello", body="Named", request_key="t1"
    )
    reply_to_thread(author=ash, thread=thread, body="Secret", request_key="t2", anonymous=True)
    reply_to_thread(author=fern, thread=thread, body="Mine", request_key="t3")

    fern_sees = _page(client_for(fern).get(thread.get_absolute_url()))
    ash_sees = _page(client_for(ash).get(thread.get_absolute_url()))

    assert fern_sees.count(f'href="{_url("start")}?to=') == 1
    assert f'href="{_url("start")}?to=ash"' in fern_sees
    assert f'href="{_url("start")}?to=fern"' in ash_sees
    assert f'href="{_url("start")}?to=ash"' not in ash_sees  # neither named nor anonymous


def test_the_header_and_the_settings_link_to_messages(member_client: Client) -> None:
    assert f'href="{_url("list")}"' in _page(member_client.get(reverse("home")))
    assert f'href="{_url("settings")}"' in _page(
        member_client.get(reverse("accounts:edit_profile"))
    )


# --- Nobody else: every route, mixed ids, members who left -----------------------------


def _routes_with(argument: str) -> Iterator[tuple[str, RoutePattern]]:
    def walk(
        entries: list[URLPattern | URLResolver], namespace: str
    ) -> Iterator[tuple[str, RoutePattern]]:
        for entry in entries:
            if isinstance(entry, URLResolver):
                yield from walk(
                    entry.url_patterns,
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace,
                )
            elif isinstance(entry.pattern, RoutePattern) and argument in entry.pattern.converters:
                yield f"{namespace}{entry.name}", entry.pattern

    return walk(get_resolver().url_patterns, "")


@dataclass(frozen=True)
class Scene:
    """Fern and Ash write to each other (with the canary; Fern has a draft there too);
    Willow and Fern have another conversation."""

    fern: User
    ash: User
    willow: User
    secret: Conversation
    secret_messages: list[Message]
    other: Conversation
    other_message: Message


@pytest.fixture
def scene(fern: User, ash: User, make_member: MakeMember, start: Start) -> Scene:
    willow = make_member(username="willow", display_name="Willow")
    make_established(willow)
    secret = start(fern, ash, body=f"The {CANARY} message", title=f"About {CANARY}")
    _send(ash, secret, f"A {CANARY} reply")
    edited = _send(fern, secret, f"Edited {CANARY}")
    edit_message(editor=fern, message=edited, body=f"Edited again {CANARY}", base_revision=1)
    other = start(willow, fern, body="Willow and Fern")
    save_message_draft(
        member=fern,
        opened=get_conversation_for_viewer_or_404(fern, secret.pk),
        body=f"Unsent {CANARY}",
    )
    return Scene(
        fern=fern,
        ash=ash,
        willow=willow,
        secret=secret,
        secret_messages=list(secret.messages.order_by("position")),
        other=other,
        other_message=other.messages.get(),
    )


def _urls_for(conversation: Conversation, message: Message) -> list[tuple[str, str]]:
    routes = sorted(_routes_with("conversation_id"))
    names = {name for name, _pattern in routes}
    assert {
        "conversations:conversation", "conversations:reply", "conversations:leave",
        "conversations:mute", "conversations:add", "conversations:edit",
        "conversations:delete", "conversations:history", "conversations:quote",
        "conversations:save_draft", "conversations:messages_after",
    } <= names  # fmt: skip
    urls = []
    for name, pattern in routes:
        kwargs = {"conversation_id": conversation.pk}
        if "message_id" in pattern.converters:
            kwargs["message_id"] = message.pk
        if "position" in pattern.converters:
            kwargs["position"] = 0  # every message
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def _assert_nothing_changed(scene: Scene) -> None:
    assert [m.body for m in scene.secret.messages.order_by("position")] == [
        m.body for m in scene.secret_messages
    ]
    assert not any(m.is_deleted for m in scene.secret.messages.all())
    assert Participant.objects.filter(conversation=scene.secret, left_at__isnull=True).count() == 2
    assert not Participant.objects.filter(conversation=scene.secret, is_muted=True).exists()
    drafts = MessageDraft.objects.filter(conversation=scene.secret)
    assert [(draft.member_id, draft.body) for draft in drafts] == [
        (scene.fern.pk, f"Unsent {CANARY}")
    ]


def _every_request(client: Client, url: str) -> Iterator[Any]:
    data = {"body": "Intruding", "muted": "1", "username": "willow", "base_revision": 2}
    yield client.get(url)
    yield client.post(url, data)


@pytest.mark.parametrize("who", ["member", "moderator", "administrator"])
def test_every_route_taking_a_conversation_id_is_404_for_anyone_else(
    who: str, scene: Scene, make_member: MakeMember, client_for: ClientFor
) -> None:
    role = {"member": Role.MEMBER, "moderator": Role.MODERATOR, "administrator": Role.ADMINISTRATOR}
    snoop = client_for(make_member(role=role[who], display_name="Snoop"))

    for name, url in _urls_for(scene.secret, scene.secret_messages[2]):
        for response in _every_request(snoop, url):
            assert response.status_code in (404, 405), (name, response.request["REQUEST_METHOD"])
            assert CANARY not in _page(response), name

    _assert_nothing_changed(scene)


def test_every_route_is_404_alike_for_a_missing_id(scene: Scene, client_for: ClientFor) -> None:
    """What an outsider gets for a real conversation is what anyone gets for none."""
    snoop = client_for(scene.willow)
    missing_conversation = Conversation.objects.order_by("-pk").first()
    assert missing_conversation is not None

    for (name, real), (_name, missing) in zip(
        _urls_for(scene.secret, scene.secret_messages[0]),
        _urls_for(Conversation(pk=missing_conversation.pk + 100), Message(pk=10**6)),
        strict=True,
    ):
        for seen, unseen in zip(
            _every_request(snoop, real), _every_request(snoop, missing), strict=True
        ):
            assert seen.status_code == unseen.status_code, name
            assert len(seen.content) == len(unseen.content), name


def test_visitors_are_sent_to_sign_in_from_every_route(scene: Scene) -> None:
    visitor = Client()

    for name, url in _urls_for(scene.secret, scene.secret_messages[0]):
        for response in _every_request(visitor, url):
            assert CANARY not in _page(response)
            if name.startswith("api:"):  # the JSON API answers 401 where pages redirect
                assert response.status_code in (401, 405), name
                continue
            assert response.status_code in (302, 405), name
            assert response.status_code == 405 or "/accounts/login/" in response["Location"]

    _assert_nothing_changed(scene)


def test_a_message_of_another_conversation_is_404_under_this_ones_address(
    scene: Scene, client_for: ClientFor
) -> None:
    """Willow is in a conversation with Fern; the secret's message ids under it are 404."""
    willow = client_for(scene.willow)
    routes = [name for name, pattern in _routes_with("message_id")]
    assert {"conversations:edit", "conversations:quote"} <= set(routes)

    for message in scene.secret_messages:
        for name in routes:
            url = reverse(name, args=[scene.other.pk, message.pk])
            for response in _every_request(willow, url):
                assert response.status_code in (404, 405), name
                assert CANARY not in _page(response), name

    # And Fern, in both, reaches neither message through the other's address.
    fern = client_for(scene.fern)
    for name in routes:
        mixed = reverse(name, args=[scene.other.pk, scene.secret_messages[2].pk])
        assert fern.get(mixed).status_code in (404, 405), name
        mixed = reverse(name, args=[scene.secret.pk, scene.other_message.pk])
        assert fern.get(mixed).status_code in (404, 405), name

    _assert_nothing_changed(scene)


def test_a_member_who_left_gets_404_everywhere(scene: Scene, client_for: ClientFor) -> None:
    ash = client_for(scene.ash)
    ash.post(_url("leave", scene.secret.pk))
    Participant.objects.filter(member=scene.ash).update(left_at=None)
    ash.post(_url("leave", scene.secret.pk))  # left again, through the page

    for name, url in _urls_for(scene.secret, scene.secret_messages[1]):
        for response in _every_request(ash, url):
            assert response.status_code in (404, 405), name
            assert CANARY not in _page(response), name
    assert CANARY not in _page(ash.get(_url("list")))
    assert not MessageDraft.objects.filter(member=scene.ash).exists()


# --- Query counts ----------------------------------------------------------------------

# session, member, my participant rows with their conversations, the names of the others
LIST_PAGE_QUERIES = 4
# session, member, my participant row with the conversation, the others, the messages
# (with whether I muted each author), whether either of us blocked the other (a one-to-one
# conversation), my draft
CONVERSATION_PAGE_QUERIES = 7


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm: read marker moved
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("rows", [1, 11])
def test_the_list_costs_the_same_for_1_or_11_conversations(
    rows: int, fern: User, make_member: MakeMember, start: Start, client_for: ClientFor
) -> None:
    for number in range(rows):
        others = [make_member() for _ in range(1 + number % 3)]
        conversation = start(fern, *others, title="Talk" if number % 2 else "")
        _send(others[0], conversation, "A reply")

    assert _queries(client_for(fern), _url("list")) == LIST_PAGE_QUERIES


@pytest.mark.parametrize("rows", [1, 11])
def test_the_conversation_page_costs_the_same_for_1_or_11_messages(
    rows: int, fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="First")
    for number in range(rows - 1):
        author = ash if number % 2 else fern
        message = _send(author, conversation, f"Message {number}")
        if number % 3 == 0:
            edit_message(editor=author, message=message, body="Edited", base_revision=1)
    mute_member(member=fern, target=ash)  # Ash's messages are folded: no query more

    assert _queries(client_for(fern), _url("conversation", conversation.pk)) == (
        CONVERSATION_PAGE_QUERIES
    )
