"""Notifications: what a member is told, how (here, by email), and when not to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.forum.models import Post, Thread


class Kind(models.TextChoices):
    """What happened. Each kind has its own delivery preference (``Delivery``)."""

    REPLY = "reply", _("Replies in threads you started or watch")
    REPLY_TO_ME = "reply_to_me", _("Replies that quote your posts")
    MENTION = "mention", _("Mentions of you")
    NEW_THREAD = "new_thread", _("New threads in categories you follow")
    REACTION = "reaction", _("Hugs and reactions to your posts")
    MESSAGE = "message", _("Messages in your conversations")
    MODERATION = "moderation", _("Moderators' decisions about your posts")
    NOTICE = "notice", _("Messages from the moderators")
    CHECK_IN = "check_in", _("Answers to your check-in requests")
    REPORT = "report", _("New reports (moderators)")
    CHECK_IN_REQUEST = "check_in_request", _("Check-in requests (moderators)")
    # A member asked me to check in while their therapist is away (between_sessions).
    PEER_CHECK_IN = "peer_check_in", _("Members asking you to check in with them")


MODERATOR_KINDS = frozenset({Kind.REPORT, Kind.CHECK_IN_REQUEST})


class Delivery(models.TextChoices):
    EMAIL = "email", _("Here and by email")
    IN_APP = "in_app", _("Here only")
    OFF = "off", _("Off")


# What a member gets before choosing: by email what someone wrote to or about
# them and what moderators decided; the rest only here. Emails never carry text
# (see ``NotificationSettings.email_excerpts``).
DEFAULT_DELIVERY: dict[str, str] = {
    Kind.REPLY: Delivery.EMAIL,
    Kind.REPLY_TO_ME: Delivery.EMAIL,
    Kind.MENTION: Delivery.EMAIL,
    Kind.NEW_THREAD: Delivery.IN_APP,
    Kind.REACTION: Delivery.IN_APP,
    Kind.MESSAGE: Delivery.EMAIL,
    Kind.MODERATION: Delivery.EMAIL,
    Kind.NOTICE: Delivery.EMAIL,
    Kind.CHECK_IN: Delivery.EMAIL,
    Kind.REPORT: Delivery.IN_APP,
    Kind.CHECK_IN_REQUEST: Delivery.EMAIL,
    Kind.PEER_CHECK_IN: Delivery.EMAIL,
}


class EmailState(models.TextChoices):
    NONE = "none", _("No email")
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    SKIPPED = "skipped", _("Not sent")


class Notification(models.Model):
    """One thing a member is told about. ``key`` makes delivery idempotent: a task
    that runs twice finds its notification already there."""

    # Whom a member hears from is private to them: never listed to an administrator.
    is_private_trace = True

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    key = models.CharField(max_length=64)
    thread = models.ForeignKey(
        Thread, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Who did it, as the recipient may know them: an anonymous post's pseudonym, never
    # its author (``actor`` stays empty then).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=50, blank=True)
    others_count = models.PositiveIntegerField(default=0)
    # What kinds of reaction (grouped), or the subject of a moderator's message.
    detail = models.CharField(max_length=500, blank=True)
    target_url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=8, choices=EmailState.choices, default=EmailState.NONE
    )
    email_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="unique_notification_key")
        ]
        indexes = [
            models.Index(fields=["recipient", "-updated_at"], name="notifications_newest"),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notifications_unread"
            ),
            models.Index(fields=["post"], name="notifications_of_post"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


# The longest break from the forum one can choose at a time (``User.break_until``).
LONGEST_BREAK_DAYS = 365


class Digest(models.TextChoices):
    OFF = "off", _("No digest")
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class NotificationSettings(models.Model):
    """A member's choices; a member without a row has the defaults."""

    is_private_trace = True

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # Kind -> Delivery, only where the member chose something other than the default.
    deliveries = models.JSONField(default=dict, blank=True)
    email_titles = models.BooleanField(
        _("include thread titles in emails"),
        default=False,
        help_text=_("A title can say a lot about you to whoever sees your inbox."),
    )
    email_excerpts = models.BooleanField(
        _("include what was written in emails"),
        default=False,
        help_text=_("The first lines of the post. Off by default: emails can be read by others."),
    )
    quiet_from = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_until = models.TimeField(_("quiet hours until"), null=True, blank=True)
    digest = models.CharField(
        _("“While you were away” email"),
        max_length=8,
        choices=Digest.choices,
        default=Digest.OFF,
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)
    duty_hours = models.CharField(
        _("my duty hours (moderators)"),
        max_length=200,
        blank=True,
        help_text=_(
            "When to email you about reports and check-ins, e.g. “mon-fri 18:00-22:00” in your "
            "time zone. Empty: the community's moderation hours."
        ),
    )

    def __str__(self) -> str:
        return f"notification settings of {self.member_id}"

    def delivery_for(self, kind: str) -> str:
        return str(self.deliveries.get(kind, DEFAULT_DELIVERY[kind]))
