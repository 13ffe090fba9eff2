"""Members: the custom user model, in the first migration from day one."""

import uuid
import zoneinfo
from collections.abc import Collection
from datetime import datetime
from functools import cache
from pathlib import PurePosixPath
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from hearth.accounts.member_cache import forget_members
from hearth.accounts.member_cache import is_enabled as member_cache_is_enabled
from hearth.core import page_cache

DISPLAY_NAME_MAX_LENGTH = 50
BIO_MAX_LENGTH = 500


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def language_choices() -> list[tuple[str, str]]:
    """The interface languages a member may choose (settings.LANGUAGES, read when asked:
    the migrations never hold the list), each by its own name ("Deutsch"), so a member
    who chose one they cannot read still finds theirs."""
    choices = []
    for code, name in settings.LANGUAGES:
        try:
            choices.append((code, str(get_language_info(code)["name_local"])))
        except KeyError:  # a language Django has no table entry for
            choices.append((code, str(name)))
    return choices


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list."), code="invalid_time_zone")


def avatar_upload_path(instance: "User", filename: str) -> str:
    """Name avatars randomly: the uploaded file name may identify someone."""
    suffix = PurePosixPath(filename).suffix.lower() or ".webp"
    return f"avatars/{uuid.uuid4().hex}{suffix}"


# What other members see of someone on every post: a change must reach cached pages,
# so it bumps ``profile_version`` (the key of every cached fragment showing the member).
PUBLIC_PROFILE_FIELDS = frozenset({"username", "display_name", "avatar", "is_active"})


class MemberQuerySet(models.QuerySet["User"]):
    def update(self, **kwargs: Any) -> int:
        """An update that touches what others see bumps ``profile_version`` too; the
        members it changed are no longer trusted from the member cache."""
        if PUBLIC_PROFILE_FIELDS.intersection(kwargs):
            kwargs.setdefault("profile_version", models.F("profile_version") + 1)
            page_cache.site_changed()  # a name or avatar on pages shared with visitors
        changed = self._ids_for_the_member_cache()
        updated = super().update(**kwargs)
        forget_members(changed)
        return updated

    def delete(self) -> tuple[int, dict[str, int]]:
        gone = self._ids_for_the_member_cache()
        deleted = super().delete()
        forget_members(gone)
        return deleted

    def _ids_for_the_member_cache(self) -> list[int]:
        if not member_cache_is_enabled():
            return []
        return list(self.values_list("pk", flat=True))


class MemberManager(UserManager["User"]):
    """Django's user manager (create_user, ...), on a queryset that keeps versions right."""

    def get_queryset(self) -> MemberQuerySet:
        return MemberQuerySet(self.model, using=self._db)


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    MODERATOR = "moderator", _("Moderator")
    ADMINISTRATOR = "administrator", _("Administrator")


# "Time to reconsider": the delays a member may give their new posts, in minutes.
POST_DELAY_CHOICES = [(0, _("Off")), (1, _("1 minute")), (5, _("5 minutes")), (10, _("10 minutes"))]


