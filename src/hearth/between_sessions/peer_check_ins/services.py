"""Writes for check-ins from peers: asking, answering, ending, and the daily sweep.

Each write is atomic and publishes its events in the same transaction (the
notifications app turns them into what the helper is told). Nothing here reads or
writes toolkit text.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import MemberMute, User
from hearth.between_sessions.models import PeerCheckIn, PeerCheckInDay, TherapistBreak
from hearth.between_sessions.peer_check_ins.events import (
    PeerCheckInAsked,
    PeerCheckInDue,
    PeerCheckInEnded,
)
from hearth.between_sessions.peer_check_ins.selectors import (
    OPEN_STATES,
    local_date,
    local_time,
)
from hearth.core.events import publish
from hearth.core.providers import may_start_conversation
from hearth.core.templatetags.local_formats import long_date

MOST_HELPERS = 3
MOST_DAYS = 8
# An open-ended break ("return date not known yet") takes days up to a year ahead.
FURTHEST_DAY = datetime.timedelta(days=366)
# The helper is told from this time on the day, in their own time zone.
TELL_FROM = datetime.time(9, 0)
# A day the worker could not tell in time (it was stopped) is let go after this long:
# "check in this week" days later would be wrong.
LET_GO_AFTER = datetime.timedelta(days=2)
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Arrangement:
    """What the asker chose: names of members to ask now, and the days (for everyone)."""

    names: tuple[str, ...]
    days: tuple[datetime.date, ...]


def _refused(name: str) -> str:
    # The same words whatever the reason (a block either way, their message settings,
    # their account): they reveal nothing about the other member.
    return _("You can't ask %(name)s to check in.") % {"name": name}


def _is_blocked_either_way(member: User, other: User) -> bool:
    return MemberMute.objects.filter(
        Q(member=member, muted=other) | Q(member=other, muted=member), is_block=True
    ).exists()


def find_member_to_ask(asker: User, name: str) -> User:
    """The member ``name`` means (a username, with or without "@", or a display name that
    only one member has) if ``asker`` may ask them; raises ValidationError otherwise."""
    wanted = name.strip().removeprefix("@").strip()
    found = User.objects.filter(username__iexact=wanted, is_active=True).first()
    if found is None:
        named = list(User.objects.filter(display_name__iexact=wanted, is_active=True)[:2])
        if len(named) > 1:
            raise ValidationError(
                _(
                    "More than one member is called “%(name)s”: use their username (on their "
                    "profile page, after the @)."
                )
                % {"name": wanted},
                code="ambiguous",
            )
        found = named[0] if named else None
    if found is None:
        raise ValidationError(
            _("There is no member called “%(name)s”.") % {"name": wanted}, code="unknown"
        )
    if found.pk == asker.pk:
        raise ValidationError(_("You can't ask yourself."), code="oneself")
    if _is_blocked_either_way(asker, found) or not may_start_conversation(asker, found):
        raise ValidationError(_refused(found.display_name), code="refused")
    return found


def _check_days(
    therapist_break: TherapistBreak, days: Iterable[datetime.date], today: datetime.date
) -> list[datetime.date]:
    chosen = sorted(set(days))
    if len(chosen) > MOST_DAYS:
        raise ValidationError(
            _("Choose at most %(most)s days.") % {"most": MOST_DAYS}, code="too_many_days"
        )
    first = max(therapist_break.starts_on, today)
    last = (
        therapist_break.back_on - datetime.timedelta(days=1)
        if therapist_break.back_on
        else first + FURTHEST_DAY
    )
    if any(day < first or day > last for day in chosen):
        raise ValidationError(
            _("Choose days within the break, from today on (%(first)s to %(last)s).")
            % {"first": long_date(first), "last": long_date(last)},
            code="day_outside_break",
        )
    return chosen


def is_over(therapist_break: TherapistBreak, today: datetime.date) -> bool:
    """Therapy has resumed: nobody can be asked for this break any more."""
    back = therapist_break.back_on
    return back is not None and back <= today


@transaction.atomic
def arrange_peer_check_ins(
    *, asker: User, therapist_break: TherapistBreak, arrangement: Arrangement
) -> list[PeerCheckIn]:
    """Ask the members named (each is told, and must say yes before anything more
    happens) and set the days for everyone asked for this break who has not said no.

    Days already told stay; days no longer chosen are dropped. Return the new requests.
    Raises ValidationError, as ``{"names": ..., "days": ...}``, when a name or a day
    cannot be taken; nothing is changed then.
    """
    if therapist_break.owner_id != asker.pk:
        raise ValidationError(_("This break is not yours."), code="not_owner")
    today = local_date(asker)
    if is_over(therapist_break, today):
        raise ValidationError(_("This break is over."), code="break_over")
    # One arrangement at a time per break: the count of open requests stays true.
    TherapistBreak.objects.select_for_update().filter(pk=therapist_break.pk).first()
    errors: dict[str, list[ValidationError]] = {"names": [], "days": []}
    try:
        days = _check_days(therapist_break, arrangement.days, today)
    except ValidationError as error:
        errors["days"].append(error)
        days = []
    already = dict(
        PeerCheckIn.objects.filter(therapist_break=therapist_break).values_list(
            "helper_id", "state"
        )
    )
    open_count = sum(1 for state in already.values() if state in OPEN_STATES)
    helpers = _members_to_ask(asker, arrangement.names, set(already), errors["names"])
    if open_count + len(helpers) > MOST_HELPERS:
        errors["names"].append(
            ValidationError(
                _("You can ask up to %(most)s members during one break.") % {"most": MOST_HELPERS},
                code="too_many_helpers",
            )
        )
    if not helpers and not open_count and not errors["names"]:
        errors["names"].append(
            ValidationError(_("Write the name of a member to ask."), code="nobody")
        )
    if (helpers or open_count) and not days and not errors["days"]:
        errors["days"].append(
            ValidationError(_("Choose at least one day to be checked in on."), code="no_days")
        )
    if errors["names"] or errors["days"]:
        raise ValidationError({field: found for field, found in errors.items() if found})

    now = timezone.now()
    try:
        with transaction.atomic():
            created = [
                PeerCheckIn.objects.create(
                    asker=asker, helper=helper, therapist_break=therapist_break, asked_at=now
                )
                for helper in helpers.values()
            ]
    except IntegrityError as error:
        # The same form sent twice at once (a double click): the first one asked.
        raise ValidationError(
            {"names": [_("You have already asked them during this break.")]}
        ) from error
    for check_in in PeerCheckIn.objects.filter(
        therapist_break=therapist_break, state__in=OPEN_STATES
    ):
        _set_days(check_in, days)
    for check_in in created:
        publish(
            PeerCheckInAsked(
                check_in_id=check_in.pk, asker_id=asker.pk, helper_id=check_in.helper_id
            )
        )
    return created


def _members_to_ask(
    asker: User, names: Iterable[str], already_asked: set[int], errors: list[ValidationError]
) -> dict[int, User]:
    """The members ``names`` mean, once each; what cannot be taken goes to ``errors``."""
    helpers: dict[int, User] = {}
    for name in names:
        if not name.strip():
            continue
        try:
            helper = find_member_to_ask(asker, name)
        except ValidationError as error:
            errors.append(error)
            continue
        if helper.pk in already_asked:
            errors.append(
                ValidationError(
                    _("You have already asked %(name)s during this break.")
                    % {"name": helper.display_name},
                    code="already_asked",
                )
            )
            continue
        helpers[helper.pk] = helper
    return helpers


def _set_days(check_in: PeerCheckIn, days: list[datetime.date]) -> None:
    waiting = PeerCheckInDay.objects.filter(
        check_in=check_in, sent_at__isnull=True, skipped_at__isnull=True
    )
    waiting.exclude(day__in=days).delete()
    present = set(PeerCheckInDay.objects.filter(check_in=check_in).values_list("day", flat=True))
    PeerCheckInDay.objects.bulk_create(
        PeerCheckInDay(check_in=check_in, day=day) for day in days if day not in present
    )


def _end(check_in: PeerCheckIn, state: str, now: datetime.datetime) -> None:
    """End an open request: its waiting days go, and the helper's bell forgets it."""
    PeerCheckIn.objects.filter(pk=check_in.pk).update(state=state, ended_at=now)
    check_in.state = state
    check_in.ended_at = now
    PeerCheckInDay.objects.filter(
        check_in=check_in, sent_at__isnull=True, skipped_at__isnull=True
    ).delete()
    publish(PeerCheckInEnded(check_in_id=check_in.pk, helper_id=check_in.helper_id))


