"""Check-ins from peers, as domain events (``hearth.core.events``): ids and a date only."""

from __future__ import annotations

from dataclasses import dataclass

from hearth.core.events import Event


@dataclass(frozen=True, kw_only=True)
class PeerCheckInAsked(Event):
    """A member asked another to check in during their therapist's break."""

    check_in_id: int
    asker_id: int
    helper_id: int


@dataclass(frozen=True, kw_only=True)
class PeerCheckInDue(Event):
    """One of the chosen days has come for a helper who said yes (published once)."""

    check_in_id: int
    asker_id: int
    helper_id: int
    day: str  # ISO date


@dataclass(frozen=True, kw_only=True)
class PeerCheckInEnded(Event):
    """The request ended (withdrawn, the helper stepped back, a block, the break deleted):
    what the helper was told about it leaves their bell."""

    check_in_id: int
    helper_id: int
