"""Personal access tokens: how a member's own programs use the JSON API."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_NAME_MAX_LENGTH = 80


class Scope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class AccessToken(models.Model):
    """A bearer token a member made in their settings.

    The token itself is shown once, when it is made, and never stored: only its
    SHA-256 ``digest`` (a lookup key: the token is 256 random bits, so no salt or
    slow hash is needed) and a short ``prefix`` that lets the member tell their
    tokens apart. Every token expires; a revoked one stays listed until it would
    have expired, so the member can see what they turned off.
    """

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=TOKEN_NAME_MAX_LENGTH)
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["member", "-created_at"], name="access_token_member")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="access_token_expires"
            )
        ]

    def __str__(self) -> str:
        return f"Access token {self.prefix}… of member {self.member_id}"

    def is_usable_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > moment

    @property
    def allows_writing(self) -> bool:
        return self.scope == Scope.WRITE
