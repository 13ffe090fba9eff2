"""Notification emails and the "While you were away" digest, sent by the worker.

The outbox is the task queue: ``delivery.tell`` marks a notification's email
*pending* and enqueues ``send_notification_emails`` in the same transaction,
so an email exists exactly when its notification does (nothing for a rolled
back post). Sending happens here, checked again when the task runs:

* the recipient may still see what it is about (the visibility policy's
  audience), has not read it on the site meanwhile, has not muted or blocked
  the member it names since, and is not on a break;
* quiet hours (and a moderator's duty hours) move it later, never drop it;
* **exactly once**: a notification is claimed (pending -> sending) before the
  message leaves and marked sent after; an SMTP failure puts it back to pending
  and the task is retried with backoff, skipping whatever was already sent.
  A worker killed between the SMTP server accepting and the row being marked
  leaves it "sending"; it is retried after ``CLAIM_EXPIRES`` -- the one window
  where a second copy is possible, and the stable ``Message-ID`` lets mail
  systems recognise it.

No post text and no thread title unless the member opted in
(``NotificationSettings``); every message carries a one-click unsubscribe
(RFC 8058) that works without signing in.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.core.tasks import background_task
from hearth.forum.models import Post
from hearth.forum.visibility import post_audience
from hearth.notifications.delivery import is_on_break, settings_of, who_muted
from hearth.notifications.models import (
    Digest,
    EmailState,
    Kind,
    Notification,
    NotificationSettings,
)
from hearth.notifications.timing import email_not_before
from hearth.notifications.wording import headline

logger = logging.getLogger(__name__)

CLAIM_EXPIRES = timedelta(minutes=15)
EXCERPT_LENGTH = 280
UNSUBSCRIBE_SALT = "hearth.notifications.unsubscribe"
# What an unsubscribe token may turn off besides a kind.
ALL_EMAIL = "all"
DIGEST = "digest"
DIGEST_PERIODS = {Digest.DAILY: timedelta(days=1), Digest.WEEKLY: timedelta(days=7)}
DIGEST_MOST_ITEMS = 30


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(member_id: int, what: str) -> str:
    return signing.dumps({"member": member_id, "what": what}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("member"), int):
        return None
    return value["member"], str(value.get("what", ALL_EMAIL))


def _message(
    member: User,
    *,
    subject: str,
    template: str,
    context: dict[str, object],
    unsubscribe: str,
    message_id: str,
) -> EmailMultiAlternatives:
    token = unsubscribe_token(member.pk, unsubscribe)
    unsubscribe_url = absolute(reverse("notifications:unsubscribe", kwargs={"token": token}))
    context = {
        **context,
        "site_name": settings.HEARTH_SITE_NAME,
        "site_url": settings.SITE_URL,
        "member": member,
        "unsubscribe_url": unsubscribe_url,
        "settings_url": absolute(reverse("notifications:settings")),
    }
    body = render_to_string(template, context)
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    headers = {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
        "Message-ID": f"<{message_id}@{host}>",
    }
    return EmailMultiAlternatives(
        subject=f"[{settings.HEARTH_SITE_NAME}] {subject}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[member.email],
        headers=headers,
    )


def _excerpt(post: Post) -> str:
    """The post's first lines, or only its content note when it has one."""
    if post.content_note_text or post.note_label_ids:
        return _("(This post has a content note: open it on the site to read it.)")
    text = " ".join(post.body.split())
    return text if len(text) <= EXCERPT_LENGTH else f"{text[: EXCERPT_LENGTH - 1]}…"


def _still_wanted(notification: Notification, now: datetime) -> bool:
    recipient = notification.recipient
    if not recipient.is_active or not recipient.email or notification.read_at is not None:
        return False
    if notification.actor_id is not None and who_muted([recipient.pk], [notification.actor_id]):
        return False  # muted or blocked while the email waited (quiet hours): nothing from them
    post = notification.post
    return post is None or post_audience(post).filter(pk=recipient.pk).exists()


def notification_email(
    notification: Notification, choices: NotificationSettings
) -> EmailMultiAlternatives:
    member = notification.recipient
    with translation.override(member.language):
        subject = headline(notification, title=_title_for(notification, choices), for_email=True)
        excerpt = (
            _excerpt(notification.post)
            if notification.post is not None and choices.email_excerpts
            else ""
        )
        return _message(
            member,
            subject=subject,
            template="notifications/email/notification.txt",
            context={
                "headline": subject,
                "excerpt": excerpt,
                "link": absolute(
                    reverse("notifications:open", kwargs={"notification_id": notification.pk})
                ),
            },
            unsubscribe=notification.kind,
            message_id=f"notification-{notification.pk}",
        )


