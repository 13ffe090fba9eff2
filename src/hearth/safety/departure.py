"""What the moderation queue keeps of a member whose account is deleted.

Check-ins about them go: they were private signals about their moments, and there
is no one left to check in with. What they wrote to the moderators, and their
words in reports they filed, go if they chose to remove what they wrote; the
reports themselves stay (with no reporter) for the moderators to finish.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Q

from hearth.accounts.models import User
from hearth.safety.models import QueueItem, QueueKind


def forget_queue_items_of(
    member: User,
    *,
    post_ids: Collection[int],
    message_ids: Collection[int],
    remove_their_words: bool,
) -> None:
    """``post_ids`` and ``message_ids``: everything the member wrote."""
    about_them = Q(reported_member=member) | Q(post_id__in=post_ids) | Q(message_id__in=message_ids)
    QueueItem.objects.filter(about_them, kind=QueueKind.CHECK_IN).delete()
    if remove_their_words:
        QueueItem.objects.filter(kind=QueueKind.HELD_POST, post_id__in=post_ids).delete()
        QueueItem.objects.filter(kind=QueueKind.MEMBER_MESSAGE, reporter=member).delete()
        QueueItem.objects.filter(kind=QueueKind.REPORT, reporter=member).update(details="")
