"""Check-ins and journal entries: quick to make, the member's own words, no interpretation."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import cast

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from hearth.accounts.models import User
from hearth.between_sessions import selectors, services
from hearth.between_sessions.models import JournalEntry
from hearth.between_sessions.tests.conftest import MARKER
from hearth.between_sessions.vocabulary import FEELINGS, FeelingRating, feeling_choices

pytestmark = pytest.mark.django_db

CHECK_IN = reverse("between_sessions:check_in")


def check_in(owner: User, *ratings: tuple[str, int], note: str = "") -> JournalEntry:
    return services.record_check_in(
        owner=owner,
        content=services.EntryContent(
            feelings=tuple(FeelingRating(code, level) for code, level in ratings), note=note
        ),
    )


def test_the_vocabulary_has_two_levels_with_each_core_feeling_first_in_its_group() -> None:
    groups = feeling_choices()[1:]

    assert len(groups) == len(FEELINGS) >= 8
    for core, (label, group) in zip(FEELINGS, groups, strict=True):
        options = cast("list[tuple[str, str]]", group)
        assert label == str(core.label)
        assert options[0][0] == core.code
        assert len(options) >= 5
        assert all(code.startswith(f"{core.code}.") for code, _ in options[1:])


def test_a_quick_check_in_with_one_feeling(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(owner).post(CHECK_IN, {"feeling_1": "scared.worried", "intensity_1": "4"})

    assert response.status_code == 302
    entry = selectors.journal_entries_for(owner).get()
    assert entry.kind == "check_in"
    assert entry.feelings == [{"feeling": "scared.worried", "intensity": 4}]
    assert not entry.bring_to_session


def test_a_check_in_with_three_feelings_body_sensations_and_a_note(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(owner).post(
        CHECK_IN,
        {
            "feeling_1": "sad",
            "intensity_1": "0",
            "feeling_2": "angry.frustrated",
            "intensity_2": "10",
            "feeling_3": "glad.hopeful",
            "intensity_3": "5",
            "body_sensations": ["tense", "tearful"],
            "note": "A long day.",
        },
    )

    assert response.status_code == 302
    entry = selectors.journal_entries_for(owner).get()
    assert [rating["intensity"] for rating in entry.feelings] == [0, 10, 5]
    assert entry.body_sensations == ["tense", "tearful"]
    assert entry.note == "A long day."


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose at least one feeling."),
        ({"feeling_1": "sad.low"}, "How strong is it? Choose a number from 0 to 10."),
        ({"feeling_1": "sad.low", "intensity_1": "11"}, "Select a valid choice"),
        ({"feeling_1": "sad.nothing", "intensity_1": "3"}, "Select a valid choice"),
        ({"feeling_1": "sad.low", "intensity_1": "3", "feeling_2": "sad.low", "intensity_2": "4"},
         "You already chose this feeling above."),
    ],
)  # fmt: skip
def test_a_check_in_with_a_problem_is_refused_and_keeps_what_was_typed(
    owner: User, client_for: Callable[[User], Client], data: dict[str, str], message: str
) -> None:
    response = client_for(owner).post(CHECK_IN, {**data, "note": f"typed {MARKER}"})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f"typed {MARKER}" in page
    assert 'aria-invalid="true"' in page
    assert not JournalEntry.objects.filter(owner=owner).exists()


def test_a_number_picked_without_a_feeling_is_ignored(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    client_for(owner).post(CHECK_IN, {"feeling_1": "calm", "intensity_1": "6", "intensity_2": "9"})

    assert selectors.journal_entries_for(owner).get().feelings == [
        {"feeling": "calm", "intensity": 6}
    ]


def test_the_service_refuses_more_than_three_feelings_or_none(owner: User) -> None:
    with pytest.raises(ValidationError):
        check_in(owner, ("sad", 1), ("angry", 2), ("hurt", 3), ("calm", 4))
    with pytest.raises(ValidationError):
        check_in(owner)
    with pytest.raises(ValidationError):
        check_in(owner, ("sad", 11))


def test_a_fuller_entry_with_what_set_it_off_what_helped_and_bring_to_session(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(owner)

    response = client.post(
        reverse("between_sessions:entry_new"),
        {
            "trigger": "waiting_for_reply",
            "trigger_detail": "No answer since Friday",
            "feeling_1": "scared.dreading",
            "intensity_1": "7",
            "text": f"Long text {MARKER}",
            "what_helped": "Walking",
            "helpful_cards": ["builtin:grounding"],
            "bring_to_session": "on",
        },
    )

    entry = selectors.journal_entries_for(owner).get()
    assert response["Location"] == reverse("between_sessions:entry", args=[entry.pk])
    assert (entry.kind, entry.trigger, entry.bring_to_session) == (
        "entry",
        "waiting_for_reply",
        True,
    )
    page = client.get(response["Location"]).content.decode()
    for shown in (
        "Waiting for a reply",
        "No answer since Friday",
        "Scared or anxious: dreading something",
        "7/10",
        f"Long text {MARKER}",
        "Walking",
        "5-4-3-2-1 grounding",
    ):
        assert shown in page


def test_every_between_session_moment_is_offered(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    page = client_for(owner).get(reverse("between_sessions:entry_new")).content.decode()

    for moment in ("A session just ended", "My therapist is away", "The weekend",
                   "Waiting for a reply", "An anniversary", "Something else"):  # fmt: skip
        assert moment in page


def test_an_empty_entry_is_refused(owner: User, client_for: Callable[[User], Client]) -> None:
    response = client_for(owner).post(reverse("between_sessions:entry_new"), {"what_helped": "x"})

    assert response.status_code == 400
    assert "Choose a feeling, say what set it off, or write something" in response.content.decode()


def test_editing_a_check_in_keeps_its_kind_and_its_flag(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    entry = check_in(owner, ("sad", 3))
    services.set_bring_to_session(entry=entry, bring=True)

    client_for(owner).post(
        reverse("between_sessions:entry_edit", args=[entry.pk]),
        {"feeling_1": "calm.relieved", "intensity_1": "2", "note": "Better"},
    )

    entry.refresh_from_db()
    assert (entry.kind, entry.bring_to_session, entry.note) == ("check_in", True, "Better")
    assert entry.feelings == [{"feeling": "calm.relieved", "intensity": 2}]


def test_the_edit_form_starts_from_what_was_saved(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    entry = check_in(owner, ("sad.lonely", 6), note=f"saved {MARKER}")

    page = (
        client_for(owner)
        .get(reverse("between_sessions:entry_edit", args=[entry.pk]))
        .content.decode()
    )

    assert '<option value="sad.lonely" selected>' in page
    assert re.search(r'value="6"[^>]*checked', page)
    assert f"saved {MARKER}" in page


def test_deleting_an_entry(owner: User, client_for: Callable[[User], Client]) -> None:
    entry = check_in(owner, ("sad", 3))
    client = client_for(owner)

    assert client.get(reverse("between_sessions:entry_delete", args=[entry.pk])).status_code == 200
    client.post(reverse("between_sessions:entry_delete", args=[entry.pk]))

    assert not JournalEntry.objects.filter(pk=entry.pk).exists()


def test_the_list_filters_by_day_and_the_calendar_counts_entries(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    today = timezone.localdate()
    old = check_in(owner, ("sad", 3), note="forty days ago")
    JournalEntry.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=40)
    )
    check_in(owner, ("calm", 3), note="today one")
    check_in(owner, ("calm", 4), note="today two")
    client = client_for(owner)

    day_page = client.get(
        reverse("between_sessions:entries"), {"day": today.isoformat()}
    ).content.decode()
    calendar = client.get(reverse("between_sessions:entry_calendar")).content.decode()

    assert "today one" in day_page
    assert "forty days ago" not in day_page  # not "older": the site's "placeholder" has it
    assert f"?day={today.isoformat()}" in calendar
    assert "2 entries" in calendar
    assert today.strftime("%B %Y") in calendar


def test_a_nonsense_month_or_day_falls_back_quietly(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(owner)

    assert (
        client.get(reverse("between_sessions:entry_calendar"), {"month": "2026-13"}).status_code
        == 200
    )
    assert client.get(reverse("between_sessions:entries"), {"day": "yesterday"}).status_code == 200


def test_the_chart_draws_what_was_recorded_and_nothing_more(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    check_in(owner, ("sad.lonely", 6), ("glad", 2))
    check_in(owner, ("sad", 8))

    page = client_for(owner).get(reverse("between_sessions:entry_chart")).content.decode()

    assert _chart(page).count("<circle ") == 3  # the page's icons have circles of their own
    assert 'class="series series--sad"' in page
    assert 'class="series series--glad"' in page
    assert 'role="img"' in page
    assert "<td>Sad: lonely</td><td>6</td>" in page
    visible = re.sub(r"<[^>]+>", " ", page).lower()
    for interpretation in ("average", "trend", "improv", "worse", "better", "mood score", "total"):
        assert interpretation not in visible


def test_the_chart_of_another_member_is_empty(
    owner: User, other_member: User, client_for: Callable[[User], Client]
) -> None:
    check_in(owner, ("sad", 8))

    page = client_for(other_member).get(reverse("between_sessions:entry_chart")).content.decode()

    assert "<circle " not in _chart(page)


def _chart(page: str) -> str:
    """The chart's drawing (the page is "" when it has none)."""
    drawings = re.findall(r'<svg[^>]*role="img".*?</svg>', page, re.DOTALL)
    return "".join(drawings)


@pytest.mark.parametrize("url_name", ["entries", "entry_calendar", "entry_chart", "next_session"])
def test_list_pages_do_not_grow_in_queries_with_more_entries(
    owner: User,
    client_for: Callable[[User], Client],
    django_assert_num_queries: DjangoAssertNumQueries,
    url_name: str,
) -> None:
    client = client_for(owner)
    url = reverse(f"between_sessions:{url_name}")
    services.set_bring_to_session(entry=check_in(owner, ("sad", 3)), bring=True)
    client.get(url)
    with CaptureQueriesContext(connection) as one_row:
        client.get(url)
    for level in range(10):
        services.set_bring_to_session(entry=check_in(owner, ("calm", level)), bring=True)

    with django_assert_num_queries(len(one_row.captured_queries)):
        client.get(url)
