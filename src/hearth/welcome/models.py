"""The community guidelines, who accepted which version, and the welcome owed to a new member.

A published version is never changed: administrators publish a new one, with a short
note of what changed, and every member is asked to read and accept it
(``hearth.welcome.gate``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WHAT_CHANGED_MAX_LENGTH = 500


class GuidelinesVersion(models.Model):
    number = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    body = models.TextField(
        _("guidelines"),
        help_text=_(
            "Markdown, as in posts (no HTML). Start each section with “# ”: on the page "
            "it sits below the page's own headings."
        ),
    )
    body_html = models.TextField(editable=False)
    render_version = models.PositiveSmallIntegerField(default=0, editable=False)
    what_changed = models.CharField(
        _("what changed"),
        max_length=WHAT_CHANGED_MAX_LENGTH,
        help_text=_(
            "A sentence or two for members, shown above the guidelines and on the page that "
            "asks them to accept this version."
        ),
    )
    published_at = models.DateTimeField(_("published"), default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = _("community guidelines version")
        verbose_name_plural = _("community guidelines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="guidelines_number_gte_1"
            )
        ]

    def __str__(self) -> str:
        return str(_("Version %(number)s") % {"number": self.number})

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Members accepted this text: it is never changed, only followed by a new version
        # (hearth.welcome.services.publish_guidelines).
        if not self._state.adding:
            message = "A published guidelines version is never changed: publish a new one."
            raise ValueError(message)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("welcome:guidelines")


class GuidelinesAcceptance(models.Model):
    """A member read and accepted one version: at sign-up, or when asked again."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(GuidelinesVersion, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    at_sign_up = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "version"], name="one_acceptance_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} accepted {self.version_id}"


class Welcome(models.Model):
    """The welcome page a member who signed up is owed, once: shown_at says when they saw it."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    shown_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"welcome for {self.member_id}"
