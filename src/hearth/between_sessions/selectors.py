"""Owner-scoped reads. Every query here starts from ``<Model>.objects.filter(owner=owner)``.

Nothing in the toolkit is ever fetched any other way: a row that is not the
viewer's own does not exist for them (404), whoever they are.
"""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django_stubs_ext import StrPromise

from hearth.accounts.models import User
from hearth.between_sessions.builtin_cards import (
    BUILT_IN_CARDS,
    BUILT_IN_CARDS_BY_SLUG,
    BuiltInCard,
)
from hearth.between_sessions.models import (
    TOOLKIT_MODELS,
    CopingPlan,
    JournalEntry,
    MemberCard,
    NextSession,
    SessionNote,
    TherapistBreak,
)
from hearth.between_sessions.vocabulary import CORE_OF, feeling_label

# --- journal ---------------------------------------------------------------------------


def journal_entries_for(owner: User) -> QuerySet[JournalEntry]:
    return JournalEntry.objects.filter(owner=owner)


def get_journal_entry_for_owner_or_404(owner: User, pk: int) -> JournalEntry:
    try:
        return journal_entries_for(owner).get(pk=pk)
    except JournalEntry.DoesNotExist as error:
        raise Http404 from error


def journal_entries_on_day(owner: User, day: datetime.date) -> QuerySet[JournalEntry]:
    """Entries made on ``day`` in the member's own time zone."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return journal_entries_for(owner).filter(
        created_at__gte=start, created_at__lt=start + datetime.timedelta(days=1)
    )


@dataclass(frozen=True)
class CalendarDay:
    day: datetime.date | None  # None pads the first and last week
    entry_count: int = 0


@dataclass(frozen=True)
class CalendarMonth:
    first_day: datetime.date
    weeks: list[list[CalendarDay]]
    previous_month: datetime.date
    next_month: datetime.date


def calendar_month_for(owner: User, year: int, month: int) -> CalendarMonth:
    """Return a month of weeks with how many entries the member made each day.

    Reads only the timestamps, never the encrypted text.
    """
    first_day = datetime.date(year, month, 1)
    days_in_month = calendar.monthrange(year, month)[1]
    next_month = first_day + datetime.timedelta(days=days_in_month)
    start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(next_month, datetime.time.min))
    stamps = journal_entries_for(owner).filter(created_at__gte=start, created_at__lt=end)
    counts = Counter(
        timezone.localtime(stamp).date() for stamp in stamps.values_list("created_at", flat=True)
    )
    weeks = [
        [
            CalendarDay(day=day, entry_count=counts[day])
            if day.month == month
            else CalendarDay(None)
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    previous_month = (first_day - datetime.timedelta(days=1)).replace(day=1)
    return CalendarMonth(first_day, weeks, previous_month, next_month)


@dataclass(frozen=True)
class ChartPoint:
    when: datetime.datetime
    feeling: str
    core: str
    intensity: int


def feeling_intensities_since(owner: User, since: datetime.datetime) -> list[ChartPoint]:
    """Every feeling the member rated since ``since``, oldest first, for the chart."""
    entries = (
        journal_entries_for(owner).filter(created_at__gte=since).only("created_at", "feelings")
    )
    points = []
    for entry in entries.order_by("created_at", "pk"):
        for rating in entry.feelings:
            code = str(rating.get("feeling", ""))
            core = CORE_OF.get(code)
            if core is None:
                continue
            points.append(
                ChartPoint(
                    when=entry.created_at,
                    feeling=feeling_label(code),
                    core=core.code,
                    intensity=int(rating.get("intensity", 0)),
                )
            )
    return points


# --- notes for next session -----------------------------------------------------------


def session_notes_for(owner: User) -> QuerySet[SessionNote]:
    return SessionNote.objects.filter(owner=owner)


def get_session_note_for_owner_or_404(owner: User, pk: int) -> SessionNote:
    try:
        return session_notes_for(owner).get(pk=pk)
    except SessionNote.DoesNotExist as error:
        raise Http404 from error


def get_next_session_date(owner: User) -> datetime.date | None:
    return NextSession.objects.filter(owner=owner).values_list("session_on", flat=True).first()


@dataclass(frozen=True)
class NotesSection:
    section: str
    title: StrPromise
    items: list[SessionNote]


@dataclass(frozen=True)
class NextSessionNotes:
    session_on: datetime.date | None
    flagged_entries: list[JournalEntry]
    sections: list[NotesSection]
    excerpts: list[SessionNote]

    @property
    def is_empty(self) -> bool:
        return not (
            self.flagged_entries or self.excerpts or any(section.items for section in self.sections)
        )


def next_session_notes_for(owner: User, *, discussed: bool = False) -> NextSessionNotes:
    """Gather the notes page: flagged entries, the five sections and forum excerpts.

    With ``discussed=True``, the archive of what was already marked discussed.
    """
    entries = journal_entries_for(owner).filter(
        bring_to_session=True, discussed_at__isnull=not discussed
    )
    notes = list(session_notes_for(owner).filter(discussed_at__isnull=not discussed))
    sections = [
        NotesSection(value, label, [note for note in notes if note.section == value])
        for value, label in SessionNote.Section.choices
        if value != SessionNote.Section.FROM_FORUM
    ]
    excerpts = [note for note in notes if note.section == SessionNote.Section.FROM_FORUM]
    return NextSessionNotes(
        session_on=get_next_session_date(owner),
        flagged_entries=list(entries.order_by("created_at", "pk")),
        sections=sections,
        excerpts=excerpts,
    )


# --- coping plan ----------------------------------------------------------------------


def get_coping_plan(owner: User) -> CopingPlan:
    """Return the member's plan, or an unsaved empty one (reading never creates a row)."""
    return CopingPlan.objects.filter(owner=owner).first() or CopingPlan(owner=owner)