@transaction.atomic
def withdraw_peer_check_ins(
    *, asker: User, therapist_break: TherapistBreak, check_in_id: int | None = None
) -> int:
    """End the asker's open requests for this break (or only ``check_in_id``); return how
    many ended. The helpers are told nothing more than that the request ended: what they
    were told of it leaves their bell, and its page says it has ended."""
    found = PeerCheckIn.objects.select_for_update().filter(
        asker=asker, therapist_break=therapist_break, state__in=OPEN_STATES
    )
    if check_in_id is not None:
        found = found.filter(pk=check_in_id)
    now = timezone.now()
    ended = list(found)
    for check_in in ended:
        _end(check_in, PeerCheckIn.State.WITHDRAWN, now)
    return len(ended)


@transaction.atomic
def answer_peer_check_in(*, helper: User, check_in: PeerCheckIn, accept: bool) -> PeerCheckIn:
    """Say yes or no to a request. Only a request still waiting for an answer changes (a
    second click changes nothing); a block either way since it was made ends it."""
    locked = (
        PeerCheckIn.objects.select_for_update(of=("self",))
        .select_related("asker")
        .get(pk=check_in.pk)
    )
    if locked.helper_id != helper.pk or locked.state != PeerCheckIn.State.ASKED:
        return locked
    now = timezone.now()
    if _is_blocked_either_way(locked.asker, helper) or not locked.asker.is_active:
        _end(locked, PeerCheckIn.State.STOPPED, now)
        return locked
    locked.state = PeerCheckIn.State.ACCEPTED if accept else PeerCheckIn.State.DECLINED
    locked.answered_at = now
    if not accept:
        locked.ended_at = now
        PeerCheckInDay.objects.filter(check_in=locked, sent_at__isnull=True).delete()
    locked.save(update_fields=["state", "answered_at", "ended_at"])
    return locked