class User(AbstractUser):
    """A member. Real names are deliberately not stored: members use pseudonyms."""

    first_name = None  # type: ignore[assignment]  # Hearth never asks for real names
    last_name = None  # type: ignore[assignment]

    display_name = models.CharField(
        _("display name"),
        max_length=DISPLAY_NAME_MAX_LENGTH,
        help_text=_("Shown with everything you write. A pseudonym is best."),
    )
    bio = models.TextField(_("about me"), max_length=BIO_MAX_LENGTH, blank=True)
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_path, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )
    language = models.CharField(_("language"), max_length=8, choices=language_choices, default="en")
    role = models.CharField(
        _("role"),
        max_length=16,
        choices=Role.choices,
        default=Role.MEMBER,
        help_text=_(
            "Moderators moderate every category unless they are assigned to particular ones."
        ),
    )
    replies_newest_first = models.BooleanField(
        _("show replies newest first"),
        default=False,
        help_text=_("Replies are shown oldest to newest unless you choose otherwise."),
    )
    # "Time to reconsider": how long a new post waits, seen only by its author, before it
    # goes live (hearth.forum.pending). The composer can choose otherwise for one post.
    post_delay_minutes = models.PositiveSmallIntegerField(
        _("time to reconsider"),
        choices=POST_DELAY_CHOICES,
        default=0,
        help_text=_("How long your new posts wait, seen only by you, before others can read them."),
    )
    country = CountryField(
        _("country"),
        default=settings.HEARTH_DEFAULT_COUNTRY,
        help_text=_(
            "Used to show you crisis lines for where you live. Never guessed from your address."
        ),
    )
    receives_check_ins = models.BooleanField(
        _("show me check-in requests"),
        default=True,
        help_text=_(
            "For moderators: crisis check-ins can be heavy. Turn this off to leave them to others."
        ),
    )
    # A suspension, kept here so every permission check can read it without
    # a query; the moderation app keeps the history and the reasons.
    suspended_until = models.DateTimeField(null=True, blank=True, editable=False)
    suspension_is_partial = models.BooleanField(default=False, editable=False)
    # Counted here so every page's menu can show it without a query.
    unread_notices = models.PositiveIntegerField(default=0, editable=False)
    # The bell's count, kept equal to the unread notifications by
    # hearth.notifications.delivery.recount_unread (0 during a break).
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)
    # Bumped whenever what others see of a member (name, avatar) changes, so
    # cached fragments that show the member can be keyed by it.
    profile_version = models.PositiveIntegerField(default=1, editable=False)
    # Words and phrases whose posts and thread titles are folded for this member
    # (hearth.accounts.muted_words). Here, not in a table of their own, because every
    # page that folds them has loaded the member's row already: they cost no query.
    muted_words = models.JSONField(default=list, blank=True, editable=False)
    # "Take a break": until then the forum, notifications and emails pause for the
    # member (hearth.notifications.middleware). Here so every request can ask it without a
    # query, like a suspension -- but a break is the member's own choice, never a sanction.
    break_until = models.DateTimeField(null=True, blank=True, editable=False)
    # The break ended (by date or early) and the member has not yet seen the gentle
    # "Welcome back" page, shown once on their next forum page.
    welcome_back_pending = models.BooleanField(default=False, editable=False)

    objects: ClassVar[MemberManager] = MemberManager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(display_name=""), name="user_display_name_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any
    ) -> "User":
        member: User = super().from_db(db, field_names, values, **kwargs)
        # What others saw when it was loaded: save() compares, to bump the version.
        member._loaded_public_profile = member._public_profile()
        return member

    def _public_profile(self) -> tuple[object, ...]:
        deferred = self.get_deferred_fields()
        return tuple(
            None if name in deferred else str(getattr(self, name))
            for name in sorted(PUBLIC_PROFILE_FIELDS)
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; when what others see of the member changed, bump ``profile_version``."""
        if not self.display_name:
            self.display_name = self.username
        loaded = getattr(self, "_loaded_public_profile", None)
        changed = loaded is not None and loaded != self._public_profile()
        update_fields = kwargs.get("update_fields")
        if changed and not isinstance(self.profile_version, models.expressions.Combinable):
            self.profile_version = models.F("profile_version") + 1
            page_cache.site_changed()  # a name or avatar on pages shared with visitors
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "profile_version"}
        super().save(*args, **kwargs)
        forget_members([self.pk])
        if isinstance(self.profile_version, models.expressions.Combinable):
            self.refresh_from_db(fields=["profile_version"])
        self._loaded_public_profile = self._public_profile()

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        member_id = self.pk
        deleted = super().delete(*args, **kwargs)
        forget_members([member_id])
        return deleted

    @property
    def is_administrator(self) -> bool:
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    @property
    def is_moderator_or_administrator(self) -> bool:
        return self.is_administrator or self.role == Role.MODERATOR

    def suspension_in_force(self, now: datetime) -> bool:
        return self.suspended_until is not None and self.suspended_until > now

    def is_on_break(self, now: datetime) -> bool:
        return self.break_until is not None and self.break_until > now

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", kwargs={"username": self.username})


class MemberMute(models.Model):
    """I no longer see this member's posts (collapsed); they are not told."""

    # Never listed to an administrator (see accounts.admin): a mute is private.
    is_private_trace = True

    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    is_block = models.BooleanField(
        default=False,
        help_text=_("A block is a mute that also stops mentions, replies and messages from them."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "muted"], name="unique_member_mute"),
            models.CheckConstraint(
                condition=~models.Q(member=models.F("muted")), name="no_self_mute"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {'blocks' if self.is_block else 'mutes'} {self.muted_id}"
