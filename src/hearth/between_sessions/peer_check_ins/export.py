"""A member's check-ins from peers, for their data export (``hearth.member_data``): those
they asked for and those they were asked, each with the other member, the answer and
the days. Never the break a request belongs to, nor anything from the toolkit."""

from __future__ import annotations

from typing import Any

from hearth.accounts.models import User
from hearth.between_sessions.models import PeerCheckIn

# The models and member relations this export follows (``member_data.coverage`` form).
COVERS: dict[str, tuple[str, ...]] = {"between_sessions.PeerCheckIn": ("asker", "helper")}


def _row(check_in: PeerCheckIn, other: User) -> dict[str, Any]:
    return {
        "member": {"username": other.username, "display_name": other.display_name},
        "state": check_in.state,
        "asked_at": check_in.asked_at,
        "answered_at": check_in.answered_at,
        "ended_at": check_in.ended_at,
        "days": [
            {
                "day": each.day,
                "told_at": each.sent_at,
                "let_go_at": each.skipped_at,
            }
            for each in check_in.days.all()
        ],
    }


def peer_check_ins_export_for(member: User) -> dict[str, Any]:
    found = PeerCheckIn.objects.prefetch_related("days").order_by("asked_at", "pk")
    return {
        "you_asked": [
            _row(check_in, check_in.helper)
            for check_in in found.filter(asker=member).select_related("helper")
        ],
        "you_were_asked": [
            _row(check_in, check_in.asker)
            for check_in in found.filter(helper=member).select_related("asker")
        ],
    }