# --- cards ----------------------------------------------------------------------------


def member_cards_for(owner: User) -> QuerySet[MemberCard]:
    return MemberCard.objects.filter(owner=owner)


def get_member_card_for_owner_or_404(owner: User, pk: int) -> MemberCard:
    try:
        return member_cards_for(owner).get(pk=pk)
    except MemberCard.DoesNotExist as error:
        raise Http404 from error


def get_built_in_card_or_404(slug: str) -> BuiltInCard:
    try:
        return BUILT_IN_CARDS_BY_SLUG[slug]
    except KeyError as error:
        raise Http404 from error


@dataclass(frozen=True)
class CardLink:
    """A card as listed elsewhere (plan, entries, breaks): its reference, title and address."""

    ref: str
    title: str
    url_name: str
    url_argument: str | int
    is_built_in: bool


def card_links_for(owner: User) -> list[CardLink]:
    """Every card the member can link to: the built-in set, then their own."""
    links = [_built_in_link(card) for card in BUILT_IN_CARDS]
    links += [_member_card_link(card) for card in member_cards_for(owner)]
    return links


def resolve_card_refs(owner: User, refs: list[str]) -> list[CardLink]:
    """Turn stored card references into links, silently dropping cards that no longer exist."""
    member_ids = [int(ref[5:]) for ref in refs if ref.startswith("card:") and ref[5:].isdigit()]
    member_cards = {card.pk: card for card in member_cards_for(owner).filter(pk__in=member_ids)}
    links = []
    for ref in refs:
        if ref.startswith("builtin:") and (built_in := BUILT_IN_CARDS_BY_SLUG.get(ref[8:])):
            links.append(_built_in_link(built_in))
        elif (
            ref.startswith("card:")
            and ref[5:].isdigit()
            and (card := member_cards.get(int(ref[5:])))
        ):
            links.append(_member_card_link(card))
    return links


def _built_in_link(card: BuiltInCard) -> CardLink:
    return CardLink(card.ref, str(card.title), "between_sessions:built_in_card", card.slug, True)


def _member_card_link(card: MemberCard) -> CardLink:
    title = card.front if len(card.front) <= 80 else card.front[:79] + "…"
    return CardLink(card.ref, title, "between_sessions:member_card", card.pk, False)


# --- therapist breaks -----------------------------------------------------------------


def therapist_breaks_for(owner: User) -> QuerySet[TherapistBreak]:
    return TherapistBreak.objects.filter(owner=owner)