@transaction.atomic
def stop_peer_check_in(*, helper: User, check_in: PeerCheckIn) -> PeerCheckIn:
    """The helper steps back (a request not yet answered is declined instead). Nothing
    more is sent; the asker's page says only that they are no longer checking in."""
    locked = PeerCheckIn.objects.select_for_update().get(pk=check_in.pk)
    if locked.helper_id != helper.pk:
        return locked
    if locked.state == PeerCheckIn.State.ASKED:
        return answer_peer_check_in(helper=helper, check_in=locked, accept=False)
    if locked.state == PeerCheckIn.State.ACCEPTED:
        _end(locked, PeerCheckIn.State.STOPPED, timezone.now())
    return locked


def end_peer_check_ins_of_breaks(breaks: QuerySet[TherapistBreak]) -> int:
    """Before these breaks are deleted: end their open requests (the rows then go with
    the breaks). Call inside the deleting transaction."""
    found = PeerCheckIn.objects.select_for_update().filter(
        therapist_break__in=breaks, state__in=OPEN_STATES
    )
    now = timezone.now()
    ended = list(found)
    for check_in in ended:
        _end(check_in, PeerCheckIn.State.WITHDRAWN, now)
    return len(ended)


def fit_days_to_break(therapist_break: TherapistBreak) -> int:
    """After the break's dates changed: drop the waiting days now outside it."""
    outside = Q(day__lt=therapist_break.starts_on)
    if therapist_break.back_on is not None:
        outside |= Q(day__gte=therapist_break.back_on)
    removed, _per_model = PeerCheckInDay.objects.filter(
        outside,
        check_in__therapist_break=therapist_break,
        sent_at__isnull=True,
        skipped_at__isnull=True,
    ).delete()
    return removed


# --- The sweep (housekeeping, every minute) ---------------------------------------------------


def _end_requests_that_cannot_go_on(now: datetime.datetime) -> int:
    """A block either way, or an account closed, ends a request (as "stopped": the asker's
    page says only that the member is no longer checking in)."""
    block = MemberMute.objects.filter(is_block=True).filter(
        Q(member=OuterRef("asker"), muted=OuterRef("helper"))
        | Q(member=OuterRef("helper"), muted=OuterRef("asker"))
    )
    stuck = PeerCheckIn.objects.filter(state__in=OPEN_STATES).filter(
        Exists(block) | Q(asker__is_active=False) | Q(helper__is_active=False)
    )
    ended = 0
    for check_in_id in list(stuck.values_list("pk", flat=True)):
        with transaction.atomic():
            check_in = (
                PeerCheckIn.objects.select_for_update()
                .filter(pk=check_in_id, state__in=OPEN_STATES)
                .first()
            )
            if check_in is not None:
                _end(check_in, PeerCheckIn.State.STOPPED, now)
                ended += 1
    return ended


def send_due_peer_check_ins(now: datetime.datetime | None = None) -> int:
    """Tell each helper who said yes, once, on each chosen day (from ``TELL_FROM`` in their
    time zone); return how many were told or let go. Idempotent: a day is claimed
    (``sent_at``) in the transaction that publishes its event, so a second sweep, or two
    workers at once, tell nobody twice."""
    now = now or timezone.now()
    done = _end_requests_that_cannot_go_on(now)
    # A day begins at most 14 hours ahead of UTC: nothing later can be due yet.
    horizon = (now + datetime.timedelta(hours=14)).date()
    waiting = (
        PeerCheckInDay.objects.filter(
            sent_at__isnull=True,
            skipped_at__isnull=True,
            day__lte=horizon,
            check_in__state=PeerCheckIn.State.ACCEPTED,
        )
        .select_related("check_in__helper")
        .order_by("day", "pk")[:SWEEP_BATCH]
    )
    for each in list(waiting):
        check_in = each.check_in
        there = local_time(check_in.helper, now)
        if there.date() < each.day or (there.date() == each.day and there.time() < TELL_FROM):
            continue
        claimable = PeerCheckInDay.objects.filter(
            pk=each.pk,
            sent_at__isnull=True,
            skipped_at__isnull=True,
            check_in__state=PeerCheckIn.State.ACCEPTED,
        )
        with transaction.atomic():
            if there.date() - each.day > LET_GO_AFTER:
                done += claimable.update(skipped_at=now)
                continue
            if claimable.update(sent_at=now):
                done += 1
                publish(
                    PeerCheckInDue(
                        check_in_id=check_in.pk,
                        asker_id=check_in.asker_id,
                        helper_id=check_in.helper_id,
                        day=each.day.isoformat(),
                    )
                )
    return done
