"""The audit log and a member's history read as "before → after" lines, and suspension
dates read as "Sunday 6 December, 17:51" wherever members and moderators see them
(issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from hearth.accounts.models import User
from hearth.core.pseudo_locale import pseudo_translate
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post
from hearth.forum.testing import MakeThread
from hearth.moderation.audit_text import ChangeLine, describe_changes
from hearth.moderation.models import ModeratorNotice
from hearth.moderation.services import hide_post, lift_suspension, suspend_member
from hearth.safety.time_words import day_and_time

SUNDAY_EVENING = "2026-12-06T17:51:00+00:00"


def _describe(before: dict[str, object], after: dict[str, object]) -> list[str]:
    with translation.override("en"), timezone.override("UTC"):
        lines = describe_changes(before, after)
    return [_line(line) for line in lines]


def _line(line: ChangeLine) -> str:
    if line.before is None:
        return f"{line.label}: {line.after}"
    return f"{line.label}: {line.before} → {line.after}"


def test_a_suspension_reads_as_dates_and_yes_or_no() -> None:
    lines = _describe(
        {"suspended_until": None, "partial": False},
        {"suspended_until": SUNDAY_EVENING, "partial": True},
    )

    assert lines[0].startswith("Suspended until: — → Sunday 6 December")
    assert lines[0].endswith("17:51")
    assert lines[1] == "Partial suspension: no → yes"


def test_text_is_quoted_and_long_text_shortened() -> None:
    lines = _describe({"title": "Old", "body": "word " * 100}, {"title": "New", "body": "Short"})

    assert lines[0] == "Title: “Old” → “New”"
    before = lines[1].split(" → ")[0]
    assert before.startswith("Text: “word word")
    assert before.endswith("…”")
    assert len(before) < 220
    assert lines[1].endswith("→ “Short”")


def test_a_value_recorded_only_after_or_unchanged_has_no_arrow() -> None:
    assert _describe({}, {"resolution": "not_needed"}) == [
        "How it ended: Not needed (the rule misfired)"
    ]
    assert _describe({"partial": True}, {"partial": True}) == ["Partial suspension: yes"]


def test_a_value_recorded_only_before_reads_as_gone_after() -> None:
    assert _describe({"is_hidden": True, "hidden_reason": "Rude"}, {"is_hidden": False}) == [
        "Hidden: yes → no",
        "Reason it was hidden: “Rude” → —",
    ]


def test_ids_lists_and_unknown_fields_still_read_as_words() -> None:
    lines = _describe(
        {"labels": ["grief"], "some_new_flag": 3},
        {"labels": ["grief", "self-harm"], "message_ids": [4, 5], "some_new_flag": 4},
    )

    assert lines == [
        "Content-note labels: grief → grief, self-harm",
        "Messages read: #4, #5",
        "Some new flag: 3 → 4",
    ]


def _flat(html: str) -> str:
    """The page as a sighted reader sees its change lines: the arrow, without the words
    "changed to" that only screen readers read."""
    html = html.replace('<span class="visually-hidden">changed to</span>', "")
    return " ".join(html.replace('<span aria-hidden="true">→</span>', "→").split())


@pytest.mark.django_db
def test_the_audit_log_prints_changes_not_dictionaries(
    make_thread: MakeThread, moderator: User, client_for: ClientFor
) -> None:
    post = Post.objects.get(thread=make_thread())
    hide_post(moderator=moderator, post=post, reason="Unkind")

    page = client_for(moderator).get(reverse("moderation:audit")).content.decode()

    assert 'Hidden: no <span aria-hidden="true">→</span>' in page
    assert "{&#x27;" not in page
    assert "is_hidden" not in page
    assert "Before:" not in page


@pytest.mark.django_db
def test_the_member_history_and_the_audit_log_share_one_formatter(
    make_member: MakeMember, administrator: User, client_for: ClientFor
) -> None:
    member = make_member(username="willow")
    suspend_member(moderator=administrator, member=member, days=3, partial=True, reason="Pause")
    member.refresh_from_db()
    assert member.suspended_until is not None
    client = client_for(administrator)
    with translation.override("en"), timezone.override(administrator.time_zone):
        until = day_and_time(member.suspended_until)
    expected = f"Suspended until: — → {until}"

    history = _flat(client.get(reverse("moderation:member", args=["willow"])).content.decode())
    audit = _flat(client.get(reverse("moderation:audit")).content.decode())

    assert expected in history
    assert expected in audit
    assert "Partial suspension: no" in history
    assert "suspended_until" not in history


@pytest.mark.django_db
def test_the_member_page_says_until_when_in_words(
    make_member: MakeMember, administrator: User, client_for: ClientFor
) -> None:
    member = make_member(username="rowan")
    suspend_member(moderator=administrator, member=member, days=3, partial=False, reason="Pause")
    member.refresh_from_db()
    assert member.suspended_until is not None
    with translation.override("en"), timezone.override(administrator.time_zone):
        until = day_and_time(member.suspended_until)

    page = client_for(administrator).get(reverse("moderation:member", args=["rowan"]))

    text = " ".join(page.content.decode().split())
    assert f"Suspended until {until}</p>" in text
    assert f"until {until}: Pause</li>" in text  # the sanction history


@pytest.mark.django_db
def test_the_suspended_page_gives_the_date_in_the_members_words_with_one_full_stop(
    make_member: MakeMember, administrator: User, client_for: ClientFor
) -> None:
    member = make_member(time_zone="America/New_York")
    suspend_member(moderator=administrator, member=member, days=3, partial=False, reason="Pause")
    member.refresh_from_db()
    assert member.suspended_until is not None
    with translation.override("en"), timezone.override("America/New_York"):
        until = day_and_time(member.suspended_until)

    page = client_for(member).get(reverse("moderation:suspended")).content.decode()

    assert f"suspended your account until {until}. Their message explains why." in page
    assert ".." not in page.split("<main", 1)[1]


@pytest.mark.django_db
def test_the_suspension_notice_gives_the_date_in_the_members_time_zone(
    make_member: MakeMember, administrator: User
) -> None:
    member = make_member(time_zone="Asia/Tokyo")
    with timezone.override("UTC"):
        suspend_member(
            moderator=administrator, member=member, days=2, partial=True, reason="Cool off"
        )
    member.refresh_from_db()
    assert member.suspended_until is not None
    with translation.override("en"), timezone.override("Asia/Tokyo"):
        until = day_and_time(member.suspended_until)

    notice = ModeratorNotice.objects.get(member=member)

    assert notice.subject == f"Your account is suspended until {until}"
    assert notice.body.startswith(f"Until {until} you can read")
    assert "p.m." not in notice.body


@pytest.mark.django_db
def test_a_notice_is_worded_in_the_members_language_not_the_moderators(
    make_member: MakeMember, administrator: User, make_thread: MakeThread, pseudo_locale: str
) -> None:
    member = make_member(language=pseudo_locale)
    thread = make_thread(author=member)

    with translation.override("en"):
        hide_post(moderator=administrator, post=thread.posts.get(), reason="Off topic")
        suspend_member(moderator=administrator, member=member, days=2, partial=True, reason="Cool")

    hidden, suspended = ModeratorNotice.objects.filter(member=member).order_by("pk")
    assert hidden.subject == pseudo_translate("A moderator hid %(where)s") % {
        "where": pseudo_translate("your post in “%(title)s”") % {"title": thread.title}
    }
    assert suspended.subject.startswith(pseudo_translate("Your account is suspended until")[:-1])


@pytest.mark.django_db
def test_the_suspended_page_sends_a_member_home_once_it_is_lifted(
    make_member: MakeMember, administrator: User, client_for: ClientFor
) -> None:
    member = make_member()
    suspend_member(moderator=administrator, member=member, days=3, partial=False, reason="Pause")
    lift_suspension(moderator=administrator, member=member, reason="")
    client: Client = client_for(member)

    response = client.get(reverse("moderation:suspended"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_date_next_year_names_its_year() -> None:
    with translation.override("en"), timezone.override("UTC"):
        words = day_and_time(
            datetime(2028, 1, 2, 9, 5, tzinfo=UTC), now=datetime(2026, 12, 6, tzinfo=UTC)
        )

    assert words == "Sunday 2 January 2028, 09:05"


@pytest.mark.django_db
def test_a_partly_suspended_member_trying_to_post_reads_the_date_in_words(
    make_thread: MakeThread, make_member: MakeMember, administrator: User, client_for: ClientFor
) -> None:
    thread = make_thread()
    member = make_member(time_zone="Europe/London")
    suspend_member(moderator=administrator, member=member, days=3, partial=True, reason="Pause")
    member.refresh_from_db()
    assert member.suspended_until is not None
    with translation.override("en"), timezone.override("Europe/London"):
        until = day_and_time(member.suspended_until)

    refused = client_for(member).post(
        reverse("forum:reply", args=[thread.pk]), {"body": "Trying anyway", "request_key": "s"}
    )

    assert refused.status_code == 403
    assert f"post or react until {until}. The moderators" in refused.content.decode()
