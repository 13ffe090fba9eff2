"""Private conversations between members: one to one, or a small group.

Private by construction: every read goes through ``selectors`` (participant-
scoped, the visibility policy's conversation form in ``visibility.py``); the
text of titles and messages is encrypted at rest (``hearth.core.encryption``,
keys outside the database); nothing here is registered in the admin, and every
model is a private trace (left out of the admin's delete page by content).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hearth.core.encrypted_fields import EncryptedTextField

TITLE_MAX_LENGTH = 120
MOST_PARTICIPANTS = 8


class Conversation(models.Model):
    is_private_trace = True

    title = EncryptedTextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_group = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_position = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["-last_message_at", "-id"], name="conversations_by_activity")
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"


class Participant(models.Model):
    """A member in a conversation. ``left_at`` set: they left, and see it no more."""

    is_private_trace = True

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    is_muted = models.BooleanField(default=False)
    last_read_position = models.PositiveIntegerField(default=0)
    # Copied from the conversation with every message, so the list of a member's
    # conversations is one indexed scan of their own rows.
    last_message_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["conversation", "member"], name="unique_participant")
        ]
        indexes = [
            models.Index(
                fields=["member", "-last_message_at", "-conversation"],
                condition=Q(left_at__isnull=True),
                name="participant_conversations",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} in conversation {self.conversation_id}"

    @property
    def is_current(self) -> bool:
        return self.left_at is None


class Message(models.Model):
    is_private_trace = True

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    position = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=50)
    body = EncryptedTextField()
    body_html = EncryptedTextField()
    render_version = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    revision = models.PositiveIntegerField(default=1)
    edited_at = models.DateTimeField(null=True, blank=True)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    request_key = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "position"], name="unique_message_position"
            ),
            models.UniqueConstraint(
                fields=["author", "request_key"],
                condition=~Q(request_key=""),
                name="unique_message_request_key",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in conversation {self.conversation_id}"


class MessageRevision(models.Model):
    is_private_trace = True

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="unique_message_revision")
        ]

    def __str__(self) -> str:
        return f"Revision {self.number} of message {self.message_id}"


class AllowFrom(models.TextChoices):
    EVERYONE = "everyone", _("Any member")
    REPLIED = "replied", _("Members I've replied to")
    NOBODY = "nobody", _("Nobody (the moderators still can)")


class MessagingSettings(models.Model):
    """Who may start a conversation with the member. Without a row: nobody in the
    member's first days (CARE.md: conversations are off for new accounts), then
    members they have replied to."""

    is_private_trace = True

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    allow_from = models.CharField(
        _("who may start a conversation with me"),
        max_length=16,
        choices=AllowFrom.choices,
        default=AllowFrom.REPLIED,
    )

    def __str__(self) -> str:
        return f"messaging settings of {self.member_id}"


class ReportedMessage(models.Model):
    """A message a participant reported, and (with their consent) the few before it: the
    only conversation text a moderator can ever read, each reading audited."""

    is_private_trace = True

    queue_item_id = models.BigIntegerField(db_index=True)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    is_context = models.BooleanField(default=False)
    # The words as they were when reported (encrypted like the message): deleting or
    # editing the message afterwards must not take from the moderators what was shared.
    body_when_reported = EncryptedTextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["queue_item_id", "message"], name="unique_reported_message"
            )
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} in report {self.queue_item_id}"


class MessageDraft(models.Model):
    """What a member is writing in a conversation (or in the new-conversation form, with no
    conversation), saved as they type so nothing is lost; gone once sent, or when they
    leave."""

    is_private_trace = True

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    body = EncryptedTextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "conversation"],
                condition=Q(conversation__isnull=False),
                name="unique_message_draft",
            ),
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(conversation__isnull=True),
                name="unique_new_conversation_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"Draft by {self.member_id}"