def send_notification_email(notification_id: int, now: datetime | None = None) -> EmailState:
    """Send one notification's email if it is still due; return what became of it."""
    now = now or timezone.now()
    claimable = Q(email_state=EmailState.PENDING) | Q(
        email_state=EmailState.SENDING, email_claimed_at__lt=now - CLAIM_EXPIRES
    )
    notification = (
        Notification.objects.select_related(
            "recipient", "thread", "post__thread__category", "actor"
        )
        .filter(claimable, pk=notification_id)
        .first()
    )
    if notification is None:
        return EmailState.NONE
    choices = settings_of([notification.recipient_id])[notification.recipient_id]
    if not _still_wanted(notification, now) or is_on_break(notification.recipient, now):
        Notification.objects.filter(pk=notification.pk).update(email_state=EmailState.SKIPPED)
        return EmailState.SKIPPED
    later = email_not_before(notification.recipient, choices, notification.kind, now)
    if later > now:
        send_notification_emails.using(run_after=later).enqueue(notification_ids=[notification.pk])
        return EmailState.PENDING
    claimed = Notification.objects.filter(claimable, pk=notification.pk).update(
        email_state=EmailState.SENDING, email_claimed_at=now
    )
    if not claimed:
        return EmailState.NONE  # another worker has it
    try:
        notification_email(notification, choices).send()
    except Exception:
        Notification.objects.filter(pk=notification.pk).update(
            email_state=EmailState.PENDING, email_claimed_at=None
        )
        raise
    Notification.objects.filter(pk=notification.pk).update(email_state=EmailState.SENT)
    return EmailState.SENT


@background_task(max_attempts=10)
def send_notification_emails(*, notification_ids: list[int]) -> None:
    """Send these notifications' emails; if any could not go, fail (and be retried, which
    skips those already sent)."""
    failed = 0
    for notification_id in notification_ids:
        try:
            send_notification_email(notification_id)
        except Exception:
            logger.warning(
                "Could not send the email of notification %s", notification_id, exc_info=True
            )
            failed += 1
    if failed:
        message = f"{failed} of {len(notification_ids)} notification emails could not be sent"
        raise RuntimeError(message)


# --- The digest ----------------------------------------------------------------------------


def digest_due(choices: NotificationSettings, now: datetime) -> bool:
    period = DIGEST_PERIODS.get(Digest(choices.digest))
    if period is None:
        return False
    return choices.last_digest_at is None or choices.last_digest_at <= now - period


def queue_due_digests(now: datetime | None = None) -> int:
    """Enqueue a digest for every member whose period has passed (``hearth tick``).

    The period is claimed here (``last_digest_at`` moves to now, only if nobody moved
    it since), so a tick that runs again before the worker does enqueues nothing
    twice; the task carries the start of its period and a retry sends the same one.
    """
    now = now or timezone.now()
    due = 0
    members = NotificationSettings.objects.exclude(digest=Digest.OFF)
    for choices in members.only("member_id", "digest", "last_digest_at"):
        if not digest_due(choices, now):
            continue
        previous = choices.last_digest_at
        claimed = NotificationSettings.objects.filter(
            member_id=choices.member_id, last_digest_at=previous
        ).update(last_digest_at=now)
        if claimed:
            since = previous.isoformat() if previous is not None else ""
            send_digest.enqueue(member_id=choices.member_id, since=since)
            due += 1
    return due


def digest_items(member: User, since: datetime | None) -> list[Notification]:
    """Unread notifications since the last digest that the member may still see."""
    found = Notification.objects.filter(recipient=member, read_at__isnull=True).select_related(
        "thread", "post__thread__category", "actor"
    )
    if since is not None:
        found = found.filter(updated_at__gt=since)
    items = []
    for notification in found.order_by("-updated_at")[: DIGEST_MOST_ITEMS * 2]:
        post = notification.post
        if post is not None and not post_audience(post).filter(pk=member.pk).exists():
            continue
        items.append(notification)
    return items[:DIGEST_MOST_ITEMS]


@background_task(max_attempts=10)
def send_digest(*, member_id: int, since: str) -> None:
    """ "While you were away": what is new since ``since`` (ISO time, "" for ever), if
    anything is and the member is not on a break."""
    choices = (
        NotificationSettings.objects.select_related("member").filter(member_id=member_id).first()
    )
    if choices is None or choices.digest == Digest.OFF:
        return
    member = choices.member
    if is_on_break(member, timezone.now()):
        return
    if not member.is_active or not member.email:
        return
    items = digest_items(member, datetime.fromisoformat(since) if since else None)
    if not items:
        return
    with translation.override(member.language):
        lines = [headline(item, title=_title_for(item, choices), for_email=True) for item in items]
        _message(
            member,
            subject=_("While you were away"),
            template="notifications/email/digest.txt",
            context={"lines": lines, "link": absolute(reverse("notifications:list"))},
            unsubscribe=DIGEST,
            message_id=f"digest-{member_id}-{since or 'first'}",
        ).send()


def _title_for(notification: Notification, choices: NotificationSettings) -> str:
    thread = notification.thread
    return thread.title if thread is not None and choices.email_titles else ""


def unsubscribe(member_id: int, what: str) -> bool:
    """Turn off emails of one kind, the digest, or all of them; False for an unknown member."""
    if not User.objects.filter(pk=member_id).exists():
        return False
    choices, _created = NotificationSettings.objects.get_or_create(member_id=member_id)
    if what == DIGEST:
        choices.digest = Digest.OFF
    elif what in Kind.values:
        choices.deliveries = {**choices.deliveries, what: _in_app_only(choices, what)}
    else:
        choices.deliveries = {kind: _in_app_only(choices, kind) for kind in Kind.values}
        choices.digest = Digest.OFF
    choices.save()
    return True


def _in_app_only(choices: NotificationSettings, kind: str) -> str:
    current = choices.delivery_for(kind)
    return "in_app" if current == "email" else current
