"""Time to reconsider: a post that waits, seen by its author alone, before it goes live.

The must-nots first: nothing of a waiting post reaches anyone -- thread pages, lists,
search, feeds, the API, notifications, live updates, the crisis queue -- until its
time; then everything happens as for any post, once. The author can publish it now,
edit it, or withdraw it (the text becomes their draft again), and a post that can no
longer go live keeps its text and says why.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hearth.accounts.models import User
from hearth.core.housekeeping import run_housekeeping
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Draft, FollowLevel, PendingPost, Post, Thread, Visibility
from hearth.forum.pending import hold_back
from hearth.forum.services import follow_thread
from hearth.forum.testing import MakeCategory, MakeThread
from hearth.live.models import LiveEvent
from hearth.notifications.testing import deliver, told
from hearth.safety.models import QueueItem, QueueKind
from hearth.search.models import SearchEntry

pytestmark = pytest.mark.django_db

CANARY = "canarywaiting7f3a"
CRISIS_TEXT = f"I can't keep pretending. Tonight I just want to die. {CANARY}"


@pytest.fixture
def public(make_category: MakeCategory) -> Category:
    return make_category(visibility=Visibility.PUBLIC, slug="open-room")


@pytest.fixture
def writer(make_member: MakeMember) -> User:
    return make_member(display_name="Willow", post_delay_minutes=5, country="GB")


@pytest.fixture
def watcher(make_member: MakeMember) -> User:
    return make_member(display_name="Watcher")


@pytest.fixture
def thread(make_thread: MakeThread, public: Category, watcher: User) -> Thread:
    started = make_thread(author=watcher, category=public, title="Long weekends")
    follow_thread(member=watcher, thread=started, level=FollowLevel.WATCHING)
    return started


def _reply(client: Client, thread: Thread, body: str, **fields: str) -> PendingPost:
    response = client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": body, "request_key": f"key-{body[:12]}", **fields},
    )
    assert response.status_code == 302, response.content.decode()[:800]
    pending = PendingPost.objects.get(thread=thread, body=body)
    assert response["Location"] == pending.get_absolute_url()
    return pending


def _time_comes(pending: PendingPost) -> None:
    """Move the clock past the post's time: its row and its task are due now."""
    past = timezone.now() - timedelta(seconds=1)
    PendingPost.objects.filter(pk=pending.pk).update(goes_live_at=past)
    DBTaskResult.objects.filter(task_path__endswith="publish_pending_post").update(run_after=past)


def _everything_others_read(client: Client, thread: Thread) -> str:
    """The pages and answers through which anything of a post could reach another."""
    pages = [
        reverse("forum:thread", args=[thread.pk]),
        reverse("forum:category", args=[thread.category.slug]),
        reverse("home"),
        reverse("forum:feed"),
        reverse("forum:category_feed", args=[thread.category.slug]),
        f"{reverse('search:search')}?q=thinking",
        reverse("api:thread", args=[thread.pk]),
        f"{reverse('api:search')}?q=thinking",
        reverse("notifications:list"),
    ]
    return "".join(client.get(url).content.decode() for url in pages)


def test_a_waiting_reply_reaches_nobody_until_its_time_then_everything_happens_once(
    thread: Thread, writer: User, watcher: User, client_for: ClientFor
) -> None:
    writer_client, watcher_client = client_for(writer), client_for(watcher)
    live_events = LiveEvent.objects.count()
    posts = Post.objects.count()

    pending = _reply(writer_client, thread, f"Thinking of you all {CANARY}")
    deliver()  # whatever the worker would run now

    assert pending.goes_live_at - pending.created_at == timedelta(minutes=5)
    assert Post.objects.count() == posts
    assert CANARY not in _everything_others_read(watcher_client, thread)
    assert CANARY not in _everything_others_read(Client(), thread)
    assert told(watcher) == []
    assert LiveEvent.objects.count() == live_events
    assert not SearchEntry.objects.filter(post__body__contains=CANARY).exists()
    thread.refresh_from_db()
    assert thread.reply_count == 0
    # Its author sees it, with the time and what they can do.
    page = writer_client.get(pending.get_absolute_url()).content.decode()
    assert CANARY in page
    local = timezone.localtime(pending.goes_live_at)
    assert f"Goes live at {local:%H:%M}" in page
    for action in ("Publish now", "Edit", "Withdraw"):
        assert action in page
    own_thread_page = writer_client.get(thread.get_absolute_url()).content.decode()
    assert f"Goes live at {local:%H:%M}" in own_thread_page

    _time_comes(pending)
    deliver()

    post = Post.objects.get(body=f"Thinking of you all {CANARY}")
    assert (post.thread_id, post.position, post.author_id) == (thread.pk, 2, writer.pk)
    assert [notification.post_id for notification in told(watcher)] == [post.pk]
    assert LiveEvent.objects.count() > live_events
    assert CANARY in watcher_client.get(thread.get_absolute_url()).content.decode()
    pending.refresh_from_db()
    assert (pending.published_post_id, pending.body) == (post.pk, "")
    assert writer_client.get(pending.get_absolute_url())["Location"] == post.get_absolute_url()
    # The task again, and housekeeping: still one post.
    run_housekeeping()
    deliver()
    assert Post.objects.filter(body__contains=CANARY).count() == 1


