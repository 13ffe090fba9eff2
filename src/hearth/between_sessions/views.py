"""The toolkit's pages: parse -> owner-scoped fetch -> service -> render.

Every view works on ``request.user``'s own toolkit only; an object that is
not theirs is a 404 for everyone. Responses are never cached (private text).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from hearth.accounts.models import User
from hearth.between_sessions import selectors, services
from hearth.between_sessions.builtin_cards import BUILT_IN_CARDS
from hearth.between_sessions.chart import draw_intensity_chart
from hearth.between_sessions.forms import (
    CheckInForm,
    CopingPlanForm,
    DeleteEverythingForm,
    ForumExcerptForm,
    JournalEntryForm,
    MemberCardForm,
    NextSessionDateForm,
    SessionNoteEditForm,
    SessionNoteForm,
    TherapistBreakForm,
)
from hearth.between_sessions.models import COPING_PLAN_STEPS, MemberCard, SessionNote
from hearth.between_sessions.search import search_toolkit
from hearth.core.providers import crisis_contacts_for
from hearth.core.text.search_terms import QueryError, parse_search_terms

ENTRIES_PER_PAGE = 20
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CHART_RANGES_IN_DAYS = (14, 30, 90, 365)
View = Callable[..., HttpResponseBase]


def private(view: View) -> View:
    """Mark a toolkit view: never stored by the browser or any cache on the way."""
    return never_cache(view)


def _owner(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # LoginRequiredMiddleware sends everyone else to sign in
    return user


def _page(
    request: HttpRequest, template: str, context: dict[str, Any], section: str, status: int = 200
) -> HttpResponse:
    return render(
        request,
        f"between_sessions/{template}",
        {**context, "toolkit_section": section},
        status=status,
    )


def _back_or(request: HttpRequest, fallback: str) -> str:
    """The ``next`` address from the form when it is one of ours, else ``fallback``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _submitted(request: HttpRequest) -> QueryDict | None:
    """The posted data, or None for a GET (an empty POST is still a submission)."""
    return request.POST if request.method == "POST" else None


def _is_on(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name) == "1"


# --- overview and the neutral page ----------------------------------------------------


@private
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    today = timezone.localdate()
    therapist_break = selectors.current_therapist_break(owner, today)
    context = {
        "therapist_break": therapist_break,
        "break_cards": selectors.resolve_card_refs(owner, therapist_break.helpful_cards)
        if therapist_break
        else [],
        "days_until_back": (therapist_break.back_on - today).days
        if therapist_break and therapist_break.back_on
        else None,
        "next_session_on": selectors.get_next_session_date(owner),
        "has_examples": selectors.has_example_content(owner),
    }
    return _page(request, "home.html", context, "home")


@login_not_required
@require_safe
@never_cache
def neutral(request: HttpRequest) -> HttpResponse:
    """A plain page with nothing on it, for "Leave quickly". The same for everyone."""
    return render(request, "between_sessions/neutral.html")


# --- search ----------------------------------------------------------------------------


