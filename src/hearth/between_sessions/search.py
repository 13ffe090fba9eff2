"""A member searches their own toolkit, in memory, for one request.

The toolkit is never indexed (CARE.md: it is never searched or scanned by
anyone else). When its owner asks, each kind of item is read once through the
owner-scoped selectors, decrypted as usual, matched with the shared search
grammar (``hearth.core.text.search_terms``) and dropped when the response is
built. Nothing is written: no index, no cache, no log line, no session entry;
the query itself never reaches the database.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from hearth.accounts.models import User
from hearth.between_sessions import selectors
from hearth.between_sessions.models import (
    COPING_PLAN_STEPS,
    WHAT_MATTERS_TITLE,
    CopingPlan,
    JournalEntry,
    PlanStep,
    SessionNote,
)
from hearth.between_sessions.vocabulary import BODY_SENSATION_LABELS, Trigger, feeling_label
from hearth.core.text.search_terms import SearchTerms, matches_in_memory

RESULTS_PER_KIND = 50
# Characters of context kept before and after the first match in an excerpt.
EXCERPT_BEFORE = 60
EXCERPT_AFTER = 180

_FOLDED_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class SearchHit:
    title: str
    excerpt: SafeString  # escaped member text with <mark> around the matching words
    when: datetime.date | datetime.datetime | None
    url: str


@dataclass(frozen=True)
class SearchGroup:
    kind: str
    title: StrPromise
    hits: list[SearchHit]
    match_count: int  # every match, including those past RESULTS_PER_KIND

    @property
    def more_count(self) -> int:
        return self.match_count - len(self.hits)


@dataclass(frozen=True)
class _Candidate:
    """One item as search sees it: its plain-text fields, in the order they are shown."""

    title: str
    fields: tuple[str, ...]
    when: datetime.date | datetime.datetime | None
    url: str


def search_toolkit(owner: User, terms: SearchTerms) -> list[SearchGroup]:
    """Return the owner's matching items, grouped by kind, newest first within a kind.

    One query per kind, whatever the toolkit's size. Groups without a match are left out.
    """
    kinds: list[tuple[str, StrPromise, Iterable[_Candidate]]] = [
        ("entries", _("Journal"), _journal_candidates(owner)),
        ("next_session", _("Notes for next session"), _session_note_candidates(owner)),
        ("plan", _("My plan"), _plan_candidates(owner)),
        ("cards", _("My cards"), _card_candidates(owner)),
        ("breaks", _("Therapy breaks"), _break_candidates(owner)),
    ]
    groups = []
    for kind, title, candidates in kinds:
        hits: list[SearchHit] = []
        match_count = 0
        for candidate in candidates:
            if not matches_in_memory(terms, "\n".join(candidate.fields)):
                continue
            match_count += 1
            if len(hits) < RESULTS_PER_KIND:
                hits.append(
                    SearchHit(
                        title=candidate.title,
                        excerpt=highlighted_excerpt(candidate.fields, terms),
                        when=candidate.when,
                        url=candidate.url,
                    )
                )
        if match_count:
            groups.append(SearchGroup(kind, title, hits, match_count))
    return groups


# --- what each kind offers to search --------------------------------------------------


def _journal_candidates(owner: User) -> Iterator[_Candidate]:
    entries = selectors.journal_entries_for(owner).order_by("-created_at", "-pk")
    for entry in entries.defer("helpful_cards"):
        feelings = ", ".join(
            feeling_label(str(rating.get("feeling", ""))) for rating in entry.feelings
        )
        body = ", ".join(str(BODY_SENSATION_LABELS.get(code, "")) for code in entry.body_sensations)
        trigger = str(Trigger(entry.trigger).label) if entry.trigger in Trigger.values else ""
        yield _Candidate(
            title=str(JournalEntry.Kind(entry.kind).label),
            # The member's own words first, so the excerpt shows them when they match.
            fields=(
                entry.note,
                entry.text,
                entry.trigger_detail,
                entry.what_helped,
                feelings,
                body,
                trigger,
            ),
            when=entry.created_at,
            url=reverse("between_sessions:entry", args=[entry.pk]),
        )


def _session_note_candidates(owner: User) -> Iterator[_Candidate]:
    for note in selectors.session_notes_for(owner).order_by("-created_at", "-pk"):
        page = "next_session_discussed" if note.discussed_at else "next_session"
        yield _Candidate(
            title=str(SessionNote.Section(note.section).label),
            fields=(note.text, note.title),
            when=note.created_at,
            # The section's anchor: notes have no page of their own.
            url=reverse(f"between_sessions:{page}") + f"#section-{note.section}",
        )


def _plan_candidates(owner: User) -> Iterator[_Candidate]:
    plan = selectors.get_coping_plan(owner)
    if plan.pk is None:
        return
    url = reverse("between_sessions:plan")
    # The plan's own order, not by date: every step shares the plan's date.
    steps: list[tuple[StrPromise, tuple[str, ...]]] = [
        (step.title, _step_texts(plan, step)) for step in COPING_PLAN_STEPS
    ]
    steps.append((WHAT_MATTERS_TITLE, (plan.what_matters,)))
    for title, texts in steps:
        yield _Candidate(title=str(title), fields=texts, when=plan.updated_at, url=url)


def _step_texts(plan: CopingPlan, step: PlanStep) -> tuple[str, ...]:
    return tuple(getattr(plan, name) for name in step.fields)


def _card_candidates(owner: User) -> Iterator[_Candidate]:
    for card in selectors.member_cards_for(owner).order_by("-created_at", "-pk"):
        yield _Candidate(
            title=str(card.get_kind_display()),
            fields=(card.front, card.back_words, card.back_action),
            when=card.created_at,
            url=reverse("between_sessions:member_card", args=[card.pk]),
        )


def _break_candidates(owner: User) -> Iterator[_Candidate]:
    url = reverse("between_sessions:breaks")  # breaks have no page of their own to read
    therapist_breaks = selectors.therapist_breaks_for(owner).order_by("-starts_on", "-pk")
    for therapist_break in therapist_breaks.defer("helpful_cards"):
        yield _Candidate(
            title=therapist_break.label or str(therapist_break.get_kind_display()),
            fields=(
                therapist_break.label,
                therapist_break.what_ill_do,
                therapist_break.who_ill_reach,
            ),
            when=therapist_break.starts_on,
            url=url,
        )


# --- excerpts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Word:
    folded: str
    start: int  # where the word starts and ends in the original text
    end: int


def _words_of(text: str) -> list[_Word]:
    """The words of ``text`` as ``fold`` sees them, each with its place in ``text``.

    Folds character by character (NFKD, combining marks dropped, casefold), which gives
    the same words as ``search_terms.fold`` on the whole text, but keeps track of which
    original characters each folded one came from, so marks land on the right letters.
    """
    folded: list[str] = []
    origin: list[int] = []
    for index, character in enumerate(text):
        decomposed = unicodedata.normalize("NFKD", character)
        bare = "".join(part for part in decomposed if not unicodedata.combining(part))
        for part in bare.casefold():
            folded.append(part)
            origin.append(index)
    folded_text = "".join(folded)
    return [
        _Word(match.group(), origin[match.start()], origin[match.end() - 1] + 1)
        for match in _FOLDED_WORD.finditer(folded_text)
    ]


def _match_spans(text: str, terms: SearchTerms) -> list[tuple[int, int]]:
    """Where the wanted words and phrases are in ``text``: sorted, merged spans.

    The same rule as ``matches_in_memory``: a phrase's words follow each other, the
    last one may be the start of a longer word ("anx" marks "anxious").
    """
    words = _words_of(text)
    spans: list[tuple[int, int]] = []
    for term in terms.wanted:
        wanted = [word.folded for word in _words_of(term.text)]
        if not wanted:
            continue
        *whole, last = wanted
        for index in range(len(words) - len(wanted) + 1):
            run = words[index : index + len(wanted)]
            if [word.folded for word in run[:-1]] == whole and run[-1].folded.startswith(last):
                spans.append((run[0].start, run[-1].end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlighted_excerpt(fields: Iterable[str], terms: SearchTerms) -> SafeString:
    """A short piece of the first field with a match, the matching words in ``<mark>``.

    Member text is escaped piece by piece; only our own ``<mark>`` tags are markup.
    A match made of words spread over several fields has no single place to show, so
    the start of the first non-empty field stands in for it.
    """
    texts = [text for text in fields if text.strip()]
    for text in texts:
        if spans := _match_spans(text, terms):
            return _excerpt_around(text, spans)
    return _excerpt_around(texts[0], []) if texts else SafeString("")


def _excerpt_around(text: str, spans: list[tuple[int, int]]) -> SafeString:
    first = spans[0][0] if spans else 0
    start = max(0, first - EXCERPT_BEFORE)
    end = min(len(text), first + EXCERPT_AFTER)
    # Widen to whole words, so the excerpt never starts or ends in the middle of one.
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    pieces: list[SafeString] = [SafeString("…")] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        mark_start, mark_end = max(span_start, start), min(span_end, end)
        pieces.append(escape(_one_line(text[position:mark_start])))
        pieces.append(format_html("<mark>{}</mark>", _one_line(text[mark_start:mark_end])))
        position = mark_end
    pieces.append(escape(_one_line(text[position:end])))
    if end < len(text):
        pieces.append(SafeString("…"))
    return format_html_join("", "{}", ((piece,) for piece in pieces))


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text)