def test_the_composer_offers_the_members_own_delay_and_can_choose_otherwise(
    thread: Thread, writer: User, client_for: ClientFor, watcher: User
) -> None:
    writer_client = client_for(writer)
    page = writer_client.get(thread.get_absolute_url()).content.decode()
    assert re.search(r'<option value="5" selected>In 5 minutes</option>', page)
    other = client_for(watcher).get(thread.get_absolute_url()).content.decode()
    assert re.search(r'<option value="0" selected>At once</option>', other)

    response = writer_client.post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": "Straight away, please.", "request_key": "now-1", "goes_live_in": "0"},
    )

    post = Post.objects.get(body="Straight away, please.")
    assert response["Location"] == post.get_absolute_url()
    assert not PendingPost.objects.exists()


def test_the_delay_is_a_setting_of_ones_own(writer: User, client_for: ClientFor) -> None:
    client = client_for(writer)
    form = client.get(reverse("accounts:edit_profile")).content.decode()
    assert "Time to reconsider" in form
    fields = {
        "display_name": writer.display_name,
        "time_zone": "UTC",
        "language": "en",
        "country": "GB",
        "post_delay_minutes": "10",
    }

    assert client.post(reverse("accounts:edit_profile"), fields).status_code == 302
    writer.refresh_from_db()
    assert writer.post_delay_minutes == 10

    refused = client.post(reverse("accounts:edit_profile"), {**fields, "post_delay_minutes": "7"})
    assert refused.status_code == 400
    writer.refresh_from_db()
    assert writer.post_delay_minutes == 10


def test_a_delay_that_is_not_offered_is_refused_and_the_text_kept(
    thread: Thread, writer: User, client_for: ClientFor
) -> None:
    response = client_for(writer).post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": "Keep me, please.", "request_key": "odd-1", "goes_live_in": "7"},
    )

    assert response.status_code == 400
    assert "Keep me, please." in response.content.decode()
    assert not PendingPost.objects.exists()
    assert not Post.objects.filter(body="Keep me, please.").exists()