@private
@require_http_methods(["GET", "HEAD", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search the member's own toolkit, decrypted in memory for this request only.

    The toolkit's search box posts, so the words stay out of the address bar, the
    browser's history and any proxy's access log; ``?q=`` works too, for a link. The
    query is never stored: no index, no session, no message, no log line.
    """
    typed = (request.POST if request.method == "POST" else request.GET).get("q", "")
    # Shown back in the box as typed, less the control characters a page cannot hold.
    shown = _CONTROL_CHARACTERS.sub("", typed)
    context: dict[str, Any] = {"query": shown, "groups": None, "ignores_author": False}
    if not shown.strip():
        return _page(request, "search.html", context, "search")
    try:
        terms = parse_search_terms(typed)
        if not terms.has_text and not terms.author:
            raise QueryError(_("Please type a word or two to look for."))
    except QueryError as error:
        return _page(request, "search.html", {**context, "error": str(error)}, "search", 400)
    # author: picks a writer in the forum's search; everything here is the member's own,
    # so it is left out, and the page says so rather than quietly finding nothing.
    context["ignores_author"] = bool(terms.author)
    if terms.has_text:
        context["groups"] = search_toolkit(_owner(request), terms)
    return _page(request, "search.html", context, "search")


# --- check-in and journal -------------------------------------------------------------


@private
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    form = CheckInForm(_submitted(request))
    if request.method == "POST":
        if form.is_valid():
            services.record_check_in(owner=owner, content=form.content())
            messages.success(request, _("Your check-in is saved."))
            return redirect("between_sessions:entries")
        return _page(request, "check_in.html", {"form": form}, "check_in", status=400)
    return _page(request, "check_in.html", {"form": form}, "check_in")


@private
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    form = JournalEntryForm(_submitted(request), card_links=selectors.card_links_for(owner))
    if request.method == "POST":
        if form.is_valid():
            entry = services.write_journal_entry(owner=owner, content=form.content())
            messages.success(request, _("Your entry is saved."))
            return redirect("between_sessions:entry", pk=entry.pk)
        return _page(request, "entry_form.html", {"form": form}, "entries", status=400)
    return _page(request, "entry_form.html", {"form": form}, "entries")


@private
@require_safe
def entry_list(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    day = _parse_date(request.GET.get("day", ""))
    entries = (
        selectors.journal_entries_on_day(owner, day)
        if day
        else selectors.journal_entries_for(owner)
    )
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return _page(request, "entry_list.html", {"page": page, "day": day}, "entries")


@private
@require_safe
def entry_calendar(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    today = timezone.localdate()
    year, month = today.year, today.month
    if requested := _parse_month(request.GET.get("month", "")):
        year, month = requested
    month_view = selectors.calendar_month_for(owner, year, month)
    return _page(request, "entry_calendar.html", {"month": month_view, "today": today}, "entries")


@private
@require_safe
def entry_chart(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    if days not in CHART_RANGES_IN_DAYS:
        days = 30
    now = timezone.now()
    since = now - datetime.timedelta(days=days)
    points = selectors.feeling_intensities_since(owner, since)
    context = {
        "chart": draw_intensity_chart(points, since=since, until=now),
        "points": points,
        "days": days,
        "ranges": CHART_RANGES_IN_DAYS,
    }
    return _page(request, "entry_chart.html", context, "entries")


@private
@require_safe
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    owner = _owner(request)
    entry = selectors.get_journal_entry_for_owner_or_404(owner, pk)
    cards = selectors.resolve_card_refs(owner, entry.helpful_cards)
    return _page(request, "entry_detail.html", {"entry": entry, "cards": cards}, "entries")


@private
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    owner = _owner(request)
    entry = selectors.get_journal_entry_for_owner_or_404(owner, pk)
    form: CheckInForm
    if entry.kind == entry.Kind.CHECK_IN:
        form = CheckInForm(_submitted(request), initial=_entry_initial(entry))
    else:
        form = JournalEntryForm(
            _submitted(request),
            initial=_entry_initial(entry),
            card_links=selectors.card_links_for(owner),
        )
    if request.method == "POST":
        if form.is_valid():
            content = form.content()
            if entry.kind == entry.Kind.CHECK_IN:  # check-ins keep their flag when edited
                content = services.EntryContent(
                    feelings=content.feelings,
                    body_sensations=content.body_sensations,
                    note=content.note,
                    bring_to_session=entry.bring_to_session,
                )
            services.update_journal_entry(entry=entry, content=content)
            messages.success(request, _("Your changes are saved."))
            return redirect("between_sessions:entry", pk=entry.pk)
        status = 400
    else:
        status = 200
    template = "check_in.html" if entry.kind == entry.Kind.CHECK_IN else "entry_form.html"
    return _page(request, template, {"form": form, "entry": entry}, "entries", status=status)


@private
@require_http_methods(["GET", "POST"])
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_journal_entry_for_owner_or_404(_owner(request), pk)
    if request.method == "POST":
        services.delete_journal_entry(entry=entry)
        messages.success(request, _("The entry is deleted."))
        return redirect("between_sessions:entries")
    return _page(
        request, "confirm_delete.html", {"object_kind": "entry", "entry": entry}, "entries"
    )


@private
@require_POST
def entry_bring(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_journal_entry_for_owner_or_404(_owner(request), pk)
    services.set_bring_to_session(entry=entry, bring=_is_on(request, "bring"))
    return redirect(_back_or(request, reverse("between_sessions:entry", args=[entry.pk])))


@private
@require_POST
def entry_discussed(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.get_journal_entry_for_owner_or_404(_owner(request), pk)
    services.mark_entry_discussed(entry=entry, discussed=_is_on(request, "discussed"))
    return redirect(_back_or(request, reverse("between_sessions:next_session")))


def _entry_initial(entry: Any) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "body_sensations": entry.body_sensations,
        "note": entry.note,
        "trigger": entry.trigger,
        "trigger_detail": entry.trigger_detail,
        "text": entry.text,
        "what_helped": entry.what_helped,
        "helpful_cards": entry.helpful_cards,
        "bring_to_session": entry.bring_to_session,
    }
    for slot, rating in enumerate(entry.feelings, start=1):
        initial[f"feeling_{slot}"] = rating.get("feeling", "")
        initial[f"intensity_{slot}"] = str(rating.get("intensity", ""))
    return initial


def _parse_date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_month(value: str) -> tuple[int, int] | None:
    try:
        year, month = (int(part) for part in value.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        return None
    return year, month


# --- notes for next session -----------------------------------------------------------


def _next_session_page(
    request: HttpRequest,
    *,
    note_form: SessionNoteForm | None = None,
    excerpt_form: ForumExcerptForm | None = None,
    date_form: NextSessionDateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    owner = _owner(request)
    notes = selectors.next_session_notes_for(owner)
    failed_section = note_form["section"].value() if note_form is not None else None
    section_forms = {
        section.section: note_form
        if note_form is not None and failed_section == section.section
        else SessionNoteForm(
            initial={"section": section.section}, auto_id=f"id_{section.section}_%s"
        )
        for section in notes.sections
    }
    context = {
        "notes": notes,
        "sections": [(section, section_forms[section.section]) for section in notes.sections],
        "excerpt_form": excerpt_form or ForumExcerptForm(),
        "date_form": date_form or NextSessionDateForm(initial={"session_on": notes.session_on}),
    }
    return _page(request, "next_session.html", context, "next_session", status=status)


@private
@require_safe
def next_session(request: HttpRequest) -> HttpResponse:
    return _next_session_page(request)


@private
@require_POST
def session_note_add(request: HttpRequest) -> HttpResponse:
    section = request.POST.get("section", "")
    form = SessionNoteForm(request.POST, auto_id=f"id_{section}_%s")
    if form.is_valid():
        services.add_session_note(
            owner=_owner(request),
            section=form.cleaned_data["section"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Added to your notes."))
        return redirect(reverse("between_sessions:next_session") + f"#section-{section}")
    if "section" in form.errors:
        return HttpResponse(_("Choose a section for this note."), status=400)
    return _next_session_page(request, note_form=form, status=400)


@private
@require_POST
def session_note_excerpt(request: HttpRequest) -> HttpResponse:
    form = ForumExcerptForm(request.POST)
    if form.is_valid():
        try:
            _note, is_new = services.add_forum_excerpt(
                owner=_owner(request), post_id=form.cleaned_data["post"]
            )
        except services.ExcerptNotFoundError:
            form.add_error(
                "post", _("We couldn't find that post among yours or the replies you received.")
            )
        else:
            if is_new:
                messages.success(request, _("The excerpt is in your notes for your next session."))
            else:
                messages.info(
                    request,
                    _("That post is already in your notes for your next session."),
                )
            # Back where the member was (the post), or to the notes.
            notes = reverse("between_sessions:next_session") + "#section-from_forum"
            return redirect(_back_or(request, notes))
    return _next_session_page(request, excerpt_form=form, status=400)


@private
@require_POST
def next_session_date(request: HttpRequest) -> HttpResponse:
    form = NextSessionDateForm(request.POST)
    if form.is_valid():
        services.set_next_session_date(
            owner=_owner(request), session_on=form.cleaned_data["session_on"]
        )
        messages.success(request, _("The date is saved."))
        return redirect("between_sessions:next_session")
    return _next_session_page(request, date_form=form, status=400)


@private
@require_safe
def next_session_discussed(request: HttpRequest) -> HttpResponse:
    notes = selectors.next_session_notes_for(_owner(request), discussed=True)
    return _page(request, "next_session_discussed.html", {"notes": notes}, "next_session")


@private
@require_safe
def next_session_print(request: HttpRequest) -> HttpResponse:
    notes = selectors.next_session_notes_for(_owner(request))
    return render(request, "between_sessions/next_session_print.html", {"notes": notes})


@private
@require_safe
def next_session_text(request: HttpRequest) -> HttpResponse:
    notes = selectors.next_session_notes_for(_owner(request))
    text = render_to_string("between_sessions/next_session.txt", {"notes": notes}, request)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="notes.txt"'
    return response


@private
@require_http_methods(["GET", "POST"])
def session_note_edit(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.get_session_note_for_owner_or_404(_owner(request), pk)
    if note.section == SessionNote.Section.FROM_FORUM:
        raise Http404  # excerpts are kept as the forum gave them; they can only be deleted
    form = SessionNoteEditForm(_submitted(request), initial={"text": note.text})
    if request.method == "POST":
        if form.is_valid():
            services.update_session_note(note=note, text=form.cleaned_data["text"])
            messages.success(request, _("Your changes are saved."))
            return redirect(reverse("between_sessions:next_session") + f"#section-{note.section}")
        return _page(
            request, "session_note_form.html", {"form": form, "note": note}, "next_session", 400
        )
    return _page(request, "session_note_form.html", {"form": form, "note": note}, "next_session")


@private
@require_POST
def session_note_delete(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.get_session_note_for_owner_or_404(_owner(request), pk)
    services.delete_session_note(note=note)
    messages.success(request, _("The note is deleted."))
    return redirect(_back_or(request, reverse("between_sessions:next_session")))


@private
@require_POST
def session_note_discussed(request: HttpRequest, pk: int) -> HttpResponse:
    note = selectors.get_session_note_for_owner_or_404(_owner(request), pk)
    services.mark_session_note_discussed(note=note, discussed=_is_on(request, "discussed"))
    return redirect(_back_or(request, reverse("between_sessions:next_session")))


# --- coping plan ----------------------------------------------------------------------


def _plan_context(owner: User) -> dict[str, Any]:
    plan = selectors.get_coping_plan(owner)
    return {
        "plan": plan,
        "steps": [
            (step, [(name, getattr(plan, name)) for name in step.fields])
            for step in COPING_PLAN_STEPS
        ],
        "pinned_cards": selectors.resolve_card_refs(owner, plan.pinned_cards),
        "crisis": crisis_contacts_for(owner),
    }


@private
@require_safe
def plan(request: HttpRequest) -> HttpResponse:
    return _page(request, "plan.html", _plan_context(_owner(request)), "plan")


@private
@require_safe
def plan_print(request: HttpRequest) -> HttpResponse:
    return render(request, "between_sessions/plan_print.html", _plan_context(_owner(request)))


@private
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    current = selectors.get_coping_plan(owner)
    initial = {name: getattr(current, name) for name in services.PLAN_TEXT_FIELDS}
    form = CopingPlanForm(
        _submitted(request), initial={**initial, "last_reviewed_on": current.last_reviewed_on}
    )
    if request.method == "POST":
        if form.is_valid():
            services.save_coping_plan(
                owner=owner,
                steps=form.steps(),
                last_reviewed_on=form.cleaned_data["last_reviewed_on"],
            )
            messages.success(request, _("Your plan is saved."))
            return redirect("between_sessions:plan")
        return _page(request, "plan_form.html", {"form": form}, "plan", status=400)
    return _page(request, "plan_form.html", {"form": form}, "plan")


@private
@require_POST
def plan_reviewed(request: HttpRequest) -> HttpResponse:
    services.mark_coping_plan_reviewed(owner=_owner(request), on=timezone.localdate())
    messages.success(request, _("Noted: you looked over your plan today."))
    return redirect("between_sessions:plan")


# --- cards ----------------------------------------------------------------------------


@private
@require_safe
def card_list(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    cards = selectors.member_cards_for(owner)
    context = {
        "built_in_cards": BUILT_IN_CARDS,
        "coping_cards": [card for card in cards if card.kind == MemberCard.Kind.COPING],
        "words_cards": [card for card in cards if card.kind == MemberCard.Kind.WORDS],
        "pinned": set(selectors.get_coping_plan(owner).pinned_cards),
    }
    return _page(request, "card_list.html", context, "cards")


@private
@require_safe
def built_in_card(request: HttpRequest, slug: str) -> HttpResponse:
    card = selectors.get_built_in_card_or_404(slug)
    pinned = card.ref in selectors.get_coping_plan(_owner(request)).pinned_cards
    return _page(request, "built_in_card.html", {"card": card, "is_pinned": pinned}, "cards")


@private
@require_safe
def member_card(request: HttpRequest, pk: int) -> HttpResponse:
    owner = _owner(request)
    card = selectors.get_member_card_for_owner_or_404(owner, pk)
    pinned = card.ref in selectors.get_coping_plan(owner).pinned_cards
    return _page(request, "member_card.html", {"card": card, "is_pinned": pinned}, "cards")


@private
@require_http_methods(["GET", "POST"])
def member_card_new(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind") or request.GET.get("kind") or MemberCard.Kind.COPING
    if kind not in MemberCard.Kind.values:
        kind = MemberCard.Kind.COPING
    form = MemberCardForm(_submitted(request), initial={"kind": kind}, kind=kind)
    if request.method == "POST":
        if form.is_valid():
            card = services.create_member_card(
                owner=_owner(request),
                kind=form.cleaned_data["kind"],
                front=form.cleaned_data["front"],
                back_words=form.cleaned_data["back_words"],
                back_action=form.cleaned_data.get("back_action", ""),
            )
            messages.success(request, _("Your card is saved."))
            return redirect("between_sessions:member_card", pk=card.pk)
        return _page(request, "card_form.html", {"form": form, "kind": kind}, "cards", status=400)
    return _page(request, "card_form.html", {"form": form, "kind": kind}, "cards")


@private
@require_http_methods(["GET", "POST"])
def member_card_edit(request: HttpRequest, pk: int) -> HttpResponse:
    card = selectors.get_member_card_for_owner_or_404(_owner(request), pk)
    initial = {"kind": card.kind, "front": card.front, "back_words": card.back_words,
               "back_action": card.back_action}  # fmt: skip
    form = MemberCardForm(_submitted(request), initial=initial, kind=card.kind)
    context = {"form": form, "kind": card.kind, "card": card}
    if request.method == "POST":
        if form.is_valid():
            services.update_member_card(
                card=card,
                front=form.cleaned_data["front"],
                back_words=form.cleaned_data["back_words"],
                back_action=form.cleaned_data.get("back_action", ""),
            )
            messages.success(request, _("Your changes are saved."))
            return redirect("between_sessions:member_card", pk=card.pk)
        return _page(request, "card_form.html", context, "cards", status=400)
    return _page(request, "card_form.html", context, "cards")


@private
@require_http_methods(["GET", "POST"])
def member_card_delete(request: HttpRequest, pk: int) -> HttpResponse:
    card = selectors.get_member_card_for_owner_or_404(_owner(request), pk)
    if request.method == "POST":
        services.delete_member_card(card=card)
        messages.success(request, _("The card is deleted."))
        return redirect("between_sessions:cards")
    return _page(request, "confirm_delete.html", {"object_kind": "card", "card": card}, "cards")


@private
@require_POST
def member_card_pin(request: HttpRequest, pk: int) -> HttpResponse:
    owner = _owner(request)
    card = selectors.get_member_card_for_owner_or_404(owner, pk)
    services.pin_card_to_plan(owner=owner, ref=card.ref, pinned=_is_on(request, "pinned"))
    return redirect(_back_or(request, reverse("between_sessions:member_card", args=[card.pk])))


@private
@require_POST
def built_in_card_pin(request: HttpRequest, slug: str) -> HttpResponse:
    card = selectors.get_built_in_card_or_404(slug)
    services.pin_card_to_plan(owner=_owner(request), ref=card.ref, pinned=_is_on(request, "pinned"))
    return redirect(_back_or(request, reverse("between_sessions:built_in_card", args=[slug])))


# --- therapist breaks -----------------------------------------------------------------


@private
@require_safe
def break_list(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    today = timezone.localdate()
    breaks = list(selectors.therapist_breaks_for(owner))
    context = {
        "current": [
            b for b in breaks if b.starts_on <= today and not (b.back_on and b.back_on <= today)
        ],
        "upcoming": [b for b in breaks if b.starts_on > today],
        "past": [b for b in breaks if b.back_on and b.back_on <= today],
    }
    return _page(request, "break_list.html", context, "breaks")


@private
@require_http_methods(["GET", "POST"])
def break_new(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    form = TherapistBreakForm(
        _submitted(request),
        initial={"kind": "holiday"},
        card_links=selectors.card_links_for(owner),
    )
    if request.method == "POST":
        if form.is_valid():
            services.add_therapist_break(owner=owner, details=form.details())
            messages.success(request, _("The break is saved."))
            return redirect("between_sessions:breaks")
        return _page(request, "break_form.html", {"form": form}, "breaks", status=400)
    return _page(request, "break_form.html", {"form": form}, "breaks")


@private
@require_http_methods(["GET", "POST"])
def break_edit(request: HttpRequest, pk: int) -> HttpResponse:
    owner = _owner(request)
    therapist_break = selectors.get_therapist_break_for_owner_or_404(owner, pk)
    initial = {
        name: getattr(therapist_break, name)
        for name in ("kind", "label", "starts_on", "back_on", "what_ill_do", "who_ill_reach",
                     "helpful_cards")
    }  # fmt: skip
    form = TherapistBreakForm(
        _submitted(request), initial=initial, card_links=selectors.card_links_for(owner)
    )
    context = {"form": form, "therapist_break": therapist_break}
    if request.method == "POST":
        if form.is_valid():
            services.update_therapist_break(therapist_break=therapist_break, details=form.details())
            messages.success(request, _("Your changes are saved."))
            return redirect("between_sessions:breaks")
        return _page(request, "break_form.html", context, "breaks", status=400)
    return _page(request, "break_form.html", context, "breaks")


@private
@require_http_methods(["GET", "POST"])
def break_delete(request: HttpRequest, pk: int) -> HttpResponse:
    therapist_break = selectors.get_therapist_break_for_owner_or_404(_owner(request), pk)
    if request.method == "POST":
        services.delete_therapist_break(therapist_break=therapist_break)
        messages.success(request, _("The break is deleted."))
        return redirect("between_sessions:breaks")
    context = {"object_kind": "break", "therapist_break": therapist_break}
    return _page(request, "confirm_delete.html", context, "breaks")


# --- export and deletion --------------------------------------------------------------


@private
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    context = {
        "has_examples": selectors.has_example_content(_owner(request)),
        "delete_form": DeleteEverythingForm(),
        # Deleting the account deletes the toolkit with it, after these days to change
        # one's mind (member_data.deletion): the page says when, not "at once".
        "deletion_grace_days": settings.HEARTH_ACCOUNT_DELETION_GRACE_DAYS,
    }
    return _page(request, "export.html", context, "export")


@private
@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    data = selectors.toolkit_export_for(_owner(request))
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="notes.json"'
    return response


@private
@require_safe
def export_print(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    context = {
        **_plan_context(owner),
        "entries": selectors.journal_entries_for(owner).order_by("created_at", "pk"),
        "notes": selectors.next_session_notes_for(owner),
        "discussed": selectors.next_session_notes_for(owner, discussed=True),
        "member_cards": selectors.member_cards_for(owner),
        "breaks": selectors.therapist_breaks_for(owner),
    }
    return render(request, "between_sessions/export_print.html", context)


@private
@require_http_methods(["GET", "POST"])
def delete_everything(request: HttpRequest) -> HttpResponse:
    form = DeleteEverythingForm(_submitted(request))
    if request.method == "POST":
        if form.is_valid():
            services.delete_toolkit(owner=_owner(request))
            messages.success(request, _("Everything in your toolkit is deleted."))
            return redirect("between_sessions:home")
        return _page(request, "delete_everything.html", {"form": form}, "export", status=400)
    return _page(request, "delete_everything.html", {"form": form}, "export")


@private
@require_POST
def remove_examples(request: HttpRequest) -> HttpResponse:
    services.delete_example_content(owner=_owner(request))
    messages.success(request, _("The examples are removed."))
    return redirect("between_sessions:home")
