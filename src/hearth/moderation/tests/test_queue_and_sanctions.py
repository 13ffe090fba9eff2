"""Held first posts, suspensions, the queue's order and targets, and members' messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post
from hearth.forum.testing import MakeThread
from hearth.moderation.services import suspend_member
from hearth.safety.models import QueueItem, QueueKind, ReportReason
from hearth.safety.services import file_report

pytestmark = pytest.mark.django_db


def test_a_new_members_first_post_waits_for_approval(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    client_for: ClientFor,
    moderator: User,
) -> None:
    thread = make_thread()
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    newcomer = make_member(display_name="Newcomer")
    reader = client_for(make_member())

    client_for(newcomer).post(
        reverse("forum:reply", args=[thread.pk]),
        {"body": "Hello, first post!", "request_key": "n1"},
    )

    post = Post.objects.get(author=newcomer)
    assert post.is_held
    assert "Hello, first post!" not in reader.get(thread.get_absolute_url()).content.decode()
    assert reader.get(post.get_absolute_url()).status_code == 404
    own_view = client_for(newcomer).get(thread.get_absolute_url()).content.decode()
    assert "Hello, first post!" in own_view
    assert "Waiting for a moderator" in own_view
    thread.refresh_from_db()
    assert thread.reply_count == 0
    assert QueueItem.objects.filter(kind=QueueKind.HELD_POST, post_id=post.pk).exists()

    client_for(moderator).post(reverse("moderation:post_action", args=[post.pk, "approve"]))

    assert "Hello, first post!" in reader.get(thread.get_absolute_url()).content.decode()
    thread.refresh_from_db()
    assert thread.reply_count == 1
    assert thread.last_post_id == post.pk
    second = client_for(newcomer).post(
        reverse("forum:reply", args=[thread.pk]), {"body": "And another", "request_key": "n2"}
    )
    assert second.status_code == 302
    assert not Post.objects.get(body="And another").is_held


def test_a_partially_suspended_member_can_read_and_write_to_moderators_but_not_post(
    make_thread: MakeThread, member: User, member_client: Client, administrator: User
) -> None:
    thread = make_thread()
    suspend_member(moderator=administrator, member=member, days=3, partial=True, reason="Cool off")

    assert member_client.get(thread.get_absolute_url()).status_code == 200
    refused = member_client.post(
        reverse("forum:reply", args=[thread.pk]), {"body": "Trying anyway", "request_key": "s1"}
    )
    assert refused.status_code == 403
    assert "post or react until" in refused.content.decode()
    assert "Trying anyway" in refused.content.decode()
    written = member_client.post(reverse("moderation:write"), {"text": "Can we talk about this?"})
    assert written.status_code == 302
    assert QueueItem.objects.filter(kind=QueueKind.MEMBER_MESSAGE, reporter=member).exists()


def test_a_fully_suspended_member_sees_only_why(
    make_thread: MakeThread, member: User, member_client: Client, administrator: User
) -> None:
    thread = make_thread()
    suspend_member(moderator=administrator, member=member, days=3, partial=False, reason="Pause")

    response = member_client.get(thread.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == reverse("moderation:suspended")
    page = member_client.get(reverse("moderation:suspended"))
    assert page.status_code == 403
    assert "paused" in page.content.decode()
    assert member_client.get(reverse("moderation:notices")).status_code == 200
    # The private toolkit and its coping plan are never behind a sanction (CARE.md).
    assert reverse("between_sessions:plan") in page.content.decode()
    for name in ("between_sessions:home", "between_sessions:plan"):
        assert member_client.get(reverse(name)).status_code == 200, name


def test_a_suspension_ends_by_itself(
    make_thread: MakeThread, member: User, member_client: Client
) -> None:
    member.suspended_until = timezone.now() - timedelta(minutes=1)
    member.save()

    response = member_client.post(
        reverse("forum:reply", args=[make_thread().pk]), {"body": "I'm back", "request_key": "b"}
    )

    assert response.status_code == 302


def test_the_queue_puts_worries_first_and_shows_waiting_against_the_target(
    make_thread: MakeThread, make_member: MakeMember, moderator: User, client_for: ClientFor
) -> None:
    post = make_thread().posts.get()
    reporter = make_member()

    def report(reason: ReportReason) -> QueueItem:
        return file_report(
            reporter=reporter,
            reason=reason,
            details="",
            post_id=post.pk,
            thread_id=post.thread_id,
            category_id=post.thread.category_id,
        )

    spam = report(ReportReason.SPAM)
    worried = report(ReportReason.WORRIED)
    QueueItem.objects.filter(pk=spam.pk).update(created_at=timezone.now() - timedelta(hours=30))

    page = client_for(moderator).get(reverse("moderation:queue")).content.decode()

    assert page.index("I&#x27;m worried about this person") < page.index("Spam or advertising")
    assert "over target" in page
    assert worried.priority > spam.priority


def test_the_reported_member_is_never_told_who_reported(
    make_thread: MakeThread, make_member: MakeMember, client_for: ClientFor
) -> None:
    post = make_thread().posts.get()
    reporter = make_member(display_name="Quiet Reporter")
    assert post.author is not None

    client_for(reporter).post(
        reverse("moderation:report_post", args=[post.pk]), {"reason": "worried", "details": "x"}
    )

    author_client = client_for(post.author)
    for url in ["/", reverse("moderation:notices"), post.thread.get_absolute_url()]:
        assert "Quiet Reporter" not in author_client.get(url).content.decode()
    from hearth.moderation.models import ModeratorNotice  # noqa: PLC0415

    assert not ModeratorNotice.objects.filter(member=post.author).exists()
