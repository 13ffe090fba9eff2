"""Check-ins from peers while the therapist is away (issue 17, item 5).

A member asks up to three members, from a break plan, to check in on days they choose.
Nothing happens until a member says yes; then, on each day, they are told once "Willow
asked you to check in this week", with a link to a conversation between the two.
Either may end it. Nothing from the toolkit ever reaches the member asked.

These tests go through the pages, the API and the sweep, as members and the worker do;
what the other apps do with the events (notifications, conversations) is seen through
their own pages, so the toolkit's tests import no other app.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from hearth.accounts.models import MemberMute, User
from hearth.between_sessions.models import PeerCheckIn, PeerCheckInDay, TherapistBreak
from hearth.between_sessions.peer_check_ins.export import peer_check_ins_export_for
from hearth.between_sessions.peer_check_ins.selectors import local_date
from hearth.between_sessions.peer_check_ins.services import (
    Arrangement,
    arrange_peer_check_ins,
    send_due_peer_check_ins,
)
from hearth.between_sessions.tests.conftest import MARKER, FilledToolkit, fill_toolkit
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import ClientFor, MakeMember

pytestmark = pytest.mark.django_db

ASKED = "asked you to check in during their therapist"
THIS_WEEK = "asked you to check in this week"
REFUSED = "You can&#x27;t ask Fern to check in."


# --- Personas and helpers -----------------------------------------------------------------


@pytest.fixture
def willow(make_member: MakeMember) -> User:
    return make_member(username="willow", display_name="Willow")


@pytest.fixture
def filled(willow: User) -> FilledToolkit:
    """Willow's toolkit: a break going on now (from yesterday, back in nine days)."""
    return fill_toolkit(willow)


@pytest.fixture
def therapist_break(filled: FilledToolkit) -> TherapistBreak:
    return filled.therapist_break


def _open_to_everyone(client: Client) -> None:
    response = client.post(reverse("conversations:settings"), {"allow_from": "everyone"})
    assert response.status_code == 302


@pytest.fixture
def fern(make_member: MakeMember, client_for: ClientFor) -> User:
    """A member anyone may start a conversation with (her own choice)."""
    member = make_member(username="fern", display_name="Fern")
    _open_to_everyone(client_for(member))
    return member


@pytest.fixture
def ash(make_member: MakeMember, client_for: ClientFor) -> User:
    member = make_member(username="ash", display_name="Ash")
    _open_to_everyone(client_for(member))
    return member


def _today(member: User) -> datetime.date:
    return local_date(member)


def _days(member: User, *offsets: int) -> list[datetime.date]:
    return [_today(member) + datetime.timedelta(days=offset) for offset in offsets]


def _ask(
    client: Client, therapist_break: TherapistBreak, names: Iterable[str], days: Iterable[Any]
) -> Any:
    data = {f"helper_{number}": name for number, name in enumerate(names, start=1)}
    data |= {f"day_{number}": str(day) for number, day in enumerate(days, start=1)}
    return client.post(reverse("between_sessions:break_check_ins", args=[therapist_break.pk]), data)


def _page(client: Client, therapist_break: TherapistBreak) -> str:
    url = reverse("between_sessions:break_check_ins", args=[therapist_break.pk])
    return client.get(url).content.decode()


def _told(client: Client) -> list[dict[str, Any]]:
    """The member's notifications, as the API gives them."""
    run_due_tasks()
    response = client.get(reverse("api:notifications"))
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()["notifications"]
    return found


def _headlines(client: Client) -> list[str]:
    return [each["headline"] for each in _told(client)]


def _sweep_on(day: datetime.date, hour: int = 10) -> int:
    """The worker's housekeeping, at ``hour`` o'clock (UTC) on ``day``; then its tasks."""
    moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)
    done = send_due_peer_check_ins(now=moment)
    run_due_tasks()
    return done


def _check_in(helper: User) -> PeerCheckIn:
    return PeerCheckIn.objects.get(helper=helper)


# --- Asking and answering ------------------------------------------------------------------


