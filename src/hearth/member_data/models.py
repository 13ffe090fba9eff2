"""A member's data export requests and account deletion requests."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Could not be prepared")


class DataExport(models.Model):
    """One archive of everything a member wrote and chose, built by a task.

    The file lives in ``HEARTH_DATA_DIR/exports`` under a random name, readable by
    Hearth only; the member alone may download it, until ``expires_at``.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    include_toolkit = models.BooleanField(default=False)
    state = models.CharField(max_length=8, choices=ExportState.choices, default=ExportState.QUEUED)
    requested_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=80, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["member", "-requested_at"], name="export_member_recent")]

    def __str__(self) -> str:
        return f"Export {self.pk} for member {self.member_id} ({self.state})"

    @property
    def file_path(self) -> Path | None:
        """Where the archive is (or will be), or None before it has a name."""
        if not self.file_name:
            return None
        return exports_directory() / self.file_name


def exports_directory() -> Path:
    path: Path = settings.DATA_DIR / "exports"
    return path


class PostsChoice(models.TextChoices):
    REMOVE = "remove", _("Remove my posts")
    KEEP = "keep", _("Keep my posts under “Former member”")


class AccountDeletion(models.Model):
    """A member asked to leave. Signing in before ``due_at`` cancels it; after, a
    housekeeping job deletes the account (``member_data.deletion``)."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    posts = models.CharField(max_length=8, choices=PostsChoice.choices)
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="account_deletion_due")]

    def __str__(self) -> str:
        return f"Deletion of member {self.member_id} due {self.due_at:%Y-%m-%d}"
