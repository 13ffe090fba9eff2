"""Notifications, as domain events (``hearth.core.events``)."""

from __future__ import annotations

from dataclasses import dataclass

from hearth.core.events import Event


@dataclass(frozen=True, kw_only=True)
class UnreadCountChanged(Event):
    """The bell's count was set again for these members (it may or may not have moved):
    open pages show it without a reload (``hearth.live``)."""

    member_ids: list[int]
