"""Notification emails: what they say (and don't), exactly once, unsubscribing, the digest."""

from __future__ import annotations

import email
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hearth.accounts.models import User
from hearth.core.testing import MakeMember
from hearth.core.tests.serving import free_port
from hearth.forum.models import Post, Thread
from hearth.forum.services import ContentNote, reply_to_thread
from hearth.forum.testing import MakeReply, MakeThread
from hearth.notifications.emails import (
    queue_due_digests,
    send_notification_emails,
    unsubscribe_token,
)
from hearth.notifications.models import (
    Delivery,
    Digest,
    EmailState,
    Kind,
    NotificationSettings,
)
from hearth.notifications.tasks import notify_about_post
from hearth.notifications.testing import deliver, told
from hearth.notifications.timing import end_of_quiet_hours
from hearth.safety.models import ReportReason
from hearth.safety.services import file_report

pytestmark = pytest.mark.django_db

TITLE = "Missing my therapist over the holidays"
BODY = "My therapist is away for three weeks and I keep counting the days."


@pytest.fixture
def starter(make_member: MakeMember) -> User:
    return make_member(username="starter", display_name="Starter")


@pytest.fixture
def thread(make_thread: MakeThread, starter: User) -> Thread:
    found = make_thread(author=starter, title=TITLE)
    deliver()
    return found


def _only_message_to(member: User) -> mail.EmailMessage:
    (message,) = [each for each in mail.outbox if each.to == [member.email]]
    return message


def test_by_default_an_email_says_who_answered_but_no_text_and_no_title(
    thread: Thread, starter: User, make_member: MakeMember, make_reply: MakeReply
) -> None:
    make_reply(thread, author=make_member(display_name="Fern"), body=BODY)

    deliver()

    message = _only_message_to(starter)
    assert message.subject == "[Hearth] Fern replied in your thread"
    text = str(message.body)
    assert BODY not in text
    assert TITLE not in text
    assert "three weeks" not in text
    (notification,) = told(starter)
    assert f"/notifications/{notification.pk}/" in text
    assert notification.email_state == EmailState.SENT


def test_every_email_has_one_click_unsubscribe_headers(
    thread: Thread, starter: User, make_reply: MakeReply
) -> None:
    make_reply(thread)
    deliver()

    headers = _only_message_to(starter).extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<http://")
    assert "/notifications/unsubscribe/" in headers["List-Unsubscribe"]
    assert headers["Message-ID"].startswith("<notification-")


def test_a_member_may_opt_in_to_titles_and_excerpts(
    thread: Thread, starter: User, make_member: MakeMember, make_reply: MakeReply
) -> None:
    NotificationSettings.objects.create(member=starter, email_titles=True, email_excerpts=True)

    make_reply(thread, author=make_member(display_name="Fern"), body=BODY)
    deliver()

    message = _only_message_to(starter)
    assert message.subject == f"[Hearth] Fern replied in your thread “{TITLE}”"
    assert BODY in str(message.body)


def test_a_post_behind_a_content_note_is_never_excerpted(
    thread: Thread, starter: User, make_member: MakeMember
) -> None:
    NotificationSettings.objects.create(member=starter, email_excerpts=True)

    reply_to_thread(
        author=make_member(),
        thread=thread,
        body=BODY,
        request_key="k",
        content_note=ContentNote(text="grief"),
    )
    deliver()

    text = str(_only_message_to(starter).body)
    assert BODY not in text
    assert "content note" in text


def test_a_notification_read_on_the_site_before_the_worker_ran_sends_no_email(
    thread: Thread, starter: User, make_reply: MakeReply, client_for: Any
) -> None:
    reply = make_reply(thread)
    DBTaskResult.objects.all().delete()
    notify_about_post.call(post_id=reply.pk, mentioned_member_ids=[])
    (notification,) = told(starter)
    client_for(starter).get(reverse("notifications:open", args=[notification.pk]))

    deliver()

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_state == EmailState.SKIPPED


