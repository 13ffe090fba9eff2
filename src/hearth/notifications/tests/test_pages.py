"""The bell, the notifications page, settings and following, as members use them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import FollowLevel, Thread, ThreadFollowing
from hearth.forum.services import follow_thread
from hearth.forum.testing import MakeReply, MakeThread
from hearth.notifications import selectors
from hearth.notifications.models import Delivery, Kind, NotificationSettings
from hearth.notifications.testing import bell, deliver, told

pytestmark = pytest.mark.django_db


@pytest.fixture
def starter(make_member: MakeMember) -> User:
    return make_member(display_name="Starter")


@pytest.fixture
def thread(make_thread: MakeThread, starter: User) -> Thread:
    found = make_thread(author=starter, title="Endings are hard")
    deliver()
    return found


def test_the_bell_shows_the_unread_count_on_every_page(
    thread: Thread, starter: User, make_reply: MakeReply, client_for: ClientFor
) -> None:
    make_reply(thread)
    make_reply(thread)
    deliver()

    page = client_for(starter).get(reverse("home")).content.decode()

    assert 'class="nav-bell"' in page
    assert '<span class="badge">2<span class="visually-hidden"> unread</span></span>' in page


def test_the_bell_costs_no_query(thread: Thread, starter: User, client_for: ClientFor) -> None:
    client = client_for(starter)
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("home"))
    User.objects.filter(pk=starter.pk).update(unread_notifications=5)

    with CaptureQueriesContext(connection) as after:
        page = client.get(reverse("home")).content.decode()

    assert ">5<" in page
    assert len(after) == len(before)


def test_the_page_groups_by_thread_and_opening_one_lands_on_the_post_and_reads_it(
    thread: Thread,
    starter: User,
    make_member: MakeMember,
    make_reply: MakeReply,
    make_thread: MakeThread,
    client_for: ClientFor,
) -> None:
    other = make_thread(author=starter, title="Weekend wobbles")
    deliver()
    first = make_reply(thread, author=make_member(display_name="Fern"))
    make_reply(other, author=make_member(display_name="Ash"))
    make_reply(thread, author=make_member(display_name="Willow"))
    deliver()
    client = client_for(starter)

    page = client.get(reverse("notifications:list")).content.decode()
    assert (
        page.index("Endings are hard") < page.index("Willow replied") < page.index("Fern replied")
    )
    assert page.index("Fern replied") < page.index("Weekend wobbles") < page.index("Ash replied")

    notification = next(each for each in told(starter) if each.post_id == first.pk)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"/p/{first.pk}/"
    assert client.get(response["Location"])["Location"].endswith(f"#post-{first.pk}")
    assert bell(starter) == 2


def test_mark_one_and_mark_all_read(
    thread: Thread, starter: User, make_reply: MakeReply, client_for: ClientFor
) -> None:
    make_reply(thread)
    make_reply(thread)
    deliver()
    client = client_for(starter)
    first, _second = told(starter)

    client.post(reverse("notifications:mark_read", args=[first.pk]))
    assert bell(starter) == 1

    client.post(reverse("notifications:mark_all_read"))
    assert bell(starter) == 0
    assert all(each.read_at is not None for each in told(starter))


def test_an_empty_page_says_what_will_appear(member_client: Client) -> None:
    page = member_client.get(reverse("notifications:list")).content.decode()

    assert "Nothing yet" in page


def test_a_bad_page_cursor_is_a_clear_400(member_client: Client) -> None:
    response = member_client.get(reverse("notifications:list"), {"before": "not-a-cursor\x00"})

    assert response.status_code == 400


def test_the_page_pages_with_a_cursor(
    thread: Thread, starter: User, make_reply: MakeReply, client_for: ClientFor, settings: Any
) -> None:
    monkey = pytest.MonkeyPatch()
    monkey.setattr(selectors, "PAGE_SIZE", 2)
    try:
        for _ in range(3):
            make_reply(thread)
        deliver()
        client = client_for(starter)
        first = client.get(reverse("notifications:list"))
        cursor = first.context["page"].next_cursor
        assert cursor
        second = client.get(reverse("notifications:list"), {"before": cursor})
        ids = [
            item.notification.pk for group in first.context["page"].groups for item in group.items
        ]
        ids += [
            item.notification.pk for group in second.context["page"].groups for item in group.items
        ]
        assert sorted(ids) == sorted(each.pk for each in told(starter))
        assert not second.context["page"].next_cursor
    finally:
        monkey.undo()


def test_settings_are_saved_and_bad_duty_hours_are_explained(
    moderator: User, client_for: ClientFor
) -> None:
    client = client_for(moderator)
    form = {f"kind_{kind.value}": Delivery.IN_APP for kind in Kind} | {
        "kind_mention": Delivery.EMAIL,
        "digest": "weekly",
        "quiet_from": "22:00",
        "quiet_until": "07:00",
        "email_titles": "on",
    }

    bad = client.post(reverse("notifications:settings"), form | {"duty_hours": "whenever"})
    assert bad.status_code == 400
    assert "mon-fri 18:00-22:00" in bad.content.decode()
    assert not NotificationSettings.objects.exists()

    good = client.post(
        reverse("notifications:settings"), form | {"duty_hours": "mon-fri 18:00-22:00"}
    )
    assert good.status_code == 302
    choices = NotificationSettings.objects.get(member=moderator)
    assert choices.delivery_for(Kind.REPLY) == Delivery.IN_APP
    assert choices.delivery_for(Kind.MENTION) == Delivery.EMAIL
    assert (choices.digest, choices.email_titles, choices.duty_hours) == (
        "weekly",
        True,
        "mon-fri 18:00-22:00",
    )


def test_quiet_hours_need_both_ends(member_client: Client) -> None:
    response = member_client.post(
        reverse("notifications:settings"), {"digest": "off", "quiet_from": "22:00"}
    )

    assert response.status_code == 400
    assert "Give both times, or neither." in response.content.decode()


def test_members_are_not_offered_the_moderators_kinds(member_client: Client) -> None:
    page = member_client.get(reverse("notifications:settings")).content.decode()

    assert "Reports" not in page
    assert "New reports" not in page
    assert "duty hours" not in page


def test_a_muted_thread_is_reachable_from_the_following_page_and_can_be_undone(
    thread: Thread, member: User, member_client: Client
) -> None:
    follow_thread(member=member, thread=thread, level=FollowLevel.MUTED)
    assert thread.title not in member_client.get(reverse("home")).content.decode()

    page = member_client.get(reverse("notifications:following")).content.decode()
    assert thread.title in page

    member_client.post(
        reverse("forum:follow_thread", args=[thread.pk]),
        {"level": "", "next": reverse("notifications:following")},
    )
    assert not ThreadFollowing.objects.filter(member=member).exists()
    assert thread.title in member_client.get(reverse("home")).content.decode()


def test_the_thread_page_offers_the_levels(
    thread: Thread, starter: User, client_for: ClientFor
) -> None:
    client = client_for(starter)

    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Default (tracking)" in page

    client.post(reverse("forum:follow_thread", args=[thread.pk]), {"level": "watching"})
    assert 'value="watching" selected' in client.get(thread.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("level", "said"),
    [
        ("watching", "You are now watching “Endings are hard”."),
        ("tracking", "You are now tracking “Endings are hard”."),
        ("normal", "You now follow “Endings are hard” as normal."),
        ("muted", "You have muted “Endings are hard”."),
        ("", "“Endings are hard” is back to the default notifications."),
    ],
)
def test_choosing_a_level_says_so_in_a_sentence_of_its_own(
    level: str, said: str, thread: Thread, member_client: Client
) -> None:
    response = member_client.post(
        reverse("forum:follow_thread", args=[thread.pk]), {"level": level}, follow=True
    )

    assert said in response.content.decode()


def test_an_unknown_level_means_the_default(
    thread: Thread, member: User, member_client: Client
) -> None:
    follow_thread(member=member, thread=thread, level=FollowLevel.WATCHING)

    response = member_client.post(
        reverse("forum:follow_thread", args=[thread.pk]), {"level": "loudest\x00"}
    )

    assert response.status_code == 302
    assert not ThreadFollowing.objects.filter(member=member).exists()


# --- The URL walk for notification ids ------------------------------------------------------


def _routes_with(argument: str) -> Iterator[str]:
    def walk(entries: list[URLPattern | URLResolver], namespace: str) -> Iterator[str]:
        for entry in entries:
            if isinstance(entry, URLResolver):
                yield from walk(
                    entry.url_patterns,
                    f"{namespace}{entry.namespace}:" if entry.namespace else namespace,
                )
            elif isinstance(entry.pattern, RoutePattern) and argument in entry.pattern.converters:
                yield f"{namespace}{entry.name}"

    return walk(get_resolver().url_patterns, "")


def test_every_route_taking_a_notification_id_is_404_for_anyone_else(
    thread: Thread,
    starter: User,
    make_member: MakeMember,
    make_reply: MakeReply,
    client_for: ClientFor,
) -> None:
    make_reply(thread, author=make_member(display_name="Canaryname"))
    deliver()
    (notification,) = told(starter)
    routes = sorted(_routes_with("notification_id"))
    assert {"notifications:open", "notifications:mark_read"} <= set(routes)
    snoop = client_for(make_member())
    visitor = Client()

    for route in routes:
        url = reverse(route, args=[notification.pk])
        for method in (snoop.get, snoop.post):
            response = method(url)
            assert response.status_code in (404, 405), (route, method)
            assert "Canaryname" not in response.content.decode()
        for method in (visitor.get, visitor.post):
            response = method(url)
            if route.startswith("api:"):  # the JSON API answers 401 where pages redirect
                assert response.status_code in (401, 405), (route, method)
                continue
            assert response.status_code in (302, 405), (route, method)
            assert response.status_code == 405 or "/accounts/login/" in response["Location"]

    notification.refresh_from_db()
    assert notification.read_at is None
    assert bell(starter) == 1


def test_reading_the_thread_reads_its_notifications(
    thread: Thread,
    starter: User,
    make_reply: MakeReply,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_reply(thread)
    make_reply(thread)
    deliver()
    assert bell(starter) == 2
    client = client_for(starter)

    with django_capture_on_commit_callbacks(execute=True):
        client.get(thread.get_absolute_url())

    assert bell(starter) == 0
    assert all(each.read_at is not None for each in told(starter))
