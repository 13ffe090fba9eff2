"""The visibility policy's conversation form: one rule, three forms (like
``hearth.forum.visibility``).

A conversation is seen by its current participants and by nobody else: not a
moderator, not an administrator, not a member who left. What a moderator may
read of a *reported* message is a separate, audited door (``reports.py``).

* **may this viewer see it**: ``can_see_conversation`` (no queries: the
  participant row is loaded with the conversation);
* **the list filter**: ``conversation_filter`` (a ``Q`` on Participant);
* **the audience**: ``conversation_audience`` (who may read it, for
  notifications and live updates).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from hearth.accounts.models import User
from hearth.conversations.models import Conversation, Participant


def can_see_conversation(member_id: int | None, participant: Participant | None) -> bool:
    """``participant`` is the viewer's own row in the conversation (None if they have none)."""
    return (
        member_id is not None
        and participant is not None
        and participant.member_id == member_id
        and participant.left_at is None
    )


def conversation_filter(member_id: int | None) -> Q:
    """``Q`` on Participant: the viewer's own current rows."""
    if member_id is None:
        return Q(pk__in=[])
    return Q(member_id=member_id, left_at__isnull=True)


def conversation_audience(conversation: Conversation) -> QuerySet[User]:
    """The members who may read the conversation now: current participants, active."""
    return User.objects.filter(
        is_active=True,
        pk__in=Participant.objects.filter(conversation=conversation, left_at__isnull=True).values(
            "member_id"
        ),
    )
