"""Care and safety: content-note labels, crisis rules and resources, the moderation queue.

This app sits below the forum: the forum calls it with plain values (post
and thread ids), and it never imports the forum.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import global_settings, settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from django_stubs_ext import StrPromise

from hearth.safety.seeded_text import in_readers_language

REVERIFY_AFTER = timedelta(days=365)


def crisis_rule_languages() -> list[tuple[str, StrPromise]]:
    """Every language Django knows: a crisis rule is about the words members write, in
    whatever language, not about the interface languages Hearth offers (settings.LANGUAGES).
    A callable, so the migrations never hold the list."""
    return [(code, _(name)) for code, name in global_settings.LANGUAGES]


class ContentNoteLabel(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(_("offered to authors"), default=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("content-note label")

    def __str__(self) -> str:
        return in_readers_language(self.name)


class NoteChoice(models.TextChoices):
    COLLAPSE = "collapse", _("Fold it away until I choose to read it")
    SHOW = "show", _("Always show it")
    HIDE = "hide", _("Hide threads carrying it from my lists")


class ContentNotePreference(models.Model):
    """A member's choice for one label; without a row the choice is "collapse"."""

    # A member's reading choices: never listed to an administrator (see accounts.admin).
    is_private_trace = True
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    label = models.ForeignKey(ContentNoteLabel, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(
        max_length=10, choices=NoteChoice.choices, default=NoteChoice.COLLAPSE
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "label"], name="unique_note_preference")
        ]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.label_id} -> {self.choice}"


class CrisisRule(models.Model):
    """One phrase (or pattern) the crisis-signal checker looks for; see crisis_matching."""

    language = models.CharField(
        _("language"), max_length=8, choices=crisis_rule_languages, default="en"
    )
    # What moderators read in the queue ("Matched: Wanting to die"); the pattern
    # itself stays behind "Rule details", since a regular expression is no name.
    name = models.CharField(
        _("name"),
        max_length=80,
        help_text=_("A few plain words moderators see in the queue, e.g. 'Wanting to die'."),
    )
    pattern = models.CharField(
        _("phrase"),
        max_length=200,
        help_text=_(
            "Words to look for, any case. A * at the end of a word matches its endings "
            "(hurt* = hurt, hurting); [word] is optional. Quoted text and negated phrases "
            '("I would never ...") are skipped.'
        ),
    )
    is_regex = models.BooleanField(_("regular expression"), default=False)
    is_method = models.BooleanField(
        _("method or means"),
        default=False,
        help_text=_("Raises the check-in's priority and folds the post under a content note."),
    )
    description = models.CharField(_("what it is for"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    fired_count = models.PositiveIntegerField(_("times it fired"), default=0, editable=False)
    dismissed_count = models.PositiveIntegerField(
        _("check-ins dismissed as not needed"), default=0, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["language", "pattern"]
        verbose_name = _("crisis-signal rule")
        constraints = [
            models.UniqueConstraint(fields=["language", "pattern"], name="unique_crisis_rule")
        ]

    def __str__(self) -> str:
        return self.name or self.pattern


class EmergencyNumber(models.Model):
    country = CountryField(unique=True)
    number = models.CharField(max_length=20)
    source_url = models.URLField(_("source"), max_length=500)
    verified_at = models.DateField(_("verified on"))

    class Meta:
        ordering = ["country"]

    def __str__(self) -> str:
        return f"{self.country}: {self.number}"


class CrisisResource(models.Model):
    """A crisis line or service, checked against its provider's own site (CARE.md)."""

    country = CountryField()
    name = models.CharField(max_length=120)
    phone = models.CharField(max_length=40, blank=True)
    text = models.CharField(_("text (SMS)"), max_length=80, blank=True)
    chat_url = models.URLField(max_length=500, blank=True)
    website_url = models.URLField(max_length=500, blank=True)
    hours = models.CharField(max_length=120, blank=True)
    languages = models.CharField(max_length=80, blank=True, help_text=_("Comma-separated."))
    is_free = models.BooleanField(_("free to contact"), null=True, blank=True)
    verified_at = models.DateField(_("verified on"))
    source_url = models.URLField(_("source"), max_length=500)
    notes = models.TextField(blank=True, help_text=_("For administrators only."))
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Untick to retire it."))
    priority = models.PositiveSmallIntegerField(default=100, help_text=_("Lower shows first."))

    class Meta:
        ordering = ["country", "priority", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"

    @property
    def needs_reverification(self) -> bool:
        return self.verified_at < timezone.localdate() - REVERIFY_AFTER


class QueueKind(models.TextChoices):
    REPORT = "report", _("Report")
    CHECK_IN = "check_in", _("Check-in")
    HELD_POST = "held_post", _("Held post")
    MEMBER_MESSAGE = "member_message", _("Message to moderators")


class ReportReason(models.TextChoices):
    WORRIED = "worried", _("I'm worried about this person")
    UNKIND = "unkind", _("Unkind, hostile or harassing")
    UNSAFE_DETAIL = "unsafe_detail", _("Detail that could put others at risk")
    PRIVACY = "privacy", _("Shares someone's private information")
    SPAM = "spam", _("Spam or advertising")
    OTHER = "other", _("Something else")


class QueueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Resolution(models.TextChoices):
    HANDLED = "handled", _("Handled")
    NOT_NEEDED = "not_needed", _("Not needed (the rule misfired)")
    NO_ACTION = "no_action", _("No action needed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class QueueItem(models.Model):
    """Something waiting for a moderator. Items are about posts, never scores on people.

    Posts, threads and conversation messages are referred to by id (plain values),
    so this app never depends on the forum or on conversations.
    """

    kind = models.CharField(max_length=20, choices=QueueKind.choices)
    status = models.CharField(max_length=10, choices=QueueStatus.choices, default=QueueStatus.OPEN)
    priority = models.PositiveSmallIntegerField(default=0, help_text=_("Higher first."))
    category_id = models.BigIntegerField(null=True, blank=True)
    post_id = models.BigIntegerField(null=True, blank=True)
    thread_id = models.BigIntegerField(null=True, blank=True)
    # A message of a private conversation (reports, and check-ins the writer asked for).
    # Only its id: what moderators may read of it is decided by the conversations app.
    message_id = models.BigIntegerField(null=True, blank=True)
    # Reports: who reported whom. The reporter is never shown to the reported.
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reported_member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=20, choices=ReportReason.choices, blank=True)
    details = models.TextField(blank=True)
    # Check-ins: which rules matched (ids) and whether the writer asked for one.
    rule_ids = models.JSONField(default=list, blank=True)
    matched_text = models.CharField(max_length=200, blank=True)
    asked_for_check_in = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["-priority", "created_at"]
        indexes = [
            models.Index(fields=["status", "-priority", "created_at"], name="queue_open_order"),
            models.Index(fields=["post_id", "kind"], name="queue_by_post"),
        ]
        constraints = [
            # A message's writer asks for a check-in once; asking again finds the same item.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=models.Q(kind="check_in", message_id__isnull=False),
                name="one_check_in_per_message",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