def test_a_member_asked_is_told_who_asked_and_nothing_more_happens_until_they_say_yes(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    day = _days(willow, 2)[0]

    response = _ask(client_for(willow), therapist_break, ["@fern"], [day])

    assert response.status_code == 302
    fern_client = client_for(fern)
    assert _headlines(fern_client) == [
        "Willow asked you to check in during their therapist's break"
    ]
    assert _sweep_on(day) == 0
    assert _sweep_on(day + datetime.timedelta(days=1)) == 0
    assert not any(THIS_WEEK in headline for headline in _headlines(fern_client))
    assert "Asked. No answer yet." in _page(client_for(willow), therapist_break)


def test_after_saying_yes_each_day_is_told_once_and_leads_to_a_conversation_between_the_two(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    first, second = _days(willow, 2, 5)
    _ask(client_for(willow), therapist_break, ["Fern"], [first, second])
    fern_client = client_for(fern)
    check_in = _check_in(fern)
    fern_client.post(reverse("peer_check_ins:accept", args=[check_in.pk]))

    assert _sweep_on(first, hour=8) == 0  # before nine where Fern lives
    assert _sweep_on(first) == 1
    assert _sweep_on(first, hour=11) == 0  # once per day, however often the sweep runs
    told = [each for each in _told(fern_client) if THIS_WEEK in each["headline"]]
    assert [each["headline"] for each in told] == ["Willow asked you to check in this week"]
    # No conversation yet: the link opens the form to start one with Willow, which lets
    # Fern write though Willow, a new member, accepts no conversations from others.
    opened = fern_client.get(reverse("notifications:open", args=[told[0]["id"]]), follow=True)
    assert opened.redirect_chain[-1][0] == reverse("conversations:start") + "?to=willow"
    assert "can&#x27;t message" not in opened.content.decode()
    started = fern_client.post(
        reverse("conversations:start"),
        {"recipients": "willow", "title": "", "body": "Thinking of you.", "request_key": "k1"},
    )
    assert started.status_code == 302
    conversation_url = started["Location"]
    # The next day reuses the conversation between the two.
    assert _sweep_on(second) == 1
    told = [each for each in _told(fern_client) if THIS_WEEK in each["headline"]]
    assert len(told) == 2
    reused = fern_client.get(reverse("notifications:open", args=[told[0]["id"]]), follow=True)
    assert reused.redirect_chain[-1][0] == conversation_url
    assert "Thinking of you." in reused.content.decode()
    # And Willow's side reaches the same conversation.
    willow_side = client_for(willow).get(reverse("peer_check_ins:message", args=[check_in.pk]))
    assert willow_side["Location"] == conversation_url


def test_a_declined_request_sends_nothing_and_the_asker_reads_no_pressure(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    day = _days(willow, 2)[0]
    _ask(client_for(willow), therapist_break, ["fern"], [day])
    fern_client = client_for(fern)

    fern_client.post(reverse("peer_check_ins:decline", args=[_check_in(fern).pk]))

    assert _check_in(fern).state == PeerCheckIn.State.DECLINED
    assert _sweep_on(day) == 0
    assert not any(THIS_WEEK in headline for headline in _headlines(fern_client))
    assert "Can't this time." in _page(client_for(willow), therapist_break)
    # A second click (or a late "yes") changes nothing.
    fern_client.post(reverse("peer_check_ins:accept", args=[_check_in(fern).pk]))
    assert _check_in(fern).state == PeerCheckIn.State.DECLINED


def test_withdrawing_is_one_click_sends_nothing_more_and_the_helper_reads_only_that_it_ended(
    willow: User, therapist_break: TherapistBreak, fern: User, ash: User, client_for: ClientFor
) -> None:
    day = _days(willow, 2)[0]
    willow_client = client_for(willow)
    _ask(willow_client, therapist_break, ["fern", "ash"], [day])
    fern_client = client_for(fern)
    assert len(_told(fern_client)) == 1
    for helper in (fern, ash):
        client_for(helper).post(reverse("peer_check_ins:accept", args=[_check_in(helper).pk]))

    response = willow_client.post(
        reverse("between_sessions:break_check_ins_withdraw", args=[therapist_break.pk])
    )

    assert response.status_code == 302
    assert {each.state for each in PeerCheckIn.objects.all()} == {PeerCheckIn.State.WITHDRAWN}
    assert _sweep_on(day) == 0
    assert _told(fern_client) == []  # what she was told of it left her bell
    page = fern_client.get(reverse("peer_check_ins:detail", args=[_check_in(fern).pk]))
    assert "This request has ended." in page.content.decode()
    assert "You ended this request." in _page(willow_client, therapist_break)


def test_withdrawing_one_request_keeps_the_others(
    willow: User, therapist_break: TherapistBreak, fern: User, ash: User, client_for: ClientFor
) -> None:
    day = _days(willow, 3)[0]
    willow_client = client_for(willow)
    _ask(willow_client, therapist_break, ["fern", "ash"], [day])
    for helper in (fern, ash):
        client_for(helper).post(reverse("peer_check_ins:accept", args=[_check_in(helper).pk]))

    willow_client.post(
        reverse("between_sessions:break_check_ins_withdraw", args=[therapist_break.pk]),
        {"check_in": str(_check_in(fern).pk)},
    )

    assert _check_in(fern).state == PeerCheckIn.State.WITHDRAWN
    assert _check_in(ash).state == PeerCheckIn.State.ACCEPTED
    assert _sweep_on(day) == 1
    assert any(THIS_WEEK in headline for headline in _headlines(client_for(ash)))
    assert not any(THIS_WEEK in headline for headline in _headlines(client_for(fern)))


def test_the_helper_can_stop_at_any_time_and_the_asker_reads_only_that(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    first, second = _days(willow, 2, 4)
    _ask(client_for(willow), therapist_break, ["fern"], [first, second])
    fern_client = client_for(fern)
    check_in = _check_in(fern)
    fern_client.post(reverse("peer_check_ins:accept", args=[check_in.pk]))
    assert _sweep_on(first) == 1

    fern_client.post(reverse("peer_check_ins:stop", args=[check_in.pk]))

    assert _check_in(fern).state == PeerCheckIn.State.STOPPED
    assert _sweep_on(second) == 0
    assert _told(fern_client) == []
    assert "No longer checking in." in _page(client_for(willow), therapist_break)


def test_changing_the_days_applies_to_everyone_asked_and_keeps_the_days_already_told(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    first, second, third = _days(willow, 1, 3, 6)
    willow_client = client_for(willow)
    _ask(willow_client, therapist_break, ["fern"], [first, second])
    client_for(fern).post(reverse("peer_check_ins:accept", args=[_check_in(fern).pk]))
    assert _sweep_on(first) == 1

    response = _ask(willow_client, therapist_break, [], [third])

    assert response.status_code == 302
    days = PeerCheckInDay.objects.filter(check_in=_check_in(fern))
    assert sorted(days.values_list("day", flat=True)) == [first, third]
    assert _sweep_on(second) == 0
    assert _sweep_on(third) == 1


def test_a_day_the_worker_could_not_tell_in_time_is_let_go(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    day = _days(willow, 1)[0]
    _ask(client_for(willow), therapist_break, ["fern"], [day])
    client_for(fern).post(reverse("peer_check_ins:accept", args=[_check_in(fern).pk]))

    assert _sweep_on(day + datetime.timedelta(days=3)) == 1  # let go, not told

    assert not any(THIS_WEEK in headline for headline in _headlines(client_for(fern)))
    assert PeerCheckInDay.objects.get().skipped_at is not None


# --- Who may be asked ------------------------------------------------------------------------


@pytest.mark.parametrize("who_blocks", ["asker", "helper"])
def test_blocked_members_cannot_be_asked_either_way(
    who_blocks: str,
    willow: User,
    therapist_break: TherapistBreak,
    fern: User,
    client_for: ClientFor,
) -> None:
    blocker, blocked = (willow, fern) if who_blocks == "asker" else (fern, willow)
    MemberMute.objects.create(member=blocker, muted=blocked, is_block=True)

    response = _ask(client_for(willow), therapist_break, ["fern"], _days(willow, 2))

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not PeerCheckIn.objects.exists()
    assert _told(client_for(fern)) == []


def test_only_members_one_could_start_a_conversation_with_can_be_asked(
    willow: User, therapist_break: TherapistBreak, make_member: MakeMember, client_for: ClientFor
) -> None:
    make_member(username="fern", display_name="Fern")  # new, so accepts no conversations

    response = _ask(client_for(willow), therapist_break, ["fern"], _days(willow, 2))

    assert response.status_code == 400
    assert REFUSED in response.content.decode()
    assert not PeerCheckIn.objects.exists()


def test_a_block_after_saying_yes_ends_the_request(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    day = _days(willow, 2)[0]
    _ask(client_for(willow), therapist_break, ["fern"], [day])
    client_for(fern).post(reverse("peer_check_ins:accept", args=[_check_in(fern).pk]))
    MemberMute.objects.create(member=fern, muted=willow, is_block=True)

    assert _sweep_on(day) == 1  # the request ended, nothing told

    assert _check_in(fern).state == PeerCheckIn.State.STOPPED
    assert _told(client_for(fern)) == []
    assert "No longer checking in." in _page(client_for(willow), therapist_break)


def test_a_helper_who_muted_the_asker_is_not_notified(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    MemberMute.objects.create(member=fern, muted=willow, is_block=False)

    _ask(client_for(willow), therapist_break, ["fern"], _days(willow, 2))

    assert PeerCheckIn.objects.filter(helper=fern).exists()
    assert _told(client_for(fern)) == []


@pytest.mark.parametrize(
    ("names", "offsets", "says"),
    [
        (["willow"], [2], "You can&#x27;t ask yourself."),
        (["nobody-here"], [2], "There is no member called “nobody-here”."),
        ([], [2], "Write the name of a member to ask."),
        (["fern"], [], "Choose at least one day to be checked in on."),
        (["fern"], [-1], "Choose days within the break, from today on"),
        (["fern"], [9], "Choose days within the break, from today on"),
    ],
)
def test_bad_choices_are_a_clear_400_that_keeps_what_was_typed(
    names: list[str],
    offsets: list[int],
    says: str,
    willow: User,
    therapist_break: TherapistBreak,
    fern: User,
    client_for: ClientFor,
) -> None:
    days = _days(willow, *offsets)

    response = _ask(client_for(willow), therapist_break, names, days)

    page = response.content.decode()
    assert response.status_code == 400
    assert says in page
    for name in names:
        assert f'value="{name}"' in page
    for day in days:
        assert f'value="{day.isoformat()}"' in page
    assert not PeerCheckIn.objects.exists()


def test_at_most_three_members_at_a_time_and_each_once_per_break(
    willow: User,
    therapist_break: TherapistBreak,
    fern: User,
    ash: User,
    make_member: MakeMember,
    client_for: ClientFor,
) -> None:
    friends = [make_member(username=f"friend{number}") for number in (1, 2, 3)]
    for friend in friends:
        _open_to_everyone(client_for(friend))
    willow_client = client_for(willow)
    days = _days(willow, 2)
    assert _ask(willow_client, therapist_break, ["fern", "ash"], days).status_code == 302
    page = _page(willow_client, therapist_break)
    assert 'name="helper_1"' in page
    assert 'name="helper_2"' not in page  # one place left

    client_for(fern).post(reverse("peer_check_ins:decline", args=[_check_in(fern).pk]))
    again = _ask(willow_client, therapist_break, ["fern"], days)
    assert again.status_code == 400
    assert "You have already asked Fern during this break." in again.content.decode()
    assert _ask(willow_client, therapist_break, ["friend1", "friend2"], days).status_code == 302
    assert 'name="helper_1"' not in _page(willow_client, therapist_break)
    with pytest.raises(ValidationError) as refused:
        arrange_peer_check_ins(
            asker=willow,
            therapist_break=therapist_break,
            arrangement=Arrangement(names=("friend3",), days=tuple(days)),
        )
    assert refused.value.message_dict["names"] == ["You can ask up to 3 members during one break."]
    assert PeerCheckIn.objects.filter(state__in=["asked", "accepted"]).count() == 3


def test_a_past_break_takes_no_requests(
    willow: User, fern: User, client_for: ClientFor, filled: FilledToolkit
) -> None:
    past = TherapistBreak.objects.create(
        owner=willow,
        starts_on=_today(willow) - datetime.timedelta(days=30),
        back_on=_today(willow) - datetime.timedelta(days=10),
    )

    response = _ask(client_for(willow), past, ["fern"], _days(willow, 1))

    assert response.status_code == 400
    assert "This break is over" in response.content.decode()
    assert not PeerCheckIn.objects.exists()


# --- Ending with the break, the toolkit and the account -------------------------------------


def test_deleting_the_break_ends_its_requests_for_the_helper(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    _ask(client_for(willow), therapist_break, ["fern"], _days(willow, 2))
    check_in = _check_in(fern)
    fern_client = client_for(fern)
    assert len(_told(fern_client)) == 1

    client_for(willow).post(reverse("between_sessions:break_delete", args=[therapist_break.pk]))

    assert not PeerCheckIn.objects.exists()
    assert _told(fern_client) == []
    assert fern_client.get(reverse("peer_check_ins:detail", args=[check_in.pk])).status_code == 404


def test_moving_the_break_drops_the_days_now_outside_it(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    inside, outside = _days(willow, 2, 7)
    _ask(client_for(willow), therapist_break, ["fern"], [inside, outside])

    client_for(willow).post(
        reverse("between_sessions:break_edit", args=[therapist_break.pk]),
        {
            "kind": "holiday",
            "starts_on": str(therapist_break.starts_on),
            "back_on": str(_today(willow) + datetime.timedelta(days=5)),
        },
    )

    days = PeerCheckInDay.objects.filter(check_in=_check_in(fern))
    assert list(days.values_list("day", flat=True)) == [inside]


def test_the_export_holds_what_was_asked_and_received_and_nothing_of_the_break(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    day = _days(willow, 2)[0]
    _ask(client_for(willow), therapist_break, ["fern"], [day])
    client_for(fern).post(reverse("peer_check_ins:accept", args=[_check_in(fern).pk]))

    asked = peer_check_ins_export_for(willow)
    received = peer_check_ins_export_for(fern)

    assert [row["member"]["username"] for row in asked["you_asked"]] == ["fern"]
    assert asked["you_were_asked"] == []
    assert [row["member"]["username"] for row in received["you_were_asked"]] == ["willow"]
    assert received["you_were_asked"][0]["state"] == "accepted"
    assert [each["day"] for each in received["you_were_asked"][0]["days"]] == [day]
    text = json.dumps(received, default=str)
    assert MARKER not in text
    assert str(therapist_break.starts_on) not in text
    assert str(therapist_break.back_on) not in text


# --- Nothing from the toolkit reaches the other member ---------------------------------------


def _break_dates(therapist_break: TherapistBreak) -> list[str]:
    dates = [therapist_break.starts_on, therapist_break.back_on]
    return [
        text
        for day in dates
        if day is not None
        for text in (day.isoformat(), f"{day:%d %B %Y}".lstrip("0"), f"{day:%A %d %B}")
    ]


def test_nothing_from_the_toolkit_reaches_the_member_asked(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    days = _days(willow, 2, 4)
    _ask(client_for(willow), therapist_break, ["fern"], days)
    fern_client = client_for(fern)
    check_in = _check_in(fern)
    fern_client.post(reverse("peer_check_ins:accept", args=[check_in.pk]))
    for day in days:
        _sweep_on(day)

    texts = [
        fern_client.get(url).content.decode()
        for url in (
            reverse("peer_check_ins:received"),
            reverse("peer_check_ins:detail", args=[check_in.pk]),
            reverse("notifications:list"),
            reverse("api:notifications"),
        )
    ]
    texts.append(fern_client.get(reverse("peer_check_ins:message", args=[check_in.pk]))["Location"])
    texts += [message.message().as_string() for message in mail.outbox]

    assert any("Willow asked you to check in" in text for text in texts)
    for text in texts:
        assert MARKER not in text
        for shown in _break_dates(therapist_break):
            assert shown not in text, shown
    # Emails say less than the page: not even that there is a therapist's break.
    assert mail.outbox
    for message in mail.outbox:
        assert "therapist" not in message.message().as_string()


# --- Only the two members reach a request ---------------------------------------------------

KNOWN_ROUTES = frozenset(
    {
        "peer_check_ins:detail",
        "peer_check_ins:accept",
        "peer_check_ins:decline",
        "peer_check_ins:stop",
        "peer_check_ins:message",
    }
)


def _routes(entries: Iterable[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner)
        elif isinstance(entry.pattern, RoutePattern) and "check_in_id" in entry.pattern.converters:
            yield f"{namespace}{entry.name}"


def test_the_walk_finds_every_route_taking_a_check_in() -> None:
    assert set(_routes(get_resolver().url_patterns)) == KNOWN_ROUTES


@pytest.mark.parametrize("outsider", ["other_member", "moderator", "administrator"])
def test_every_route_with_a_check_in_is_not_found_for_anyone_but_the_two_members(
    outsider: str,
    request: pytest.FixtureRequest,
    willow: User,
    therapist_break: TherapistBreak,
    fern: User,
    client_for: ClientFor,
) -> None:
    _ask(client_for(willow), therapist_break, ["fern"], _days(willow, 2))
    check_in = _check_in(fern)
    client = client_for(request.getfixturevalue(outsider))

    for name in sorted(KNOWN_ROUTES):
        url = reverse(name, args=[check_in.pk])
        for response in (client.get(url), client.post(url)):
            assert response.status_code in {404, 405}, (name, response.status_code)
            assert "Willow" not in response.content.decode(), name
    for url in (
        reverse("between_sessions:break_check_ins", args=[therapist_break.pk]),
        reverse("between_sessions:break_check_ins_withdraw", args=[therapist_break.pk]),
    ):
        assert client.post(url, {"helper_1": "fern", "day_1": "2030-01-01"}).status_code == 404
    assert _check_in(fern).state == PeerCheckIn.State.ASKED
    assert fern.username not in client.get(reverse("peer_check_ins:received")).content.decode()


def test_visitors_are_sent_to_sign_in_from_every_route_with_a_check_in(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    _ask(client_for(willow), therapist_break, ["fern"], _days(willow, 2))
    check_in = _check_in(fern)

    for name in sorted(KNOWN_ROUTES):
        response = Client().get(reverse(name, args=[check_in.pk]))

        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name


def test_the_asker_sees_the_request_but_cannot_answer_it(
    willow: User, therapist_break: TherapistBreak, fern: User, client_for: ClientFor
) -> None:
    _ask(client_for(willow), therapist_break, ["fern"], _days(willow, 2))
    check_in = _check_in(fern)
    willow_client = client_for(willow)

    page = willow_client.get(reverse("peer_check_ins:detail", args=[check_in.pk]))
    answered = willow_client.post(reverse("peer_check_ins:accept", args=[check_in.pk]))

    assert page.status_code == 200
    assert "You asked Fern to check in" in page.content.decode()
    assert answered.status_code == 404
    assert _check_in(fern).state == PeerCheckIn.State.ASKED


def test_the_sweep_is_registered_with_housekeeping() -> None:
    from hearth.core.housekeeping import _jobs  # noqa: PLC0415 - the registry itself

    assert _jobs["check-ins from members sent"] is send_due_peer_check_ins


def test_an_id_too_long_for_the_database_is_a_404(willow: User, client_for: ClientFor) -> None:
    url = reverse("peer_check_ins:detail", args=[1]).replace("/1/", "/" + "9" * 18 + "/")

    assert client_for(willow).get(url).status_code == 404
