"""Moderation: an append-only audit trail, sanctions, and notices to members."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Audit entries are never changed or deleted."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        message = "Audit entries cannot be changed."
        raise AppendOnlyError(message)

    def delete(self) -> NoReturn:
        message = "Audit entries cannot be deleted."
        raise AppendOnlyError(message)

    def redact(self, **fields: Any) -> int:
        """Take a departed member out of entries (``moderation.departure``): the one
        change an entry ever takes, and only to the fields that can name them."""
        if not set(fields) <= REDACTABLE_FIELDS:
            message = f"Only {sorted(REDACTABLE_FIELDS)} of an audit entry can be redacted."
            raise AppendOnlyError(message)
        return super().update(**fields)


# What may name a member in an audit entry: who acted, what it was about, and the
# before and after of what changed. What was done, and when, always stays.
REDACTABLE_FIELDS = frozenset({"actor_name", "target_label", "before", "after"})


class AuditAction(models.TextChoices):
    HIDE_POST = "hide_post", _("Hid a post")
    RESTORE_POST = "restore_post", _("Restored a post")
    EDIT_POST = "edit_post", _("Edited a post")
    SET_CONTENT_NOTE = "set_content_note", _("Changed a post's content note")
    LOCK_THREAD = "lock_thread", _("Closed a thread to replies")
    UNLOCK_THREAD = "unlock_thread", _("Reopened a thread")
    PIN_THREAD = "pin_thread", _("Pinned a thread")
    UNPIN_THREAD = "unpin_thread", _("Unpinned a thread")
    MOVE_THREAD = "move_thread", _("Moved a thread")
    WARN_MEMBER = "warn_member", _("Warned a member")
    SUSPEND_MEMBER = "suspend_member", _("Suspended a member")
    PARTIALLY_SUSPEND_MEMBER = "partially_suspend_member", _("Partially suspended a member")
    LIFT_SUSPENSION = "lift_suspension", _("Lifted a suspension")
    APPROVE_POST = "approve_post", _("Approved a held post")
    REJECT_POST = "reject_post", _("Did not approve a held post")
    REVEAL_AUTHOR = "reveal_author", _("Revealed who wrote an anonymous post")
    CLOSE_ITEM = "close_item", _("Closed a queue item")
    MESSAGE_MEMBER = "message_member", _("Wrote to a member")
    READ_REPORTED_MESSAGES = (
        "read_reported_messages",
        _("Read messages reported from a conversation"),
    )


class AuditEntry(models.Model):
    """One moderator action, written in the same transaction as the action itself."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=50)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    target_type = models.CharField(max_length=20)
    target_id = models.BigIntegerField()
    target_label = models.CharField(max_length=250)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The category the target was in when the action was taken: a moderator of
    # some categories reads only their entries. None (members, messages): only
    # moderators of the whole community read it.
    category_id = models.BigIntegerField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_by_target"),
            models.Index(fields=["category_id", "-id"], name="audit_by_category"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name}: {self.get_action_display()} ({self.target_label})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            message = "Audit entries cannot be changed."
            raise AppendOnlyError(message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        message = "Audit entries cannot be deleted."
        raise AppendOnlyError(message)


class SanctionKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")
    PARTIAL_SUSPENSION = "partial", _("Partial suspension")


class Sanction(models.Model):
    """The history behind a member's current suspension fields (accounts.User)."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=SanctionKind.choices)
    reason = models.TextField()
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.member_id}"


class ModeratorNotice(models.Model):
    """A private message from the moderators to one member: what was done, and why."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    post_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject
