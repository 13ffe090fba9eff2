"""Writes to a member's toolkit. Each takes the owner (or an object already
fetched through an owner-scoped selector), is keyword-only and atomic.

Nothing here notifies, emails, logs text or enqueues anything: the toolkit
never sends anything to anyone. The one exception is the member's own opt-in,
check-ins from peers (``peer_check_ins``): deleting a break ends the requests
made for it, and the members asked are told only that they ended.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import StrIndex
from django.utils import timezone
from django.utils.translation import gettext as _

from hearth.accounts.models import User
from hearth.between_sessions.builtin_cards import BUILT_IN_CARDS_BY_SLUG
from hearth.between_sessions.models import (
    TOOLKIT_MODELS,
    CopingPlan,
    JournalEntry,
    MemberCard,
    NextSession,
    SessionNote,
    TherapistBreak,
)
from hearth.between_sessions.peer_check_ins.services import (
    end_peer_check_ins_of_breaks,
    fit_days_to_break,
)
from hearth.between_sessions.selectors import member_cards_for
from hearth.between_sessions.vocabulary import (
    BODY_SENSATION_LABELS,
    FEELING_LABELS,
    INTENSITY_MAX,
    INTENSITY_MIN,
    MAX_FEELINGS_PER_ENTRY,
    FeelingRating,
    Trigger,
)
from hearth.core.providers import post_excerpt_for

NAME_REMOVED = "[name removed]"
PLAN_TEXT_FIELDS = (
    "warning_signs",
    "on_my_own",
    "distractions",
    "people_to_ask",
    "therapist_arrangement",
    "other_services",
    "safer_surroundings",
    "what_matters",
)


class ExcerptNotFoundError(Exception):
    """The post is neither the member's own nor a reply they received (or does not exist)."""


# --- journal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryContent:
    """What a member wrote in a check-in or an entry; check-ins use the first three fields."""

    feelings: tuple[FeelingRating, ...]
    body_sensations: tuple[str, ...] = ()
    note: str = ""
    trigger: str = ""
    trigger_detail: str = ""
    text: str = ""
    what_helped: str = ""
    helpful_cards: tuple[str, ...] = field(default=())
    bring_to_session: bool = False


@transaction.atomic
def record_check_in(*, owner: User, content: EntryContent) -> JournalEntry:
    """Save a quick check-in: one to three feelings, body sensations, a line of note."""
    _check_feelings(content.feelings)
    return JournalEntry.objects.create(
        owner=owner,
        kind=JournalEntry.Kind.CHECK_IN,
        feelings=[rating.as_json() for rating in content.feelings],
        body_sensations=_known_body_sensations(content.body_sensations),
        note=content.note.strip(),
        bring_to_session=content.bring_to_session,
    )


@transaction.atomic
def write_journal_entry(*, owner: User, content: EntryContent) -> JournalEntry:
    """Save a fuller journal entry. Feelings are optional here; writing alone is enough."""
    entry = JournalEntry(owner=owner, kind=JournalEntry.Kind.ENTRY)
    _apply_entry_content(entry, content)
    entry.save()
    return entry


@transaction.atomic
def update_journal_entry(*, entry: JournalEntry, content: EntryContent) -> JournalEntry:
    """Replace what an entry says; an edited example becomes the member's own."""
    _apply_entry_content(entry, content)
    entry.is_example = False
    entry.save()
    return entry


@transaction.atomic
def set_bring_to_session(*, entry: JournalEntry, bring: bool) -> JournalEntry:
    """Flag an entry for the notes for next session, or take it off them."""
    entry.bring_to_session = bring
    entry.discussed_at = None
    entry.save(update_fields=["bring_to_session", "discussed_at", "updated_at"])
    return entry


@transaction.atomic
def mark_entry_discussed(*, entry: JournalEntry, discussed: bool) -> JournalEntry:
    """Move a flagged entry to the discussed archive, or back to the current notes."""
    entry.discussed_at = timezone.now() if discussed else None
    entry.save(update_fields=["discussed_at", "updated_at"])
    return entry


@transaction.atomic
def delete_journal_entry(*, entry: JournalEntry) -> None:
    entry.delete()


