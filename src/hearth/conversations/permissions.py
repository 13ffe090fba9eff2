"""Who may write to whom. One reason function per question, as in the forum."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import MemberMute, User
from hearth.between_sessions.peer_check_ins.selectors import has_asked_to_be_checked_in_by
from hearth.conversations.models import AllowFrom, MessagingSettings
from hearth.forum.models import Post


def cannot_message_text() -> str:
    # The same words for every reason (a block, their choice, their account): they
    # reveal nothing about the other member.
    return _("You can't message this member.")


def is_new_member(member: User, now: datetime) -> bool:
    return now - member.date_joined < timedelta(days=settings.HEARTH_NEW_MEMBER_DAYS)


def allow_from_for(member: User, now: datetime) -> str:
    chosen = (
        MessagingSettings.objects.filter(member=member).values_list("allow_from", flat=True).first()
    )
    if chosen:
        return chosen
    return AllowFrom.NOBODY if is_new_member(member, now) else AllowFrom.REPLIED


def has_replied_to(member: User, other: User) -> bool:
    """``member`` wrote a reply after ``other`` in some thread (neither post deleted)."""
    earlier = Post.objects.filter(
        thread_id=OuterRef("thread_id"),
        author=other,
        is_deleted=False,
        position__lt=OuterRef("position"),
    )
    return Post.objects.filter(author=member, is_deleted=False).filter(Exists(earlier)).exists()


def why_cannot_start_with(sender: User, recipient: User, now: datetime | None = None) -> str | None:
    """Why ``sender`` may not start a conversation with ``recipient`` (None: they may)."""
    now = now or timezone.now()
    if recipient.pk == sender.pk or not recipient.is_active:
        return cannot_message_text()
    if recipient.is_moderator_or_administrator:
        return None  # the moderators can always be written to, suspended or not
    if sender.suspension_in_force(now):
        return _("While your account is suspended you can write only to the moderators.")
    if reason := _why_blocked(sender, recipient):
        return reason
    if sender.is_moderator_or_administrator:
        return None
    return _why_not_by_their_choice(sender, recipient, now)


def _why_blocked(sender: User, recipient: User) -> str | None:
    """A block either way stops messages (one query): the blocked member reads only the
    neutral refusal; the blocker is reminded that they blocked."""
    blockers = set(
        MemberMute.objects.filter(
            Q(member=recipient, muted=sender) | Q(member=sender, muted=recipient), is_block=True
        ).values_list("member_id", flat=True)
    )
    if recipient.pk in blockers:
        return cannot_message_text()
    if sender.pk in blockers:
        return _("You have blocked this member. Unblock them first to write to them.")
    return None


def _why_not_by_their_choice(sender: User, recipient: User, now: datetime) -> str | None:
    if has_asked_to_be_checked_in_by(recipient, sender, now):
        return None  # they asked this member to check in during their therapist's break
    allow_from = allow_from_for(recipient, now)
    if allow_from == AllowFrom.NOBODY:
        return cannot_message_text()
    if allow_from == AllowFrom.REPLIED and not has_replied_to(recipient, sender):
        return cannot_message_text()
    return None


def why_cannot_write_in(
    sender: User, others: list[User], now: datetime | None = None
) -> str | None:
    """Why ``sender`` may not send a message to a conversation's other current
    participants ``others`` (None: they may)."""
    now = now or timezone.now()
    if not others:
        return _("Nobody else is left in this conversation.")
    with_moderator = any(other.is_moderator_or_administrator for other in others)
    if sender.suspension_in_force(now) and not with_moderator:
        return _("While your account is suspended you can write only to the moderators.")
    if len(others) == 1 and not with_moderator:
        (other,) = others
        # Both ways, as for starting one: a blocker writing on would leave the member they
        # blocked unable to answer, which would tell them.
        return _why_blocked(sender, other)
    return None


def conversations_started_today(sender: User, now: datetime) -> int:
    from hearth.conversations.models import Conversation  # noqa: PLC0415 - beside the rule

    return Conversation.objects.filter(
        started_by=sender, created_at__gte=now - timedelta(days=1)
    ).count()


def why_cannot_start_more(sender: User, now: datetime | None = None) -> str | None:
    """New members may start only a few conversations a day (CARE.md: protection from
    accounts made to harass)."""
    now = now or timezone.now()
    if sender.is_moderator_or_administrator or not is_new_member(sender, now):
        return None
    most = settings.HEARTH_NEW_MEMBER_CONVERSATIONS_PER_DAY
    if conversations_started_today(sender, now) >= most:
        return _(
            "In your first days you can start %(most)s conversations a day. You can still "
            "reply in the ones you have."
        ) % {"most": most}
    return None
