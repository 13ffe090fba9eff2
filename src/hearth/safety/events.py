"""Check-ins, as domain events (``hearth.core.events``): ids only, never the text."""

from __future__ import annotations

from dataclasses import dataclass

from hearth.core.events import Event


@dataclass(frozen=True, kw_only=True)
class CheckInAnswered(Event):
    """A moderator closed a crisis check-in as handled: the writer was checked in with."""

    item_id: int
    post_id: int | None
    moderator_id: int
    asked_for_check_in: bool


@dataclass(frozen=True, kw_only=True)
class CheckInRequested(Event):
    """The writer asked for a moderator to check in with them."""

    item_id: int
    post_id: int | None
    category_id: int | None


@dataclass(frozen=True, kw_only=True)
class ReportFiled(Event):
    """A member reported a post or a member to the moderators (never told to the reported)."""

    item_id: int
    category_id: int | None
    reporter_id: int