def _apply_entry_content(entry: JournalEntry, content: EntryContent) -> None:
    if content.feelings or entry.kind == JournalEntry.Kind.CHECK_IN:
        _check_feelings(content.feelings)
    if content.trigger and content.trigger not in Trigger.values:
        raise ValidationError(_("Choose what set it off from the list."), code="unknown_trigger")
    entry.feelings = [rating.as_json() for rating in content.feelings]
    entry.body_sensations = _known_body_sensations(content.body_sensations)
    entry.note = content.note.strip()
    entry.trigger = content.trigger
    entry.trigger_detail = content.trigger_detail.strip()
    entry.text = content.text.strip()
    entry.what_helped = content.what_helped.strip()
    entry.helpful_cards = _existing_card_refs(entry.owner, content.helpful_cards)
    entry.bring_to_session = content.bring_to_session


def _check_feelings(feelings: tuple[FeelingRating, ...]) -> None:
    if not 1 <= len(feelings) <= MAX_FEELINGS_PER_ENTRY:
        raise ValidationError(
            _("Choose between one and %(most)s feelings.") % {"most": MAX_FEELINGS_PER_ENTRY},
            code="feeling_count",
        )
    for rating in feelings:
        if rating.feeling not in FEELING_LABELS:
            raise ValidationError(_("Choose a feeling from the list."), code="unknown_feeling")
        if not INTENSITY_MIN <= rating.intensity <= INTENSITY_MAX:
            raise ValidationError(
                _("Choose how strong it is, from 0 to 10."), code="intensity_out_of_range"
            )


def _known_body_sensations(codes: tuple[str, ...]) -> list[str]:
    return [code for code in dict.fromkeys(codes) if code in BODY_SENSATION_LABELS]


def _existing_card_refs(owner: User, refs: tuple[str, ...] | list[str]) -> list[str]:
    """Keep only references to built-in cards and to the owner's own cards, once each."""
    member_ids = {int(ref[5:]) for ref in refs if ref.startswith("card:") and ref[5:].isdigit()}
    own_ids = set(member_cards_for(owner).filter(pk__in=member_ids).values_list("pk", flat=True))
    kept = []
    for ref in dict.fromkeys(refs):
        if (ref.startswith("builtin:") and ref[8:] in BUILT_IN_CARDS_BY_SLUG) or (
            ref.startswith("card:") and ref[5:].isdigit() and int(ref[5:]) in own_ids
        ):
            kept.append(ref)
    return kept


# --- notes for next session -----------------------------------------------------------


@transaction.atomic
def add_session_note(*, owner: User, section: str, text: str) -> SessionNote:
    """Add an item to one of the sections of the notes for next session."""
    if section not in SessionNote.Section.values or section == SessionNote.Section.FROM_FORUM:
        raise ValidationError(_("Choose a section for this note."), code="unknown_section")
    if not text.strip():
        raise ValidationError(_("Write something to add."), code="empty_note")
    return SessionNote.objects.create(owner=owner, section=section, text=text.strip())


@transaction.atomic
def update_session_note(*, note: SessionNote, text: str) -> SessionNote:
    if not text.strip():
        raise ValidationError(_("Write something to keep, or delete the note."), code="empty_note")
    note.text = text.strip()
    note.is_example = False
    note.save(update_fields=["text", "is_example", "updated_at"])
    return note


@transaction.atomic
def mark_session_note_discussed(*, note: SessionNote, discussed: bool) -> SessionNote:
    note.discussed_at = timezone.now() if discussed else None
    note.save(update_fields=["discussed_at", "updated_at"])
    return note


@transaction.atomic
def delete_session_note(*, note: SessionNote) -> None:
    note.delete()


@transaction.atomic
def add_forum_excerpt(*, owner: User, post_id: int) -> tuple[SessionNote, bool]:
    """Copy a post the member wrote, or a reply they received, into their notes.

    Returns the note and whether it is new: the same excerpt (title and text) is kept
    once, so adding a post twice changes nothing, except that an excerpt already marked
    discussed comes back to the notes for the next session. Only the thread title and the
    text are kept, and both pass through ``remove_other_members_names`` even though the
    provider already anonymises them. Raises ExcerptNotFoundError when the forum does not
    offer that post to this member.
    """
    excerpt = post_excerpt_for(owner, post_id)
    if excerpt is None:
        raise ExcerptNotFoundError
    title = remove_other_members_names(excerpt.thread_title, owner=owner)
    text = remove_other_members_names(excerpt.text, owner=owner)
    # The texts are encrypted, so the database cannot compare them: lock the member's
    # row so two quick submissions of the same post (a double click) queue here, and
    # compare the member's excerpts in memory.
    list(User.objects.select_for_update().filter(pk=owner.pk).values_list("pk", flat=True))
    excerpts = SessionNote.objects.filter(owner=owner, section=SessionNote.Section.FROM_FORUM)
    for existing in excerpts:
        if (existing.title, existing.text) == (title, text):
            if existing.discussed_at is not None:
                existing.discussed_at = None
                existing.save(update_fields=["discussed_at", "updated_at"])
            return existing, False
    source = (
        SessionNote.ExcerptSource.OWN_POST
        if excerpt.is_own_post
        else SessionNote.ExcerptSource.RECEIVED_REPLY
    )
    note = SessionNote.objects.create(
        owner=owner,
        section=SessionNote.Section.FROM_FORUM,
        title=title,
        text=text,
        excerpt_source=source,
    )
    return note, True


def remove_other_members_names(text: str, *, owner: User) -> str:
    """Replace @mentions and the names of other members found in ``text``.

    The database finds the members whose display name or username occurs in
    the text; each is then replaced where it stands as a whole word.
    """
    text = re.sub(
        r"@([\w.-]+)",
        lambda match: match.group(0) if match.group(1) == owner.username else NAME_REMOVED,
        text,
    )
    if not text:
        return text
    named = (
        User.objects.exclude(pk=owner.pk)
        .annotate(
            display_at=StrIndex(Value(text), F("display_name")),
            username_at=StrIndex(Value(text), F("username")),
        )
        .filter(Q(display_at__gt=0) | Q(username_at__gt=0))
        .values_list("display_name", "username")
    )
    names = sorted({name for pair in named for name in pair if name}, key=len, reverse=True)
    for name in names:
        if name in {owner.display_name, owner.username}:
            continue
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", NAME_REMOVED, text)
    return text


@transaction.atomic
def set_next_session_date(*, owner: User, session_on: datetime.date | None) -> None:
    NextSession.objects.update_or_create(owner=owner, defaults={"session_on": session_on})


# --- coping plan ----------------------------------------------------------------------


