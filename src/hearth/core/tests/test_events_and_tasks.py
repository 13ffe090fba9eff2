"""The seams: domain events published on commit, background tasks with retries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hearth.accounts.models import Role, User
from hearth.core import events
from hearth.core.events import Event, publish, subscribe, subscribe_task, unsubscribe
from hearth.core.tasks import background_task, run_due_tasks
from hearth.core.testing import MakeMember
from hearth.forum.events import (
    MemberMentioned,
    PostDeleted,
    PostEdited,
    PostHeld,
    PostHidden,
    PostPublished,
    ReactionToggled,
    ThreadLocked,
    ThreadMoved,
)
from hearth.forum.models import Post, ReactionKind
from hearth.forum.services import delete_post, edit_post, reply_to_thread, toggle_reaction
from hearth.forum.testing import MakeCategory, MakeThread
from hearth.moderation.events import ModeratorNoticeSent
from hearth.moderation.services import hide_post, lock_thread, move_thread

pytestmark = pytest.mark.django_db


@dataclass(frozen=True, kw_only=True)
class Knocked(Event):
    door: int


CALLS: list[int] = []


@background_task(max_attempts=3)
def flaky(*, fail_times: int, marker: int) -> None:
    """Fails the first ``fail_times`` attempts (counted in CALLS), then succeeds."""
    CALLS.append(marker)
    if CALLS.count(marker) <= fail_times:
        raise RuntimeError("the mail server is away")


@background_task()
def note_knock(*, door: int) -> None:
    CALLS.append(door)


@pytest.fixture
def heard() -> Iterator[list[Event]]:
    """Every event delivered after commit, in order."""
    delivered: list[Event] = []
    subscribe(Event, delivered.append)
    yield delivered
    unsubscribe(Event, delivered.append)


Capture = Callable[..., Any]


# --- Events ---------------------------------------------------------------------------


def test_events_reach_subscribers_only_after_commit(
    heard: list[Event], django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish(Knocked(door=1))
        assert heard == []  # not yet: the write could still roll back

    assert heard == [Knocked(door=1)]


def _publish_then_fail(event: Event) -> None:
    try:
        with transaction.atomic():
            publish(event)
            raise RuntimeError("the write failed")
    except RuntimeError:
        pass


def test_a_rolled_back_transaction_publishes_nothing(
    heard: list[Event], django_capture_on_commit_callbacks: Capture
) -> None:
    subscribe_task(Knocked, note_knock)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            _publish_then_fail(Knocked(door=2))
    finally:
        events._tasks[Knocked].remove(note_knock)

    assert heard == []
    assert not DBTaskResult.objects.exists()


def test_a_task_subscriber_is_enqueued_in_the_publishing_transaction() -> None:
    subscribe_task(Knocked, note_knock)
    try:
        with transaction.atomic():
            publish(Knocked(door=3))
            assert DBTaskResult.objects.filter(task_path__endswith="note_knock").count() == 1
    finally:
        events._tasks[Knocked].remove(note_knock)
    CALLS.clear()

    assert run_due_tasks() == 1
    assert CALLS == [3]


def test_a_failing_subscriber_does_not_stop_the_others(
    heard: list[Event], django_capture_on_commit_callbacks: Capture
) -> None:
    def broken(event: Event) -> None:
        raise ValueError(event)

    subscribe(Knocked, broken)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            publish(Knocked(door=4))
    finally:
        unsubscribe(Knocked, broken)

    assert heard == [Knocked(door=4)]


def _published(capture: Capture, heard: list[Event], action: Callable[[], object]) -> list[Event]:
    heard.clear()
    with capture(execute=True):
        action()
    return list(heard)


def test_forum_writes_publish_their_events(
    heard: list[Event],
    django_capture_on_commit_callbacks: Capture,
    make_thread: MakeThread,
    make_member: MakeMember,
    make_category: MakeCategory,
    moderator: User,
) -> None:
    capture = django_capture_on_commit_callbacks
    thread = make_thread()
    fern = make_member(username="fern")
    author = make_member()

    reply = None

    def post_reply() -> None:
        nonlocal reply
        reply = reply_to_thread(author=author, thread=thread, body="Hi @fern", request_key="k")

    kinds = [type(event) for event in _published(capture, heard, post_reply)]
    assert kinds == [PostPublished, MemberMentioned]
    assert reply is not None
    published = heard[0]
    assert isinstance(published, PostPublished)
    assert published.post_id == reply.pk
    assert published.mentioned_member_ids == [fern.pk]

    def react() -> None:
        toggle_reaction(member=fern, post=reply, kind=ReactionKind.HUG)

    assert _published(capture, heard, react)[0] == ReactionToggled(
        post_id=reply.pk,
        thread_id=thread.pk,
        category_id=thread.category_id,
        member_id=fern.pk,
        kind="hug",
        is_on=True,
    )

    def edit() -> None:
        edit_post(editor=author, post=reply, body="Edited", base_revision=1)

    assert [type(e) for e in _published(capture, heard, edit)] == [PostEdited]

    def hide_twice() -> None:
        hide_post(moderator=moderator, post=reply, reason="Why")
        hide_post(moderator=moderator, post=reply, reason="Again")

    kinds = [type(event) for event in _published(capture, heard, hide_twice)]
    assert kinds.count(PostHidden) == 1
    assert ModeratorNoticeSent in kinds

    def lock_and_move() -> None:
        lock_thread(moderator=moderator, thread=thread, reason="Calm")
        move_thread(moderator=moderator, thread=thread, to=make_category(), reason="Better")

    kinds = [type(event) for event in _published(capture, heard, lock_and_move)]
    assert ThreadLocked in kinds
    assert ThreadMoved in kinds

    def delete() -> None:
        delete_post(member=author, post=Post.objects.get(pk=reply.pk))

    assert PostDeleted in [type(e) for e in _published(capture, heard, delete)]


def test_a_held_post_publishes_held_then_published_on_approval(
    heard: list[Event],
    django_capture_on_commit_callbacks: Capture,
    make_thread: MakeThread,
    make_member: MakeMember,
    moderator: User,
    settings: Any,
) -> None:
    from hearth.moderation.services import approve_post  # noqa: PLC0415

    settings.HEARTH_HOLD_FIRST_POSTS = 1
    thread = make_thread(author=moderator)
    newcomer = make_member()
    capture = django_capture_on_commit_callbacks

    held = _published(
        capture,
        heard,
        lambda: reply_to_thread(author=newcomer, thread=thread, body="First", request_key="h"),
    )
    assert [type(event) for event in held] == [PostHeld]
    post = Post.objects.get(author=newcomer)

    approved = _published(capture, heard, lambda: approve_post(moderator=moderator, post=post))
    published = [event for event in approved if isinstance(event, PostPublished)]
    assert len(published) == 1
    assert published[0].approved_by_id == moderator.pk


# --- Tasks ----------------------------------------------------------------------------


def test_a_failing_task_is_retried_later_and_every_attempt_is_recorded() -> None:
    CALLS.clear()
    flaky.enqueue(fail_times=1, marker=7)

    assert run_due_tasks() == 1  # the retry is not due yet
    first = DBTaskResult.objects.get(status=TaskResultStatus.FAILED)
    assert "the mail server is away" in first.traceback
    retry = DBTaskResult.objects.get(status=TaskResultStatus.READY)
    assert retry.run_after > timezone.now() + timedelta(seconds=5)
    assert retry.args_kwargs["kwargs"]["attempt"] == 2

    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    assert run_due_tasks() == 1

    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.SUCCESSFUL
    assert CALLS == [7, 7]


def test_a_task_gives_up_after_its_attempts_and_stays_failed_for_the_administrator(
    make_member: MakeMember,
) -> None:
    CALLS.clear()
    flaky.enqueue(fail_times=99, marker=8)
    for _attempt in range(5):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())
        run_due_tasks()

    assert CALLS == [8, 8, 8]  # max_attempts=3
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 3
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
    admin = make_member(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    page = client.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status=FAILED"
    )
    assert page.status_code == 200
    assert "flaky" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_hearth_worker_batch_runs_what_is_due() -> None:
    CALLS.clear()
    note_knock.enqueue(door=9)

    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)

    assert CALLS == [9]
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


# --- Mail through the worker, and sign-up that tells nothing ------------------------------

SIGNUP = {
    "username": "quietfox",
    "display_name": "Quiet Fox",
    "email": "quietfox@example.org",
    "password1": "a long and quiet evening",
    "password2": "a long and quiet evening",
    "accepts_guidelines": "on",
}


def test_mail_is_sent_by_the_worker_and_a_rolled_back_request_sends_nothing() -> None:
    Client().post(reverse("account_signup"), SIGNUP)
    assert not mail.outbox

    run_due_tasks()

    assert [message.to for message in mail.outbox] == [["quietfox@example.org"]]


def test_sign_up_with_a_taken_username_answers_like_any_sign_up_and_mails_the_address(
    make_member: MakeMember,
) -> None:
    make_member(username="quietfox", email="first@example.org")

    response = Client().post(reverse("account_signup"), {**SIGNUP, "email": "second@example.org"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert not User.objects.filter(email="second@example.org").exists()
    run_due_tasks()
    (message,) = mail.outbox
    assert message.to == ["second@example.org"]
    assert "quietfox" in message.body
    assert "already belongs to another member" in message.body


def test_sign_up_page_never_says_a_username_is_taken(make_member: MakeMember) -> None:
    make_member(username="quietfox")

    response = Client().post(reverse("account_signup"), {**SIGNUP, "password2": "different"})

    assert response.status_code == 200  # the form comes back for the password mismatch
    page = response.content.decode().lower()
    assert "taken" not in page
    assert "already exists" not in page


HASHED: list[str] = []


@pytest.fixture
def counted_hashing(settings: Any) -> list[str]:
    settings.PASSWORD_HASHERS = ["hearth.core.tests.test_events_and_tasks.CountingHasher"]
    HASHED.clear()
    return HASHED


class CountingHasher:
    """MD5 for speed, counting each hash (a stand-in for the clock: the work is the time)."""

    algorithm = "counting_md5"

    def __new__(cls) -> Any:
        from django.contrib.auth.hashers import MD5PasswordHasher  # noqa: PLC0415

        class Counting(MD5PasswordHasher):
            algorithm = "counting_md5"

            def encode(self, password: str, salt: str) -> str:
                HASHED.append(password)
                return super().encode(password, salt).replace("md5$", "counting_md5$", 1)

        return Counting()


@pytest.mark.parametrize("taken", ["email", "username", "nothing"])
def test_sign_up_hashes_the_password_whether_or_not_the_account_can_be_made(
    taken: str, make_member: MakeMember, counted_hashing: list[str]
) -> None:
    if taken == "email":
        User.objects.create(username="someone", email=SIGNUP["email"], password=make_password(None))
    elif taken == "username":
        User.objects.create(username=SIGNUP["username"], email="x@example.org")
    counted_hashing.clear()

    Client().post(reverse("account_signup"), SIGNUP)

    assert counted_hashing.count(SIGNUP["password1"]) == 1


def test_a_task_left_running_by_a_dead_worker_is_run_again() -> None:
    CALLS.clear()
    note_knock.enqueue(door=11)
    task = DBTaskResult.objects.get()
    task.claim("a-worker-that-was-killed")
    DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(hours=1))
    assert run_due_tasks() == 0  # still "running": nobody else takes it

    call_command("tick", verbosity=0)

    assert run_due_tasks() == 1
    assert CALLS == [11]
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.SUCCESSFUL


def test_a_task_still_running_recently_is_left_to_its_worker() -> None:
    note_knock.enqueue(door=12)
    DBTaskResult.objects.get().claim("a-busy-worker")

    call_command("tick", verbosity=0)

    assert DBTaskResult.objects.get().status == TaskResultStatus.RUNNING
