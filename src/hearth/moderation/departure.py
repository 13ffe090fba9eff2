"""What the moderation records keep of a member whose account is deleted.

Sanctions and notices are theirs and go with the account. The audit trail stays --
what was done, when, and to which post -- but stops naming them: as the moderator
who acted, as the member acted on, and (when their posts are removed) in the
before-and-after of their posts' text.
"""

from __future__ import annotations

from collections.abc import Collection

from hearth.accounts.models import User
from hearth.core.text.anonymising import FORMER_MEMBER
from hearth.moderation.models import AuditEntry


def redact_audit_trail(member: User, *, removed_post_ids: Collection[int]) -> None:
    AuditEntry.objects.filter(actor=member).redact(actor_name=FORMER_MEMBER)
    AuditEntry.objects.filter(target_type="member", target_id=member.pk).redact(
        target_label=FORMER_MEMBER
    )
    if removed_post_ids:
        AuditEntry.objects.filter(target_type="post", target_id__in=removed_post_ids).redact(
            target_label="A post removed by its author", before={}, after={}
        )