@transaction.atomic
def save_coping_plan(
    *, owner: User, steps: dict[str, str], last_reviewed_on: datetime.date | None
) -> CopingPlan:
    """Save the plan's steps (any may be empty) and when it was last reviewed."""
    unknown = set(steps) - set(PLAN_TEXT_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown part of the plan."), code="unknown_plan_step")
    plan, _created = CopingPlan.objects.get_or_create(owner=owner)
    for name in PLAN_TEXT_FIELDS:
        setattr(plan, name, _tidy_lines(steps.get(name, "")))
    plan.last_reviewed_on = last_reviewed_on
    plan.is_example = False
    plan.save()
    return plan


@transaction.atomic
def mark_coping_plan_reviewed(*, owner: User, on: datetime.date) -> CopingPlan:
    plan, _created = CopingPlan.objects.get_or_create(owner=owner)
    plan.last_reviewed_on = on
    plan.save(update_fields=["last_reviewed_on", "updated_at"])
    return plan


@transaction.atomic
def pin_card_to_plan(*, owner: User, ref: str, pinned: bool) -> CopingPlan:
    """Pin a card to the plan (listed under "things I can do on my own"), or unpin it."""
    plan, _created = CopingPlan.objects.select_for_update().get_or_create(owner=owner)
    refs = [existing for existing in plan.pinned_cards if existing != ref]
    if pinned:
        refs.append(ref)
    plan.pinned_cards = _existing_card_refs(owner, refs)
    plan.save(update_fields=["pinned_cards", "updated_at"])
    return plan


def _tidy_lines(text: str) -> str:
    """One item a line: trim each line and drop the empty ones."""
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# --- cards ----------------------------------------------------------------------------


@transaction.atomic
def create_member_card(
    *, owner: User, kind: str, front: str, back_words: str, back_action: str
) -> MemberCard:
    if kind not in MemberCard.Kind.values:
        raise ValidationError(_("Choose a kind of card."), code="unknown_card_kind")
    if not front.strip():
        raise ValidationError(_("Write something on the front of the card."), code="empty_card")
    return MemberCard.objects.create(
        owner=owner,
        kind=kind,
        front=front.strip(),
        back_words=back_words.strip(),
        back_action=back_action.strip(),
    )


@transaction.atomic
def update_member_card(
    *, card: MemberCard, front: str, back_words: str, back_action: str
) -> MemberCard:
    if not front.strip():
        raise ValidationError(_("Write something on the front of the card."), code="empty_card")
    card.front = front.strip()
    card.back_words = back_words.strip()
    card.back_action = back_action.strip()
    card.is_example = False
    card.save()
    return card


@transaction.atomic
def delete_member_card(*, card: MemberCard) -> None:
    """Delete a card and unpin it from the plan (links from entries simply stop showing)."""
    plan = CopingPlan.objects.filter(owner=card.owner).first()
    if plan is not None and card.ref in plan.pinned_cards:
        plan.pinned_cards = [ref for ref in plan.pinned_cards if ref != card.ref]
        plan.save(update_fields=["pinned_cards", "updated_at"])
    card.delete()


# --- therapist breaks -----------------------------------------------------------------


@dataclass(frozen=True)
class BreakDetails:
    kind: str
    starts_on: datetime.date
    back_on: datetime.date | None
    label: str = ""
    what_ill_do: str = ""
    who_ill_reach: str = ""
    helpful_cards: tuple[str, ...] = ()


@transaction.atomic
def add_therapist_break(*, owner: User, details: BreakDetails) -> TherapistBreak:
    therapist_break = TherapistBreak(owner=owner)
    _apply_break_details(therapist_break, details)
    therapist_break.save()
    return therapist_break


@transaction.atomic
def update_therapist_break(
    *, therapist_break: TherapistBreak, details: BreakDetails
) -> TherapistBreak:
    _apply_break_details(therapist_break, details)
    therapist_break.is_example = False
    therapist_break.save()
    fit_days_to_break(therapist_break)
    return therapist_break


@transaction.atomic
def delete_therapist_break(*, therapist_break: TherapistBreak) -> None:
    end_peer_check_ins_of_breaks(TherapistBreak.objects.filter(pk=therapist_break.pk))
    therapist_break.delete()


def _apply_break_details(therapist_break: TherapistBreak, details: BreakDetails) -> None:
    if details.kind not in TherapistBreak.Kind.values:
        raise ValidationError(_("Choose what kind of break this is."), code="unknown_break_kind")
    if details.back_on is not None and details.back_on <= details.starts_on:
        raise ValidationError(
            _("The day therapy starts again must be after the first day of the break."),
            code="back_before_start",
        )
    therapist_break.kind = details.kind
    therapist_break.starts_on = details.starts_on
    therapist_break.back_on = details.back_on
    therapist_break.label = details.label.strip()
    therapist_break.what_ill_do = _tidy_lines(details.what_ill_do)
    therapist_break.who_ill_reach = _tidy_lines(details.who_ill_reach)
    therapist_break.helpful_cards = _existing_card_refs(
        therapist_break.owner, details.helpful_cards
    )


# --- the whole toolkit ----------------------------------------------------------------


@transaction.atomic
def delete_toolkit(*, owner: User) -> int:
    """Delete every row of the member's toolkit; return how many were deleted."""
    end_peer_check_ins_of_breaks(TherapistBreak.objects.filter(owner=owner))
    deleted = 0
    for model in TOOLKIT_MODELS:
        count, _per_model = model._default_manager.filter(owner=owner).delete()
        deleted += count
    return deleted


@transaction.atomic
def delete_example_content(*, owner: User) -> int:
    """Delete only the example rows (demo content) the member has not made their own."""
    end_peer_check_ins_of_breaks(TherapistBreak.objects.filter(owner=owner, is_example=True))
    deleted = 0
    for model in TOOLKIT_MODELS:
        count, _per_model = model._default_manager.filter(owner=owner, is_example=True).delete()
        deleted += count
    return deleted