class Sink:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings: Any) -> Iterator[tuple[Controller, Sink]]:
    """A local SMTP server, not started: the test decides when it is up."""
    port = free_port()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }
    yield controller, sink
    if getattr(controller, "_thread", None) is not None:
        controller.stop()


def _retries_due_now() -> None:
    DBTaskResult.objects.filter(status="READY").update(
        run_after=timezone.now() - timedelta(seconds=1)
    )


def test_an_email_is_sent_exactly_once_across_an_smtp_outage(
    thread: Thread, starter: User, make_reply: MakeReply, smtp: tuple[Controller, Sink]
) -> None:
    controller, sink = smtp
    make_reply(thread)

    deliver()  # the mail server is down: the attempt fails, a retry is queued
    (notification,) = told(starter)
    assert notification.email_state == EmailState.PENDING
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    controller.start()
    _retries_due_now()
    deliver()
    deliver()

    assert len(sink.messages) == 1
    assert sink.messages[0]["To"] == starter.email
    notification.refresh_from_db()
    assert notification.email_state == EmailState.SENT

    send_notification_emails.enqueue(notification_ids=[notification.pk])  # a retry after success
    deliver()
    assert len(sink.messages) == 1


def test_quiet_hours_move_an_email_to_their_end(
    thread: Thread, starter: User, make_reply: MakeReply
) -> None:
    now = timezone.now().astimezone(timezone.get_fixed_timezone(0))
    quiet_from = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
    quiet_until = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    NotificationSettings.objects.create(
        member=starter, quiet_from=quiet_from, quiet_until=quiet_until
    )

    make_reply(thread)
    deliver()

    assert mail.outbox == []
    waiting = DBTaskResult.objects.get(status="READY")
    assert waiting.run_after is not None
    assert waiting.run_after > timezone.now() + timedelta(hours=1)
    NotificationSettings.objects.filter(member=starter).update(quiet_from=None, quiet_until=None)
    _retries_due_now()  # the quiet hours are over
    deliver()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("clock", "ends"),
    [
        (time(23, 30), datetime(2026, 3, 2, 7, 0, tzinfo=UTC)),
        (time(6, 59), datetime(2026, 3, 1, 7, 0, tzinfo=UTC)),
        (time(7, 0), None),
        (time(21, 59), None),
    ],
)
def test_quiet_hours_may_run_past_midnight(clock: time, ends: datetime | None) -> None:
    zone = UTC
    local = datetime.combine(date(2026, 3, 1), clock, tzinfo=zone)

    found = end_of_quiet_hours(time(22, 0), time(7, 0), local)

    assert found == ends


def test_a_moderators_report_email_waits_for_their_duty_hours(
    make_member: MakeMember, moderator: User
) -> None:
    NotificationSettings.objects.create(
        member=moderator, deliveries={Kind.REPORT: Delivery.EMAIL}, duty_hours=_hours_not_now()
    )

    file_report(reporter=make_member(), reason=ReportReason.OTHER, details="")
    deliver()

    assert len(told(moderator, Kind.REPORT)) == 1
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def _hours_not_now() -> str:
    """Duty hours that exclude the present moment (UTC, the test member's time zone)."""
    start = (timezone.now() + timedelta(hours=3)).astimezone(timezone.get_fixed_timezone(0))
    end = start + timedelta(hours=1)
    return (
        f"mon-sun {start:%H}:00-{end:%H}:00"
        if end.hour > start.hour
        else f"mon-sun {start:%H}:00-23:00"
    )


# --- Unsubscribing --------------------------------------------------------------------------