def test_sending_the_same_form_twice_keeps_one_waiting_post(
    thread: Thread, writer: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    data = {"body": "Only once.", "request_key": "twice-1"}
    first = client.post(reverse("forum:reply", args=[thread.pk]), data)
    second = client.post(reverse("forum:reply", args=[thread.pk]), data)

    assert first["Location"] == second["Location"]
    assert PendingPost.objects.count() == 1


def test_publish_now_puts_it_live_at_once_and_its_task_then_does_nothing(
    thread: Thread, writer: User, watcher: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    pending = _reply(client, thread, "Actually, I'm sure.")

    response = client.post(reverse("forum:publish_pending", args=[pending.pk]))

    post = Post.objects.get(body="Actually, I'm sure.")
    assert response["Location"] == post.get_absolute_url()
    _time_comes(pending)
    deliver()
    assert Post.objects.filter(body="Actually, I'm sure.").count() == 1
    assert [notification.post_id for notification in told(watcher)] == [post.pk]


def test_editing_changes_the_text_that_goes_live_and_keeps_its_time(
    thread: Thread, writer: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    pending = _reply(client, thread, "I hate everyone here tonight.")
    form = client.get(reverse("forum:edit_pending", args=[pending.pk])).content.decode()
    assert "I hate everyone here tonight." in form

    response = client.post(
        reverse("forum:edit_pending", args=[pending.pk]), {"body": "Rough night. Sorry."}
    )
    assert response["Location"] == pending.get_absolute_url()
    empty = client.post(reverse("forum:edit_pending", args=[pending.pk]), {"body": "  "})
    assert empty.status_code == 400

    edited = PendingPost.objects.get(pk=pending.pk)
    assert (edited.body, edited.goes_live_at) == ("Rough night. Sorry.", pending.goes_live_at)
    _time_comes(pending)
    deliver()
    assert Post.objects.filter(body="Rough night. Sorry.").exists()
    assert not Post.objects.filter(body__contains="hate everyone").exists()


def test_withdrawing_keeps_the_text_as_a_draft_and_nothing_ever_goes_live(
    thread: Thread, writer: User, watcher: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    pending = _reply(client, thread, "Maybe not tonight.")
    # Something typed in the reply box since is kept too, first.
    client.post(reverse("forum:save_draft"), {"thread": thread.pk, "body": "Another thought."})

    response = client.post(reverse("forum:withdraw_pending", args=[pending.pk]))

    assert response["Location"] == f"{thread.get_absolute_url()}#reply-heading"
    draft = Draft.objects.get(member=writer, thread=thread)
    assert draft.body == "Another thought.\n\nMaybe not tonight."
    assert not PendingPost.objects.exists()
    _time_comes(pending)
    deliver()
    run_housekeeping()
    assert not Post.objects.filter(body__contains="Maybe not tonight.").exists()
    assert told(watcher) == []
    assert "Maybe not tonight." in client.get(thread.get_absolute_url()).content.decode()


def test_a_waiting_thread_is_nowhere_until_its_time(
    public: Category, writer: User, watcher: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    response = client.post(
        reverse("forum:new_thread", args=[public.slug]),
        {
            "title": f"Hard week {CANARY}",
            "body": "Can't sleep.",
            "request_key": "thread-1",
            "hoping_for": ["just_listening"],
        },
    )
    pending = PendingPost.objects.get(title=f"Hard week {CANARY}")
    assert response["Location"] == pending.get_absolute_url()
    assert not Thread.objects.filter(title__contains=CANARY).exists()
    for reader in (client_for(watcher), Client()):
        for url in (reverse("home"), public.get_absolute_url(), reverse("forum:feed")):
            assert CANARY not in reader.get(url).content.decode()
    assert (
        "Your thread is waiting to go live"
        in client.get(pending.get_absolute_url()).content.decode()
    )

    _time_comes(pending)
    deliver()

    started = Thread.objects.get(title=f"Hard week {CANARY}")
    assert started.hoping_for == ["just_listening"]
    assert CANARY in client_for(watcher).get(public.get_absolute_url()).content.decode()


def test_a_withdrawn_thread_becomes_the_new_thread_draft(
    public: Category, writer: User, client_for: ClientFor
) -> None:
    pending = hold_back(
        author=writer,
        category=public,
        thread=None,
        title="Second thoughts",
        body="Not sure about this.",
        request_key="t-2",
        delay_minutes=10,
    )
    client = client_for(writer)

    response = client.post(reverse("forum:withdraw_pending", args=[pending.pk]))

    assert response["Location"] == reverse("forum:new_thread", args=[public.slug])
    page = client.get(response["Location"]).content.decode()
    assert "Second thoughts" in page
    assert "Not sure about this." in page


def test_the_crisis_panel_shows_at_once_but_the_queue_hears_only_when_it_goes_live(
    thread: Thread, writer: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    pending = _reply(client, thread, CRISIS_TEXT)

    page = client.get(pending.get_absolute_url()).content.decode()
    assert "Thank you for sharing this" in page
    assert "Your post isn't live yet: until it is, only you can see it." in page
    assert "Your post is up" not in page
    assert "116 123" in page  # a checked line for the writer's country
    assert not QueueItem.objects.filter(kind=QueueKind.CHECK_IN).exists()

    client.post(reverse("forum:pending_check_in", args=[pending.pk]))
    assert not QueueItem.objects.exists()
    assert (
        "a moderator will be asked to check in"
        in client.get(pending.get_absolute_url()).content.decode()
    )

    _time_comes(pending)
    deliver()

    post = Post.objects.get(body=CRISIS_TEXT)
    item = QueueItem.objects.get(kind=QueueKind.CHECK_IN)
    assert (item.post_id, item.asked_for_check_in) == (post.pk, True)


def test_a_post_that_can_no_longer_go_live_keeps_its_text_and_says_why(
    thread: Thread, writer: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    pending = _reply(client, thread, "Words for a closed room.")
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)

    _time_comes(pending)
    deliver()

    assert not Post.objects.filter(body="Words for a closed room.").exists()
    kept = PendingPost.objects.get(pk=pending.pk)
    assert kept.problem
    page = client.get(pending.get_absolute_url()).content.decode()
    assert "This couldn&#x27;t go live." in page or "This couldn't go live." in page
    assert kept.problem in page.replace("&#x27;", "'")
    assert "Words for a closed room." in page
    listed = client.get(reverse("forum:waiting_posts")).content.decode()
    assert "Words for a closed room." in listed
    # Trying again while it is still locked changes nothing; unlocked, it goes live.
    client.post(reverse("forum:publish_pending", args=[pending.pk]))
    assert not Post.objects.filter(body="Words for a closed room.").exists()
    Thread.objects.filter(pk=thread.pk).update(is_locked=False)
    client.post(reverse("forum:publish_pending", args=[pending.pk]))
    assert Post.objects.filter(body="Words for a closed room.").exists()


def test_housekeeping_publishes_what_a_lost_task_did_not(
    thread: Thread, writer: User, client_for: ClientFor
) -> None:
    pending = _reply(client_for(writer), thread, "Sent while the worker was down.")
    DBTaskResult.objects.filter(task_path__endswith="publish_pending_post").delete()
    PendingPost.objects.filter(pk=pending.pk).update(
        goes_live_at=timezone.now() - timedelta(minutes=2)
    )

    done = run_housekeeping()

    assert done["overdue pending posts published"] == 1
    assert Post.objects.filter(body="Sent while the worker was down.").exists()


def test_housekeeping_forgets_the_rows_of_posts_live_for_a_day(
    thread: Thread, writer: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    pending = _reply(client, thread, "Live for a while now.")
    client.post(reverse("forum:publish_pending", args=[pending.pk]))
    PendingPost.objects.update(published_at=timezone.now() - timedelta(days=2))

    run_housekeeping()

    assert not PendingPost.objects.exists()
    assert Post.objects.filter(body="Live for a while now.").exists()


def test_nobody_else_can_see_or_act_on_a_waiting_post(
    thread: Thread, writer: User, watcher: User, client_for: ClientFor, moderator: User
) -> None:
    pending = _reply(client_for(writer), thread, f"Mine alone {CANARY}")
    urls = [
        reverse(name, args=[pending.pk])
        for name in (
            "forum:pending_post",
            "forum:publish_pending",
            "forum:edit_pending",
            "forum:withdraw_pending",
            "forum:pending_check_in",
        )
    ]
    for client in (client_for(watcher), client_for(moderator)):
        for url in urls:
            assert client.get(url).status_code in {404, 405}
            assert client.post(url, {"body": "taken over"}).status_code in {404, 405}
        assert CANARY not in client.get(reverse("forum:waiting_posts")).content.decode()
    for url in urls:
        answer = Client().get(url, follow=True).content.decode()
        assert CANARY not in answer
    kept = PendingPost.objects.get(pk=pending.pk)
    assert (kept.body, kept.published_at, kept.asks_for_check_in) == (
        f"Mine alone {CANARY}",
        None,
        False,
    )


def test_the_api_honours_the_delay_and_lets_the_author_publish_or_withdraw(
    thread: Thread, writer: User, watcher: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    response = client.post(
        reverse("api:reply", args=[thread.pk]),
        {"body": f"Through the app {CANARY}"},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    waiting = response.json()
    assert waiting["thread_id"] == thread.pk
    assert waiting["url"].endswith(reverse("forum:pending_post", args=[waiting["id"]]))
    assert (
        CANARY
        not in client_for(watcher).get(reverse("api:thread", args=[thread.pk])).content.decode()
    )
    listed = client.get(reverse("api:waiting_posts")).json()["waiting_posts"]
    assert [item["id"] for item in listed] == [waiting["id"]]
    other = client_for(watcher)
    assert other.post(reverse("api:publish_waiting_post", args=[waiting["id"]])).status_code == 404
    assert (
        other.delete(reverse("api:withdraw_waiting_post", args=[waiting["id"]])).status_code == 404
    )

    published = client.post(reverse("api:publish_waiting_post", args=[waiting["id"]]))
    assert published.status_code == 200
    assert published.json()["position"] == 2
    assert (
        client.delete(reverse("api:withdraw_waiting_post", args=[waiting["id"]])).status_code == 409
    )

    at_once = client.post(
        reverse("api:reply", args=[thread.pk]),
        {"body": "No waiting this time.", "goes_live_in_minutes": 0},
        content_type="application/json",
    )
    assert at_once.status_code == 201
    odd = client.post(
        reverse("api:reply", args=[thread.pk]),
        {"body": "Seven?", "goes_live_in_minutes": 7},
        content_type="application/json",
    )
    assert odd.status_code == 422


def test_the_api_withdraws_into_a_draft(
    thread: Thread, writer: User, client_for: ClientFor
) -> None:
    client = client_for(writer)
    waiting = client.post(
        reverse("api:reply", args=[thread.pk]),
        {"body": "Let me think.", "goes_live_in_minutes": 10},
        content_type="application/json",
    ).json()

    assert (
        client.delete(reverse("api:withdraw_waiting_post", args=[waiting["id"]])).status_code == 204
    )
    assert Draft.objects.get(member=writer, thread=thread).body == "Let me think."
