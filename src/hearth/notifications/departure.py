"""What others' notifications keep of a member whose account is deleted.

Their own notifications go with the account. Others' notifications of what the
member did are withdrawn if what they did was removed, or name "Former member" if
it was kept. Grouped reactions are counted again by the events their withdrawal
publishes (``forum.services.withdraw_reactions_of``).
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from hearth.accounts.models import User
from hearth.core.text.anonymising import FORMER_MEMBER
from hearth.notifications.delivery import withdraw
from hearth.notifications.models import Kind, Notification


def recipients_touched_by(member: User) -> set[int]:
    """Who holds notifications the deletion may change or remove (their threads and
    posts may go with it): read before the deletion, recounted after."""
    touched = Notification.objects.filter(
        Q(actor=member) | Q(thread__author=member) | Q(post__author=member)
    ).exclude(recipient=member)
    return set(touched.values_list("recipient_id", flat=True))


def forget_actor(member: User, *, removed_post_ids: Collection[int] | None) -> None:
    """``removed_post_ids``: the member's removed posts, or None if they were kept."""
    # A request to check in ends with the account that made it, whatever the choice.
    withdraw(Notification.objects.filter(actor=member, kind=Kind.PEER_CHECK_IN))
    if removed_post_ids is None:
        Notification.objects.filter(actor=member).update(actor_name=FORMER_MEMBER)
        return
    withdraw(
        Notification.objects.filter(
            (Q(actor=member) & ~Q(kind=Kind.REACTION)) | Q(post_id__in=removed_post_ids)
        )
    )
