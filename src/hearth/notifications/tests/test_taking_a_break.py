"""Taking a break (issue 17, item 4; CARE.md "Mute and block"): the forum, its
notifications and its emails pause until a chosen day; the toolkit and support stay;
others see nothing different; ending early is one click; the return is gentle, once."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Thread
from hearth.forum.testing import MakeReply, MakeThread
from hearth.forum.viewer import viewer_for
from hearth.live.delivery import deliverable, open_listener
from hearth.live.models import LiveEvent
from hearth.member_data.export import member_data, source_for
from hearth.moderation.models import AuditEntry
from hearth.notifications.emails import queue_due_digests
from hearth.notifications.models import Digest, EmailState, NotificationSettings
from hearth.notifications.selectors import notifications_page
from hearth.notifications.services import end_break, end_finished_breaks, take_a_break
from hearth.notifications.testing import bell, deliver, told

pytestmark = pytest.mark.django_db

NOW = timezone.now()
BREAK_PAGE = "You're taking a break until"
WELCOME_BACK = "Welcome back"


def _page(client: Client, url: str) -> str:
    """A page's HTML without what changes on every response (CSRF tokens, nonces)."""
    page = client.get(url).content.decode()
    return re.sub(r'(nonce="|value="|X-CSRFToken": ")[A-Za-z0-9_-]{20,}', r"\1", page)


def _on_a_break(member: User, days: int = 3) -> None:
    take_a_break(member=member, until=timezone.now() + timedelta(days=days))


@pytest.fixture
def resting(make_member: MakeMember) -> User:
    return make_member(username="resting", display_name="Willow")


@pytest.fixture
def thread(make_thread: MakeThread, resting: User) -> Thread:
    thread = make_thread(author=resting, title="Missing my therapist")
    deliver()
    return thread


# --- Choosing a break -----------------------------------------------------------------


