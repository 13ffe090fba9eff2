"""The demo community tells one consistent story in time (issue 18, "rough edges"): its
posts are dated over the last week, so their revisions, their authors' join dates and
what each author has read must be dated with them.

Each test loads the whole demo (``hearth demo``) and checks an invariant over every row,
not just the cases that were once wrong.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.db.models import F, Max, Min
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoCaptureOnCommitCallbacks

from hearth.accounts.demo import DEMO_ADMIN, DEMO_MEMBERS, DEMO_MODERATOR, JOINED_DAYS_AGO
from hearth.accounts.models import User
from hearth.core.testing import ClientFor
from hearth.forum.models import Post, PostRevision, ReadState, Thread
from hearth.notifications.models import Notification

pytestmark = pytest.mark.django_db

ARTICLE_TITLE = "Missing your therapist: what the missing is made of"


@pytest.fixture
def demo(django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks) -> None:
    # Events are delivered after each commit, as they are outside a test's transaction.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=StringIO())


def test_every_demo_member_has_a_join_date() -> None:
    usernames = {name for name, _, _ in [*DEMO_MEMBERS, DEMO_MODERATOR, DEMO_ADMIN]}

    assert set(JOINED_DAYS_AGO) == usernames


def test_revisions_are_dated_with_their_posts_and_match_last_edited(demo: None) -> None:
    now = timezone.now()
    posts = Post.objects.values(
        "pk",
        "created_at",
        "edited_at",
        "revision",
        first_revision_at=Min("revisions__created_at"),
        newest_revision_at=Max("revisions__created_at"),
        newest_number=Max("revisions__number"),
    )

    assert PostRevision.objects.exists()
    assert not PostRevision.objects.filter(created_at__gt=now).exists()
    assert not PostRevision.objects.filter(created_at__lt=F("post__created_at")).exists()
    assert Post.objects.filter(revision__gt=1).exists(), "the demo shows an edited post"
    for post in posts:
        assert post["created_at"] <= now
        assert post["newest_number"] == post["revision"], post
        assert post["first_revision_at"] == post["created_at"], post
        # "Last edited" shows edited_at; the history shows each revision's time.
        if post["revision"] == 1:
            assert post["edited_at"] is None, post
        else:
            assert post["edited_at"] == post["newest_revision_at"], post


def test_the_edited_article_shows_the_same_time_on_the_post_and_in_its_history(
    demo: None, client_for: ClientFor
) -> None:
    article = Post.objects.get(thread__title=ARTICLE_TITLE, position=1)
    client = client_for(User.objects.get(username="harbour"))

    thread_page = client.get(reverse("forum:thread", args=[article.thread_id])).content.decode()
    history_page = client.get(reverse("forum:history", args=[article.pk])).content.decode()

    shown = re.search(r'Last edited\s*<time datetime="([^"]+)"', thread_page)
    assert shown is not None
    assert shown[1] == article.edited_at.isoformat()  # type: ignore[union-attr]
    assert max(re.findall(r'<time datetime="([^"]+)"', history_page)) == shown[1]


def test_posts_in_a_thread_are_dated_in_order_and_the_thread_with_them(demo: None) -> None:
    for thread in Thread.objects.all():
        times = list(thread.posts.order_by("position").values_list("created_at", flat=True))

        assert times == sorted(times), thread
        assert thread.created_at == times[0], thread
        assert thread.last_post_at == times[-1], thread


def test_every_member_joined_before_anything_they_did(demo: None) -> None:
    checked = 0
    # Every row that points at a member and says when it was made: posts, threads,
    # reactions, messages, reports, toolkit items, notifications...
    for model in apps.get_models():
        fields = {field.name: field for field in model._meta.concrete_fields}
        if not isinstance(fields.get("created_at"), models.DateTimeField):
            continue
        for field in fields.values():
            if field.many_to_one and field.related_model is User:
                joined_later = model._default_manager.filter(
                    **{f"{field.name}__date_joined__gt": F("created_at")}
                )
                assert not joined_later.exists(), (model.__name__, field.name)
                checked += model._default_manager.filter(**{f"{field.name}__isnull": False}).count()
    first_posts = dict(
        Post.objects.values_list("author_id").annotate(first=Min("created_at")).order_by()
    )
    joined = dict(User.objects.filter(pk__in=first_posts).values_list("pk", "date_joined"))

    assert checked > 50
    assert len(first_posts) > 10
    for member_id, first_post_at in first_posts.items():
        assert joined[member_id] < first_post_at, member_id


def test_members_have_read_what_they_wrote(demo: None) -> None:
    read = {
        (member_id, thread_id): position
        for member_id, thread_id, position in ReadState.objects.values_list(
            "member_id", "thread_id", "last_read_position"
        )
    }

    written = Post.objects.filter(author__isnull=False).values_list(
        "author_id", "thread_id", "position"
    )
    for author_id, thread_id, position in written:
        assert read.get((author_id, thread_id), 0) >= position, (author_id, thread_id)


def test_reading_a_thread_left_no_unread_notification_about_what_was_read(demo: None) -> None:
    assert Notification.objects.exists(), "the demo's notifications were delivered"
    for state in ReadState.objects.all():
        unread = Notification.objects.filter(
            recipient_id=state.member_id,
            thread_id=state.thread_id,
            read_at__isnull=True,
            post__position__lte=state.last_read_position,
        )
        assert not unread.exists(), state


def test_willows_own_article_is_not_unread_to_her(demo: None, client_for: ClientFor) -> None:
    willow = User.objects.get(username="willow")
    client = client_for(willow)

    category = client.get(reverse("forum:category", args=["articles"])).content.decode()
    thread = Thread.objects.get(title=ARTICLE_TITLE)
    page = client.get(reverse("forum:thread", args=[thread.pk])).content.decode()

    row = re.search(r'<li class="thread-row[^"]*">.*?</li>', category, re.DOTALL)
    assert row is not None
    assert ARTICLE_TITLE in row[0]
    assert "thread-row--unread" not in row[0]
    assert "Unread:" not in row[0]
    assert "Jump to first unread" not in page
