"""Reads of check-ins from peers. A request is seen by its two members only: the asker
(from their break plan in the toolkit) and the helper (``/check-ins/``); for anyone
else it does not exist (404).

Nothing here reads toolkit text: the helper's pages get the asker's name, the state
and the days, never the break the request belongs to.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hearth.accounts.models import User
from hearth.between_sessions.models import PeerCheckIn, PeerCheckInDay, TherapistBreak

OPEN_STATES = (PeerCheckIn.State.ASKED, PeerCheckIn.State.ACCEPTED)
# For this long after the last chosen day, the helper may still start a conversation
# with the asker whatever the asker's message settings (see ``has_asked_to_be_checked_in_by``).
CONVERSATION_GRACE = datetime.timedelta(days=7)


def local_date(member: User, now: datetime.datetime | None = None) -> datetime.date:
    """Today where ``member`` lives (their chosen time zone)."""
    return local_time(member, now).date()


def local_time(member: User, now: datetime.datetime | None = None) -> datetime.datetime:
    try:
        zone: datetime.tzinfo = zoneinfo.ZoneInfo(member.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return timezone.localtime(now or timezone.now(), zone)


def _with_days(check_ins: QuerySet[PeerCheckIn]) -> QuerySet[PeerCheckIn]:
    return check_ins.prefetch_related(
        Prefetch("days", queryset=PeerCheckInDay.objects.order_by("day"))
    )


@dataclass(frozen=True)
class CheckInView:
    """A request as one of its members sees it."""

    check_in: PeerCheckIn
    other: User  # the helper for the asker, the asker for the helper
    is_asker: bool
    upcoming: list[datetime.date]  # chosen days not yet come
    told_on: list[datetime.date]  # days the helper was told

    @property
    def state(self) -> str:
        return self.check_in.state

    @property
    def is_open(self) -> bool:
        return self.check_in.is_open


def _view(check_in: PeerCheckIn, viewer: User, today: datetime.date) -> CheckInView:
    days = list(check_in.days.all())
    is_asker = check_in.asker_id == viewer.pk
    return CheckInView(
        check_in=check_in,
        other=check_in.helper if is_asker else check_in.asker,
        is_asker=is_asker,
        upcoming=[each.day for each in days if each.is_waiting and each.day >= today],
        told_on=[each.day for each in days if each.sent_at is not None],
    )


# --- The asker's side (the toolkit's break pages) -------------------------------------------


def check_ins_of_break(owner: User, therapist_break: TherapistBreak) -> list[CheckInView]:
    """Everyone the owner asked during this break (one of theirs), in the order asked."""
    found = _with_days(
        PeerCheckIn.objects.filter(therapist_break=therapist_break, asker=owner).select_related(
            "helper"
        )
    )
    today = local_date(owner)
    return [_view(check_in, owner, today) for check_in in found]


def chosen_days_of_break(owner: User, therapist_break: TherapistBreak) -> list[datetime.date]:
    """The days still to come for the open requests of this break (one of the owner's)."""
    today = local_date(owner)
    return sorted(
        set(
            PeerCheckInDay.objects.filter(
                check_in__asker=owner,
                check_in__therapist_break=therapist_break,
                check_in__state__in=OPEN_STATES,
                sent_at__isnull=True,
                skipped_at__isnull=True,
                day__gte=today,
            ).values_list("day", flat=True)
        )
    )


# --- The helper's side ---------------------------------------------------------------------


def check_ins_asked_of(helper: User) -> list[CheckInView]:
    """Requests the member received, newest first."""
    found = _with_days(
        PeerCheckIn.objects.filter(helper=helper).select_related("asker").order_by("-asked_at")
    )
    today = local_date(helper)
    return [_view(check_in, helper, today) for check_in in found]


def get_check_in_for_member_or_404(member: User, check_in_id: int) -> CheckInView:
    """A request seen by its asker or its helper; anyone else gets a 404."""
    check_in = (
        _with_days(
            PeerCheckIn.objects.filter(Q(asker=member) | Q(helper=member)).select_related(
                "asker", "helper"
            )
        )
        .filter(pk=check_in_id)
        .first()
    )
    if check_in is None:
        raise Http404
    return _view(check_in, member, local_date(member))


def get_check_in_for_helper_or_404(helper: User, check_in_id: int) -> PeerCheckIn:
    check_in = (
        PeerCheckIn.objects.select_related("asker", "helper")
        .filter(helper=helper, pk=check_in_id)
        .first()
    )
    if check_in is None:
        raise Http404
    return check_in


# --- For other apps ---------------------------------------------------------------------------


def is_waiting_for_an_answer(check_in_id: int) -> bool:
    """For the notification of a request, checked when its task runs."""
    return PeerCheckIn.objects.filter(pk=check_in_id, state=PeerCheckIn.State.ASKED).exists()


def is_accepted(check_in_id: int) -> bool:
    """For the notification of a chosen day, checked when its task runs."""
    return PeerCheckIn.objects.filter(pk=check_in_id, state=PeerCheckIn.State.ACCEPTED).exists()


def has_asked_to_be_checked_in_by(
    asker: User, helper: User, now: datetime.datetime | None = None
) -> bool:
    """``asker`` asked ``helper`` to check in, ``helper`` said yes, and a chosen day is
    still to come or no more than ``CONVERSATION_GRACE`` ago: the conversations app lets
    ``helper`` start a conversation with ``asker`` then, whatever ``asker`` chose about who
    may (blocks still stop it, and end the request)."""
    since = local_date(asker, now) - CONVERSATION_GRACE
    return PeerCheckIn.objects.filter(
        asker=asker,
        helper=helper,
        state=PeerCheckIn.State.ACCEPTED,
        days__day__gte=since,
    ).exists()
