"""The demo members have read and accepted the guidelines in force."""

from __future__ import annotations

from django.db import transaction

from hearth.accounts.demo import DEMO_ADMIN, DEMO_MEMBERS, DEMO_MODERATOR
from hearth.accounts.models import User
from hearth.welcome.selectors import current_guidelines
from hearth.welcome.services import accept_guidelines


@transaction.atomic
def accept_guidelines_for_demo_members() -> list[str]:
    """Record that each demo member accepted the current version (idempotent)."""
    current = current_guidelines()
    if current is None:
        return []
    usernames = [name for name, _, _ in [*DEMO_MEMBERS, DEMO_MODERATOR, DEMO_ADMIN]]
    for member in User.objects.filter(username__in=usernames):
        accept_guidelines(member=member, version=current)
    return [f"Community guidelines: version {current.number}, accepted by the demo members"]