def test_the_unsubscribe_link_asks_first_and_works_signed_out(
    thread: Thread, starter: User, make_reply: MakeReply
) -> None:
    token = unsubscribe_token(starter.pk, Kind.REPLY)
    anybody = Client()
    url = reverse("notifications:unsubscribe", args=[token])

    asked = anybody.get(url)
    assert asked.status_code == 200
    # The kind's name as written: lower-casing it is no rule of every language.
    assert "Stop emails about “Replies in threads you started or watch”?" in asked.content.decode()
    assert NotificationSettings.objects.filter(member=starter).count() == 0

    done = anybody.post(url, {"everything": "0"})
    assert done.status_code == 200
    choices = NotificationSettings.objects.get(member=starter)
    assert choices.delivery_for(Kind.REPLY) == Delivery.IN_APP
    assert choices.delivery_for(Kind.MENTION) == Delivery.EMAIL

    make_reply(thread)
    deliver()
    assert mail.outbox == []
    assert len(told(starter)) == 1  # still told on the site


def test_one_click_unsubscribe_from_the_mail_client(starter: User) -> None:
    token = unsubscribe_token(starter.pk, Kind.MENTION)

    response = Client(enforce_csrf_checks=True).post(
        reverse("notifications:unsubscribe", args=[token]), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert (
        NotificationSettings.objects.get(member=starter).delivery_for(Kind.MENTION)
        == Delivery.IN_APP
    )


def test_stop_all_emails_turns_off_every_kind_and_the_digest(starter: User) -> None:
    NotificationSettings.objects.create(member=starter, digest=Digest.WEEKLY)
    token = unsubscribe_token(starter.pk, Kind.REPLY)

    Client().post(reverse("notifications:unsubscribe", args=[token]), {"everything": "1"})

    choices = NotificationSettings.objects.get(member=starter)
    assert all(choices.delivery_for(kind) != Delivery.EMAIL for kind in Kind)
    assert choices.digest == Digest.OFF


@pytest.mark.parametrize("token", ["nonsense", "a" * 300, "eyJtZW1iZXIiOjF9:bad:sig"])
def test_a_forged_unsubscribe_link_changes_nothing(token: str, starter: User) -> None:
    response = Client().post(reverse("notifications:unsubscribe", args=[token]))

    assert response.status_code == 400
    assert not NotificationSettings.objects.exists()


# --- The digest -----------------------------------------------------------------------------


def test_the_digest_lists_what_is_new_without_titles_once_per_period(
    thread: Thread, starter: User, make_member: MakeMember, make_reply: MakeReply
) -> None:
    NotificationSettings.objects.create(
        member=starter, digest=Digest.DAILY, deliveries={Kind.REPLY: Delivery.IN_APP}
    )
    make_reply(thread, author=make_member(display_name="Fern"), body=BODY)
    make_reply(thread, author=make_member(display_name="Ash"))
    deliver()
    assert mail.outbox == []

    assert queue_due_digests() == 1
    assert queue_due_digests() == 0  # a second tick before the worker ran
    deliver()
    assert queue_due_digests() == 0
    deliver()

    (digest,) = mail.outbox
    assert digest.subject == "[Hearth] While you were away"
    text = str(digest.body)
    assert "Fern replied in your thread" in text
    assert "Ash replied in your thread" in text
    assert TITLE not in text
    assert BODY not in text
    assert "/notifications/unsubscribe/" in digest.extra_headers["List-Unsubscribe"]


def test_no_digest_when_nothing_is_new(starter: User) -> None:
    NotificationSettings.objects.create(member=starter, digest=Digest.WEEKLY)

    queue_due_digests()
    deliver()

    assert mail.outbox == []


def test_the_digest_leaves_out_what_the_member_can_no_longer_read(
    thread: Thread, starter: User, make_reply: MakeReply
) -> None:
    NotificationSettings.objects.create(
        member=starter, digest=Digest.DAILY, deliveries={Kind.REPLY: Delivery.IN_APP}
    )
    reply = make_reply(thread)
    deliver()
    # Hidden behind the withdrawal task's back: the digest asks the policy itself.
    Post.objects.filter(pk=reply.pk).update(is_hidden=True)

    queue_due_digests()
    deliver()

    assert mail.outbox == []
