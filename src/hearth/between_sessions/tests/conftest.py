"""Fixtures for the toolkit's tests: personas, a filled toolkit, fake providers."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.between_sessions import services
from hearth.between_sessions.models import (
    CopingPlan,
    JournalEntry,
    MemberCard,
    SessionNote,
    TherapistBreak,
)
from hearth.between_sessions.vocabulary import FeelingRating, Trigger
from hearth.core import encryption, providers
from hearth.core.providers import CrisisContacts, PostExcerpt
from hearth.core.testing import MakeMember

MARKER = "zq-private-marker-7731"


@pytest.fixture
def owner(make_member: MakeMember) -> User:
    return make_member(username="owner", display_name="Owner")


@pytest.fixture
def other_member(make_member: MakeMember) -> User:
    return make_member(username="neighbour", display_name="Neighbour")


@pytest.fixture
def moderator(make_member: MakeMember) -> User:
    moderator = make_member(username="moderator", display_name="Moderator")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return moderator


@pytest.fixture
def administrator(make_member: MakeMember) -> User:
    return make_member(
        username="administrator", display_name="Administrator", is_staff=True, is_superuser=True
    )


@dataclass
class FilledToolkit:
    """One of everything in a member's toolkit, each text carrying ``marker``."""

    owner: User
    marker: str
    check_in: JournalEntry
    entry: JournalEntry
    note: SessionNote
    excerpt: SessionNote | None
    card: MemberCard
    words: MemberCard
    plan: CopingPlan
    therapist_break: TherapistBreak
    texts: list[str] = field(default_factory=list)


def fill_toolkit(owner: User, marker: str = MARKER) -> FilledToolkit:
    """Create one of every kind of toolkit item through the services."""
    today = timezone.localdate()
    check_in = services.record_check_in(
        owner=owner,
        content=services.EntryContent(
            feelings=(FeelingRating("sad.lonely", 6), FeelingRating("scared.on_edge", 3)),
            body_sensations=("tight_chest",),
            note=f"check-in note {marker}",
        ),
    )
    card = services.create_member_card(
        owner=owner,
        kind="coping",
        front=f"card front {marker}",
        back_words=f"card words {marker}",
        back_action=f"card action {marker}",
    )
    words = services.create_member_card(
        owner=owner, kind="words", front=f"words {marker}", back_words="", back_action=""
    )
    entry = services.write_journal_entry(
        owner=owner,
        content=services.EntryContent(
            feelings=(FeelingRating("hurt.abandoned", 8),),
            trigger=Trigger.THERAPIST_AWAY,
            trigger_detail=f"trigger detail {marker}",
            text=f"entry text {marker}",
            what_helped=f"what helped {marker}",
            helpful_cards=("builtin:breathing", card.ref),
            bring_to_session=True,
        ),
    )
    note = services.add_session_note(
        owner=owner, section=SessionNote.Section.QUESTIONS, text=f"question {marker}"
    )
    services.set_next_session_date(owner=owner, session_on=today + datetime.timedelta(days=5))
    plan = services.save_coping_plan(
        owner=owner,
        steps={
            "warning_signs": f"warning {marker}",
            "on_my_own": f"on my own {marker}",
            "distractions": f"distraction {marker}",
            "people_to_ask": f"person {marker}",
            "therapist_arrangement": f"arrangement {marker}",
            "other_services": f"service {marker}",
            "safer_surroundings": f"safer {marker}",
            "what_matters": f"matters {marker}",
        },
        last_reviewed_on=today,
    )
    therapist_break = services.add_therapist_break(
        owner=owner,
        details=services.BreakDetails(
            kind="holiday",
            starts_on=today - datetime.timedelta(days=1),
            back_on=today + datetime.timedelta(days=9),
            label=f"break {marker}",
            what_ill_do=f"break plan {marker}",
            who_ill_reach=f"break people {marker}",
            helpful_cards=("builtin:while-away",),
        ),
    )
    return FilledToolkit(
        owner=owner,
        marker=marker,
        check_in=check_in,
        entry=entry,
        note=note,
        excerpt=None,
        card=card,
        words=words,
        plan=plan,
        therapist_break=therapist_break,
    )


@pytest.fixture
def filled_toolkit(owner: User) -> FilledToolkit:
    return fill_toolkit(owner)


@dataclass
class FakeProviders:
    """What the (not yet built) forum and safety apps answer, set per test."""

    excerpts: dict[tuple[int, int], PostExcerpt] = field(default_factory=dict)
    crisis: CrisisContacts | None = None
    excerpt_requests: list[tuple[int, int]] = field(default_factory=list)

    def excerpt_for(self, member: User, post_id: int) -> PostExcerpt | None:
        self.excerpt_requests.append((member.pk, post_id))
        return self.excerpts.get((member.pk, post_id))

    def crisis_for(self, member: User) -> CrisisContacts | None:
        return self.crisis


@pytest.fixture
def fake_providers(monkeypatch: pytest.MonkeyPatch) -> FakeProviders:
    """Register fake providers; monkeypatch restores whatever was registered before."""
    fake = FakeProviders()
    monkeypatch.setattr(providers, "_post_excerpt_provider", fake.excerpt_for)
    monkeypatch.setattr(providers, "_crisis_contacts_provider", fake.crisis_for)
    return fake


@pytest.fixture
def no_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(providers, "_post_excerpt_provider", None)
    monkeypatch.setattr(providers, "_crisis_contacts_provider", None)


@pytest.fixture
def isolated_keys(settings: Settings, tmp_path: object) -> Iterator[Callable[[], None]]:
    """A fresh data directory (so a fresh key file) for tests that change keys."""
    settings.DATA_DIR = tmp_path
    settings.HEARTH_TOOLKIT_KEYS = []
    encryption.reset_cache()
    yield encryption.reset_cache
    encryption.reset_cache()