def get_therapist_break_for_owner_or_404(owner: User, pk: int) -> TherapistBreak:
    try:
        return therapist_breaks_for(owner).get(pk=pk)
    except TherapistBreak.DoesNotExist as error:
        raise Http404 from error


def current_therapist_break(owner: User, today: datetime.date) -> TherapistBreak | None:
    """The break going on today, if any (started, and therapy not yet resumed)."""
    return (
        therapist_breaks_for(owner)
        .filter(starts_on__lte=today)
        .exclude(back_on__lte=today)
        .order_by("-starts_on", "-pk")
        .first()
    )


# --- the whole toolkit ----------------------------------------------------------------


def has_example_content(owner: User) -> bool:
    return any(
        model._default_manager.filter(owner=owner, is_example=True).exists()
        for model in TOOLKIT_MODELS
    )


def toolkit_row_count(owner: User) -> int:
    return sum(model._default_manager.filter(owner=owner).count() for model in TOOLKIT_MODELS)


def toolkit_export_for(owner: User) -> dict[str, Any]:
    """Return every item of the member's toolkit as plain values, ready for JSON."""
    plan = CopingPlan.objects.filter(owner=owner).first()
    return {
        "format": "hearth-toolkit",
        "version": 1,
        "exported_at": timezone.now().isoformat(),
        "member": owner.username,
        "journal_entries": [
            {
                "id": entry.pk,
                "kind": entry.kind,
                "created_at": entry.created_at.isoformat(),
                "updated_at": entry.updated_at.isoformat(),
                "feelings": [
                    {**rating, "label": feeling_label(str(rating.get("feeling", "")))}
                    for rating in entry.feelings
                ],
                "body_sensations": entry.body_sensations,
                "note": entry.note,
                "trigger": entry.trigger,
                "trigger_detail": entry.trigger_detail,
                "text": entry.text,
                "what_helped": entry.what_helped,
                "helpful_cards": entry.helpful_cards,
                "bring_to_session": entry.bring_to_session,
                "discussed_at": _iso(entry.discussed_at),
                "is_example": entry.is_example,
            }
            for entry in journal_entries_for(owner).order_by("created_at", "pk")
        ],
        "next_session_on": _iso(get_next_session_date(owner)),
        "session_notes": [
            {
                "id": note.pk,
                "section": note.section,
                "title": note.title,
                "text": note.text,
                "excerpt_source": note.excerpt_source,
                "created_at": note.created_at.isoformat(),
                "discussed_at": _iso(note.discussed_at),
                "is_example": note.is_example,
            }
            for note in session_notes_for(owner).order_by("created_at", "pk")
        ],
        "coping_plan": None
        if plan is None
        else {
            "warning_signs": plan.warning_signs,
            "on_my_own": plan.on_my_own,
            "distractions": plan.distractions,
            "people_to_ask": plan.people_to_ask,
            "therapist_arrangement": plan.therapist_arrangement,
            "other_services": plan.other_services,
            "safer_surroundings": plan.safer_surroundings,
            "what_matters": plan.what_matters,
            "pinned_cards": plan.pinned_cards,
            "last_reviewed_on": _iso(plan.last_reviewed_on),
            "updated_at": plan.updated_at.isoformat(),
            "is_example": plan.is_example,
        },
        "cards": [
            {
                "id": card.pk,
                "ref": card.ref,
                "kind": card.kind,
                "front": card.front,
                "back_words": card.back_words,
                "back_action": card.back_action,
                "created_at": card.created_at.isoformat(),
                "is_example": card.is_example,
            }
            for card in member_cards_for(owner).order_by("created_at", "pk")
        ],
        "therapist_breaks": [
            {
                "id": therapist_break.pk,
                "kind": therapist_break.kind,
                "label": therapist_break.label,
                "starts_on": therapist_break.starts_on.isoformat(),
                "back_on": _iso(therapist_break.back_on),
                "what_ill_do": therapist_break.what_ill_do,
                "who_ill_reach": therapist_break.who_ill_reach,
                "helpful_cards": therapist_break.helpful_cards,
                "is_example": therapist_break.is_example,
            }
            for therapist_break in therapist_breaks_for(owner).order_by("starts_on", "pk")
        ],
    }


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
