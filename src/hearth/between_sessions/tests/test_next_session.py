"""Notes for the next session: gathered, printable, copyable, marked discussed."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.between_sessions import selectors, services
from hearth.between_sessions.models import SessionNote
from hearth.between_sessions.tests.conftest import MARKER, FakeProviders, FilledToolkit
from hearth.core.providers import PostExcerpt
from hearth.core.testing import MakeMember

pytestmark = pytest.mark.django_db

NEXT = reverse("between_sessions:next_session")


def test_the_page_gathers_flagged_entries_and_every_section(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    owner = filled_toolkit.owner
    for section in ("talk_about", "not_said", "about_therapy", "tried"):
        services.add_session_note(owner=owner, section=section, text=f"{section} {MARKER}")

    page = client_for(owner).get(NEXT).content.decode()

    assert f"entry text {MARKER}" in page  # the flagged entry
    assert f"check-in note {MARKER}" not in page  # not flagged
    for heading in ("What I want to talk about", "What I didn&#x27;t say last time",
                    "Feelings about my therapist or therapy", "Questions",
                    "What I tried and how it went", "From the forum"):  # fmt: skip
        assert heading in page
    for section in ("talk_about", "not_said", "about_therapy", "tried", "question"):
        assert f"{section} {MARKER}" in page


def test_adding_a_note_to_a_section(owner: User, client_for: Callable[[User], Client]) -> None:
    response = client_for(owner).post(
        reverse("between_sessions:session_note_add"),
        {"section": "about_therapy", "text": "  I felt rushed at the end.  "},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#section-about_therapy")
    note = selectors.session_notes_for(owner).get()
    assert (note.section, note.text) == ("about_therapy", "I felt rushed at the end.")


def test_a_note_that_is_too_long_is_refused_and_kept_for_editing(
    owner: User, client_for: Callable[[User], Client]
) -> None:
    text = "x" * 4001 + MARKER

    response = client_for(owner).post(
        reverse("between_sessions:session_note_add"), {"section": "questions", "text": text}
    )

    assert response.status_code == 400
    assert text in response.content.decode()
    assert not selectors.session_notes_for(owner).exists()


def test_items_marked_discussed_move_to_the_archive_and_can_come_back(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    client = client_for(filled_toolkit.owner)
    client.post(
        reverse("between_sessions:session_note_discussed", args=[filled_toolkit.note.pk]),
        {"discussed": "1"},
    )
    client.post(
        reverse("between_sessions:entry_discussed", args=[filled_toolkit.entry.pk]),
        {"discussed": "1"},
    )

    current = client.get(NEXT).content.decode()
    archive = client.get(reverse("between_sessions:next_session_discussed")).content.decode()
    assert f"question {MARKER}" not in current
    assert f"entry text {MARKER}" not in current
    assert f"question {MARKER}" in archive
    assert f"entry text {MARKER}" in archive

    client.post(
        reverse("between_sessions:session_note_discussed", args=[filled_toolkit.note.pk]),
        {"discussed": "0"},
    )
    assert f"question {MARKER}" in client.get(NEXT).content.decode()


def test_editing_and_deleting_a_note(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    client = client_for(filled_toolkit.owner)
    note = filled_toolkit.note

    client.post(reverse("between_sessions:session_note_edit", args=[note.pk]), {"text": "Changed"})
    note.refresh_from_db()
    assert note.text == "Changed"

    client.post(reverse("between_sessions:session_note_delete", args=[note.pk]))
    assert not SessionNote.objects.filter(pk=note.pk).exists()


def test_the_next_session_date_is_shown(owner: User, client_for: Callable[[User], Client]) -> None:
    client = client_for(owner)

    response = client.post(
        reverse("between_sessions:next_session_date"), {"session_on": "2031-03-04"}
    )

    assert response.status_code == 302
    assert (
        "Tuesday 4 March 2031"
        in client.get(reverse("between_sessions:next_session_print")).content.decode()
    )
    bad = client.post(reverse("between_sessions:next_session_date"), {"session_on": "soon"})
    assert bad.status_code == 400
    assert 'value="soon"' in bad.content.decode()


def test_the_print_page_has_no_site_chrome(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    page = (
        client_for(filled_toolkit.owner)
        .get(reverse("between_sessions:next_session_print"))
        .content.decode()
    )

    assert f"entry text {MARKER}" in page
    assert f"question {MARKER}" in page
    assert "site-header" not in page
    assert "site-footer" not in page
    assert "<title>Notes</title>" in page
    assert "between_sessions/print-page.css" in page
    assert "@media print" in _stylesheet("print-page.css")


def test_the_plain_text_copy(
    filled_toolkit: FilledToolkit, client_for: Callable[[User], Client]
) -> None:
    response = client_for(filled_toolkit.owner).get(reverse("between_sessions:next_session_text"))

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("Notes for next session")
    assert f"- question {MARKER}" in text
    assert f"entry text {MARKER}" in text
    assert "Hurt: left behind: 8/10" in text
    assert "<" not in text  # plain text, no markup and no escaping


def test_a_received_reply_added_as_an_excerpt_shows_no_other_members_name(
    owner: User,
    make_member: MakeMember,
    client_for: Callable[[User], Client],
    fake_providers: FakeProviders,
) -> None:
    make_member(username="harbour", display_name="Harbour")
    make_member(username="fernleaf", display_name="Fern Leaf")
    # The forum's provider is meant to anonymise; this one slips, to prove the
    # toolkit removes names itself too.
    fake_providers.excerpts[(owner.pk, 42)] = PostExcerpt(
        post_id=42,
        thread_title="Weekends without sessions",
        text="Harbour here. Like @fernleaf said, the gap gets easier. Fern Leaf agrees, Owner.",
        is_own_post=False,
    )
    client = client_for(owner)

    response = client.post(
        reverse("between_sessions:session_note_excerpt"), {"post": "http://testserver/p/42/"}
    )

    assert response.status_code == 302
    assert fake_providers.excerpt_requests == [(owner.pk, 42)]
    for url_name in ("next_session", "next_session_print", "next_session_text", "export_json",
                     "export_print"):  # fmt: skip
        page = client.get(reverse(f"between_sessions:{url_name}")).content.decode()
        assert "the gap gets easier" in page, url_name
        for name in ("Harbour", "harbour", "fernleaf", "Fern Leaf"):
            assert name not in page, (url_name, name)
    note = selectors.session_notes_for(owner).get()
    assert note.excerpt_source == "received_reply"
    assert note.text == (
        "[name removed] here. Like [name removed] said, the gap gets easier. "
        "[name removed] agrees, Owner."
    )


def test_a_post_the_forum_does_not_offer_gives_a_clear_message(
    owner: User, client_for: Callable[[User], Client], fake_providers: FakeProviders
) -> None:
    response = client_for(owner).post(
        reverse("between_sessions:session_note_excerpt"), {"post": "77"}
    )

    assert response.status_code == 400
    assert (
        "We couldn&#x27;t find that post among yours or the replies you received"
        in response.content.decode()
    )
    assert not selectors.session_notes_for(owner).exists()


def test_without_a_forum_the_excerpt_is_not_found_either(
    owner: User, client_for: Callable[[User], Client], no_providers: None
) -> None:
    response = client_for(owner).post(
        reverse("between_sessions:session_note_excerpt"), {"post": "/p/3/"}
    )

    assert response.status_code == 400
    assert "We couldn&#x27;t find that post" in response.content.decode()


def test_something_that_is_not_a_post_link_is_explained(
    owner: User, client_for: Callable[[User], Client], fake_providers: FakeProviders
) -> None:
    response = client_for(owner).post(
        reverse("between_sessions:session_note_excerpt"), {"post": "my favourite thread"}
    )

    assert response.status_code == 400
    assert "contains /p/ and a number" in response.content.decode()
    assert 'value="my favourite thread"' in response.content.decode()
    assert fake_providers.excerpt_requests == []


def _stylesheet(name: str) -> str:
    return (
        Path(__file__).resolve().parent.parent / "static" / "between_sessions" / name
    ).read_text()


def test_adding_the_same_post_twice_keeps_one_excerpt_and_says_so(
    owner: User, client_for: Callable[[User], Client], fake_providers: FakeProviders
) -> None:
    fake_providers.excerpts[(owner.pk, 42)] = PostExcerpt(
        post_id=42, thread_title="Weekends", text="The gap gets easier.", is_own_post=True
    )
    client = client_for(owner)
    add = reverse("between_sessions:session_note_excerpt")

    first = client.post(add, {"post": "42"}, follow=True)
    again = client.post(add, {"post": "/p/42/"}, follow=True)

    assert "The excerpt is in your notes for your next session." in first.content.decode()
    assert again.status_code == 200
    assert "That post is already in your notes for your next session." in html.unescape(
        again.content.decode()
    )
    assert selectors.session_notes_for(owner).count() == 1


def test_an_excerpt_marked_discussed_comes_back_when_added_again(
    owner: User, fake_providers: FakeProviders
) -> None:
    fake_providers.excerpts[(owner.pk, 42)] = PostExcerpt(42, "Weekends", "Easier.", True)
    note, is_new = services.add_forum_excerpt(owner=owner, post_id=42)
    services.mark_session_note_discussed(note=note, discussed=True)

    again, is_new_again = services.add_forum_excerpt(owner=owner, post_id=42)

    assert (is_new, is_new_again) == (True, False)
    assert again.pk == note.pk
    assert again.discussed_at is None
    assert selectors.next_session_notes_for(owner).excerpts == [again]


def test_a_different_post_is_a_new_excerpt(owner: User, fake_providers: FakeProviders) -> None:
    fake_providers.excerpts[(owner.pk, 1)] = PostExcerpt(1, "Weekends", "Saturday.", True)
    fake_providers.excerpts[(owner.pk, 2)] = PostExcerpt(2, "Weekends", "Sunday.", True)

    services.add_forum_excerpt(owner=owner, post_id=1)
    services.add_forum_excerpt(owner=owner, post_id=2)

    assert selectors.session_notes_for(owner).count() == 2


def test_the_plain_text_copy_indents_every_paragraph_under_its_item(
    owner: User, client_for: Callable[[User], Client], fake_providers: FakeProviders
) -> None:
    fake_providers.excerpts[(owner.pk, 42)] = PostExcerpt(
        post_id=42,
        thread_title="Weekends",
        text="First paragraph.\n\nSecond paragraph.\nIts second line.",
        is_own_post=True,
    )
    services.add_forum_excerpt(owner=owner, post_id=42)
    services.add_session_note(
        owner=owner, section=SessionNote.Section.QUESTIONS, text="Can we talk?\nAbout the break."
    )

    text = client_for(owner).get(reverse("between_sessions:next_session_text")).content.decode()

    assert '- "Weekends"\n  First paragraph.\n\n  Second paragraph.\n  Its second line.\n' in text
    assert "- Can we talk?\n  About the break.\n" in text
    assert not any(line != line.rstrip() for line in text.splitlines())  # no trailing spaces
