"""What moderators do that members hear about, as domain events (``hearth.core.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from hearth.core.events import Event


@dataclass(frozen=True, kw_only=True)
class ModeratorNoticeSent(Event):
    """A private notice to one member (what was done to their content and why, a
    warning, a reply to their message)."""

    notice_id: int
    member_id: int
    post_id: int | None
