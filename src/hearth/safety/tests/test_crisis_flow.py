"""A post that matches a crisis signal: published as normal, a private panel for the
writer, a check-in for moderators, and nothing recorded on the member (CARE.md)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post, Thread
from hearth.forum.testing import MakeThread
from hearth.safety import crisis_matching
from hearth.safety import services as safety_services
from hearth.safety.models import CrisisRule, QueueItem, QueueKind, Resolution

pytestmark = pytest.mark.django_db

CRISIS_TEXT = "I can't keep pretending. Tonight I just want to die."
METHOD_TEXT = "I've been saving up my pills for weeks now."


def _reply(client: Client, thread: Thread, body: str) -> Post:
    response = client.post(
        reverse("forum:reply", args=[thread.pk]), {"body": body, "request_key": body[:20]}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Post.objects.get(thread=thread, body=body)


def test_a_crisis_post_is_published_and_the_writer_alone_sees_the_panel(
    make_thread: MakeThread, make_member: MakeMember, client_for: ClientFor
) -> None:
    thread = make_thread()
    writer = make_member(country="GB")
    reader = make_member()
    writer_client, reader_client = client_for(writer), client_for(reader)
    fields_before = {
        field.name: getattr(writer, field.name) for field in User._meta.concrete_fields
    }

    post = _reply(writer_client, thread, CRISIS_TEXT)
    writer_page = writer_client.get(thread.get_absolute_url()).content.decode()
    reader_page = reader_client.get(thread.get_absolute_url()).content.decode()

    # Published as normal, visible to others, never hidden or held.
    assert not post.is_hidden
    assert not post.is_held
    assert not post.is_deleted
    assert "Tonight I just want to die." in reader_page
    # The writer's private panel: the emergency number first, lines with checked dates,
    # the coping plan, the opt-in check-in, and the honest hours.
    assert "Thank you for sharing this" in writer_page
    panel = writer_page.split('class="crisis-panel"', 1)[1].split("</aside>", 1)[0]
    assert panel.index("999") < panel.index("Samaritans")
    assert "116 123" in panel
    assert "Details checked on 30 November 2026" in panel
    assert "Ask a moderator to check in with me" in panel
    assert "not a crisis service" in panel
    assert "moderator is on duty" in panel or "next one is on in" in panel
    assert "Thank you for sharing this" not in reader_page
    # A moderator check-in exists, about the post, not the person.
    item = QueueItem.objects.get(kind=QueueKind.CHECK_IN)
    assert (item.post_id, item.thread_id) == (post.pk, thread.pk)
    assert item.reported_member is None
    assert item.reporter is None
    # Nothing about it is recorded on the member.
    writer.refresh_from_db()
    fields_after = {field.name: getattr(writer, field.name) for field in User._meta.concrete_fields}
    assert fields_after == {**fields_before, "last_login": fields_after["last_login"]}
    # The panel shows once.
    assert (
        "Thank you for sharing this"
        not in writer_client.get(thread.get_absolute_url()).content.decode()
    )


def test_the_writer_can_ask_a_moderator_to_check_in(
    make_thread: MakeThread, member: User, member_client: Client
) -> None:
    thread = make_thread()
    _reply(member_client, thread, CRISIS_TEXT)
    item = QueueItem.objects.get(kind=QueueKind.CHECK_IN)
    priority = item.priority

    response = member_client.post(reverse("forum:ask_for_check_in", args=[item.pk]))

    assert response.status_code == 200
    assert "asked a moderator to check in" in response.content.decode()
    item.refresh_from_db()
    assert item.asked_for_check_in
    assert item.priority > priority


def test_only_the_writer_can_ask_for_their_check_in(
    make_thread: MakeThread, member_client: Client, make_member: MakeMember, client_for: ClientFor
) -> None:
    thread = make_thread()
    _reply(member_client, thread, CRISIS_TEXT)
    item = QueueItem.objects.get(kind=QueueKind.CHECK_IN)

    response = client_for(make_member()).post(reverse("forum:ask_for_check_in", args=[item.pk]))

    assert response.status_code == 404
    item.refresh_from_db()
    assert not item.asked_for_check_in


@pytest.mark.parametrize(
    "body",
    [
        "I would never kill myself, but some days are grey.",
        "> I want to die\n\nThat lyric has stayed with me all week.",
        'My friend once said "I want to die" and I think of her often.',
        "My therapist is away and I miss her :(",
    ],
)
def test_negated_quoted_or_ordinary_words_do_not_fire(
    make_thread: MakeThread, member_client: Client, body: str
) -> None:
    thread = make_thread()

    _reply(member_client, thread, body)

    assert not QueueItem.objects.filter(kind=QueueKind.CHECK_IN).exists()
    assert (
        "Thank you for sharing this"
        not in member_client.get(thread.get_absolute_url()).content.decode()
    )


def test_a_method_rule_folds_the_post_under_a_content_note_and_raises_priority(
    make_thread: MakeThread, member_client: Client, client_for: ClientFor, make_member: MakeMember
) -> None:
    thread = make_thread()
    _reply(member_client, thread, CRISIS_TEXT)
    ordinary = QueueItem.objects.get(kind=QueueKind.CHECK_IN)

    post = _reply(member_client, thread, METHOD_TEXT)

    method_item = QueueItem.objects.get(kind=QueueKind.CHECK_IN, post_id=post.pk)
    assert method_item.priority > ordinary.priority
    assert set(post.content_notes.values_list("slug", flat=True)) >= {"suicide"}
    reader_page = client_for(make_member()).get(thread.get_absolute_url()).content.decode()
    assert '<details class="fold fold--note"><summary>Content note: Suicide' in reader_page


def test_the_preview_shows_the_panel_but_opens_no_check_in(member_client: Client) -> None:
    response = member_client.post(
        reverse("forum:preview"), {"body": CRISIS_TEXT}, HTTP_HX_REQUEST="true"
    )

    page = response.content.decode()
    assert "Thank you for sharing this" in page
    assert "Your post is up" not in page  # nothing is posted yet
    assert not QueueItem.objects.exists()


def test_a_held_first_post_gets_a_panel_that_says_it_waits_for_a_moderator(
    make_thread: MakeThread, member_client: Client, settings: object
) -> None:
    thread = make_thread()  # by another member, whose post is not held
    settings.HEARTH_HOLD_FIRST_POSTS = 1  # type: ignore[attr-defined]

    post = _reply(member_client, thread, CRISIS_TEXT)
    page = member_client.get(thread.get_absolute_url()).content.decode()

    assert post.is_held
    panel = page.split('class="crisis-panel"', 1)[1].split("</aside>", 1)[0]
    assert "Your post is waiting for a moderator" in panel
    assert "only you and the moderators can see it" in panel
    assert "Your post is up" not in panel
    assert "Ask a moderator to check in with me" in panel
    item = QueueItem.objects.get(kind=QueueKind.CHECK_IN, post_id=post.pk)
    asked = member_client.post(reverse("forum:ask_for_check_in", args=[item.pk]))
    assert "Your post is waiting for a moderator" in asked.content.decode()


def test_rules_count_how_often_they_fire_and_how_often_they_were_not_needed(
    make_thread: MakeThread, member_client: Client, moderator: User
) -> None:
    thread = make_thread()
    _reply(member_client, thread, CRISIS_TEXT)
    item = QueueItem.objects.get(kind=QueueKind.CHECK_IN)

    safety_services.close_queue_item(
        item=item, moderator=moderator, resolution=Resolution.NOT_NEEDED
    )

    rule = CrisisRule.objects.get(pk=item.rule_ids[0])
    assert (rule.fired_count, rule.dismissed_count) == (1, 1)
    item.refresh_from_db()
    assert item.status == "closed"


def test_drafts_and_the_private_toolkit_never_reach_the_checker(
    make_thread: MakeThread, member_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = make_thread()
    calls: list[str] = []
    real = crisis_matching.find_crisis_signals

    def spy(text: str, rules: object, *, language: str) -> list[crisis_matching.CrisisMatch]:
        calls.append(text)
        return real(text, rules, language=language)  # type: ignore[arg-type]

    # Every check goes through the matcher module, so one spy sees them all.
    monkeypatch.setattr(crisis_matching, "find_crisis_signals", spy)

    draft = member_client.post(
        reverse("forum:save_draft"), {"thread": thread.pk, "body": CRISIS_TEXT}
    )
    check_in = member_client.post(
        reverse("between_sessions:check_in"),
        {"feeling_1": "scared.worried", "intensity_1": "9", "note": CRISIS_TEXT},
    )
    entry = member_client.post(
        reverse("between_sessions:entry_new"),
        {"trigger": "therapist_away", "feeling_1": "sad", "intensity_1": "9", "text": CRISIS_TEXT},
    )

    assert draft.status_code == 200
    assert check_in.status_code == 302
    assert entry.status_code == 302
    assert calls == []
    _reply(member_client, thread, CRISIS_TEXT)
    assert calls == [CRISIS_TEXT]


def test_moderators_who_opt_out_do_not_see_check_ins(
    make_thread: MakeThread, member_client: Client, moderator: User, client_for: ClientFor
) -> None:
    thread = make_thread()
    _reply(member_client, thread, CRISIS_TEXT)
    moderator.receives_check_ins = False
    moderator.save()

    page = client_for(moderator).get(reverse("moderation:queue")).content.decode()

    assert "Check-in" not in page.split("<main", 1)[1].split("Queue filters", 1)[1]
    assert (
        client_for(moderator).get(reverse("moderation:queue") + "?kind=check_in").status_code == 400
    )