def test_a_member_chooses_a_day_and_the_break_begins(resting: User, client_for: ClientFor) -> None:
    client = client_for(resting)
    day = (timezone.now() + timedelta(days=10)).date()

    response = client.post(reverse("notifications:take_a_break"), {"until": day.isoformat()})

    assert response.status_code == 302
    resting.refresh_from_db()
    assert resting.break_until is not None
    assert resting.break_until.date() in {day, day - timedelta(days=1)}  # its start, in UTC
    assert resting.is_on_break(timezone.now())
    page = client.get(reverse("notifications:take_a_break")).content.decode()
    assert "End my break now" in page


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (0, "Choose a day after today."),
        (-3, "Choose a day after today."),
        (400, "Choose a day within a year from today"),
    ],
)
def test_a_day_in_the_past_or_too_far_is_refused_with_a_message(
    days: int, message: str, resting: User, client_for: ClientFor
) -> None:
    day = (timezone.now() + timedelta(days=days)).date()

    response = client_for(resting).post(
        reverse("notifications:take_a_break"), {"until": day.isoformat()}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    resting.refresh_from_db()
    assert resting.break_until is None


def test_a_day_that_is_not_a_date_is_refused_without_an_error_page(
    resting: User, client_for: ClientFor
) -> None:
    response = client_for(resting).post(reverse("notifications:take_a_break"), {"until": "soon"})

    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def test_the_settings_pages_link_to_taking_a_break(resting: User, client_for: ClientFor) -> None:
    client = client_for(resting)
    url = reverse("notifications:take_a_break")

    assert url in client.get(reverse("notifications:settings")).content.decode()
    assert url in client.get(reverse("accounts:edit_profile")).content.decode()


# --- During the break -------------------------------------------------------------------


@pytest.mark.parametrize(
    "route",
    [
        "/",
        "category",
        "thread",
        "permalink",
        "/search/?q=therapist",
        "/notifications/",
        "/me/posts/",
    ],
)
def test_forum_pages_show_the_calm_break_page_instead(
    route: str, resting: User, thread: Thread, client_for: ClientFor
) -> None:
    url = {
        "category": thread.category.get_absolute_url(),
        "thread": thread.get_absolute_url(),
        "permalink": f"/p/{thread.last_post_id}/",
    }.get(route, route)
    _on_a_break(resting)

    response = client_for(resting).get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert BREAK_PAGE in page
    assert "Your toolkit and support resources are here whenever you need them." in page
    assert "End my break now" in page
    assert "Missing my therapist" not in page
    for sanction_word in ("suspend", "sanction", "moderators have"):
        assert sanction_word not in page.lower()


@pytest.mark.parametrize(
    "url",
    [
        "/notes/",
        "/notes/plan/",
        "/settings/profile/",
        "/settings/notifications/",
        "/settings/break/",
        "/settings/muted/",
        "/settings/data/",
        "/notices/",
    ],
)
def test_the_toolkit_settings_and_data_stay_reachable(
    url: str, resting: User, client_for: ClientFor
) -> None:
    _on_a_break(resting)

    response = client_for(resting).get(url)

    assert response.status_code == 200, url
    assert BREAK_PAGE not in response.content.decode()


def test_signing_out_still_works(resting: User, client_for: ClientFor) -> None:
    _on_a_break(resting)
    client = client_for(resting)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_reply_sent_from_an_old_page_is_not_posted_and_its_words_come_back(
    resting: User, thread: Thread, client_for: ClientFor
) -> None:
    _on_a_break(resting)

    response = client_for(resting).post(
        f"/t/{thread.pk}/reply/", {"body": "Words I wrote before my break", "request_key": "k"}
    )

    assert response.status_code == 403
    assert "Words I wrote before my break" in response.content.decode()
    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_a_member_on_a_break_receives_nothing(
    resting: User, thread: Thread, make_reply: MakeReply
) -> None:
    NotificationSettings.objects.create(member=resting, digest=Digest.DAILY)
    _on_a_break(resting)

    make_reply(thread, body="Thinking of you")
    deliver()
    queue_due_digests()
    deliver()

    assert bell(resting) == 0
    assert mail.outbox == []
    assert [note.email_state for note in told(resting)] == [EmailState.NONE]  # never later
    assert notifications_page(viewer_for(resting)).groups == []


def test_a_reply_written_before_the_break_and_delivered_during_it_is_not_emailed(
    resting: User, thread: Thread, make_reply: MakeReply
) -> None:
    make_reply(thread)
    take_a_break(member=resting, until=timezone.now() + timedelta(days=1))
    deliver()

    assert mail.outbox == []


def test_others_see_nothing_different(
    resting: User, thread: Thread, make_member: MakeMember, client_for: ClientFor
) -> None:
    other = client_for(make_member())
    urls = [
        thread.get_absolute_url(),
        reverse("accounts:profile", args=["resting"]),
        f"/t/{thread.pk}/mentionable/?q=res",
    ]
    before = [_page(other, url) for url in urls]

    _on_a_break(resting)

    assert [_page(other, url) for url in urls] == before
    assert "resting" in before[2]  # still offered to mention


def test_a_break_is_not_a_sanction(resting: User, client_for: ClientFor) -> None:
    client = client_for(resting)
    client.post(
        reverse("notifications:take_a_break"),
        {"until": (timezone.now() + timedelta(days=5)).date().isoformat()},
    )

    response = client.get("/")

    assert response.status_code == 200  # the calm page, not a redirect to /suspended/
    assert not AuditEntry.objects.exists()
    resting.refresh_from_db()
    assert resting.suspended_until is None


# --- Ending it --------------------------------------------------------------------------


def test_ending_early_is_one_click_and_the_welcome_back_shows_once(
    resting: User, thread: Thread, make_reply: MakeReply, client_for: ClientFor
) -> None:
    _on_a_break(resting)
    make_reply(thread, body="Thinking of you")
    deliver()
    client = client_for(resting)

    response = client.post(reverse("notifications:end_break"), {"next": thread.get_absolute_url()})

    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    resting.refresh_from_db()
    assert resting.break_until is None
    assert bell(resting) == 1  # the count is back
    welcome = client.get(thread.get_absolute_url()).content.decode()
    assert WELCOME_BACK in welcome
    assert "A few things came in while you were away." in welcome
    assert "Thinking of you" not in welcome  # links, not what was written
    again = client.get(thread.get_absolute_url()).content.decode()
    assert WELCOME_BACK not in again
    assert "Thinking of you" in again


def test_the_end_of_a_break_leads_only_to_this_site(resting: User, client_for: ClientFor) -> None:
    _on_a_break(resting)

    response = client_for(resting).post(
        reverse("notifications:end_break"), {"next": "https://elsewhere.example/"}
    )

    assert response["Location"] == "/"


def test_a_break_ends_on_its_day_by_housekeeping_and_welcomes_back_once(
    resting: User, thread: Thread, client_for: ClientFor
) -> None:
    _on_a_break(resting)
    User.objects.filter(pk=resting.pk).update(break_until=timezone.now() - timedelta(minutes=1))

    assert end_finished_breaks() == 1
    client = client_for(resting)

    first = client.get("/").content.decode()
    assert WELCOME_BACK in first
    assert "Things were quiet for you while you were away." in first
    second = client.get("/").content.decode()
    assert WELCOME_BACK not in second
    assert "Missing my therapist" in second


def test_a_break_whose_day_has_come_ends_on_the_next_page_before_housekeeping(
    resting: User, thread: Thread, client_for: ClientFor
) -> None:
    _on_a_break(resting)
    User.objects.filter(pk=resting.pk).update(break_until=timezone.now() - timedelta(minutes=1))
    client = client_for(resting)

    assert WELCOME_BACK in client.get(thread.get_absolute_url()).content.decode()
    resting.refresh_from_db()
    assert resting.break_until is None
    assert not resting.welcome_back_pending
    assert "Missing my therapist" in client.get(thread.get_absolute_url()).content.decode()


def test_the_toolkit_does_not_wait_behind_the_welcome_back(
    resting: User, client_for: ClientFor
) -> None:
    _on_a_break(resting)
    end_break(member=resting)
    client = client_for(resting)

    assert WELCOME_BACK not in client.get("/notes/plan/").content.decode()
    assert WELCOME_BACK in client.get("/").content.decode()


def test_a_script_fetching_a_fragment_does_not_use_up_the_welcome_back(
    resting: User, thread: Thread, client_for: ClientFor
) -> None:
    _on_a_break(resting)
    end_break(member=resting)
    client = client_for(resting)

    fragment = client.get(f"/t/{thread.pk}/after/1/", headers={"Sec-Fetch-Mode": "cors"})

    assert WELCOME_BACK not in fragment.content.decode()
    assert WELCOME_BACK in client.get("/").content.decode()


def test_a_visitor_is_untouched(thread: Thread) -> None:
    response = Client().get("/settings/break/")

    assert response.status_code == 302  # asked to sign in


def test_no_live_event_reaches_a_member_on_a_break_even_on_a_page_opened_before(
    resting: User, thread: Thread, make_member: MakeMember, make_reply: MakeReply
) -> None:
    other = make_member()
    resting_stream = open_listener(resting, thread_id=thread.pk, conversation_id=None)
    others_stream = open_listener(other, thread_id=thread.pk, conversation_id=None)
    assert resting_stream is not None
    assert others_stream is not None
    _on_a_break(resting)

    already = LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    make_reply(thread, body="Thinking of you")
    deliver()
    rows = list(LiveEvent.objects.filter(id__gt=already).order_by("id"))

    delivered = deliverable(rows, [resting_stream, others_stream])
    assert [event.kind for _listener, event in delivered] == ["reply"]
    assert {listener.member_id for listener, _event in delivered} == {other.pk}
    assert open_listener(resting, thread_id=thread.pk, conversation_id=None) is None
    assert open_listener(resting, thread_id=None, conversation_id=None) is None


def test_the_data_export_during_a_break_loses_nothing(
    resting: User, make_thread: MakeThread, make_reply: MakeReply
) -> None:
    others = make_thread(title="Someone else's thread")
    make_reply(others, author=resting, body="My reply there")
    before = json.dumps(
        member_data(source_for(resting, include_toolkit=False, now=NOW)), default=str
    )

    _on_a_break(resting)
    during = json.dumps(
        member_data(source_for(resting, include_toolkit=False, now=NOW)), default=str
    )

    assert "Someone else's thread" in before
    assert "Someone else's thread" in during
