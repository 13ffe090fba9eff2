"""The queue reads as words: waits and targets, rule names, urgency, held posts' text,
and no ending chosen for a moderator closing an item (issue 18)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Post, Thread
from hearth.forum.services import delete_post
from hearth.forum.testing import MakeCategory, MakeThread
from hearth.moderation.models import AuditEntry
from hearth.moderation.selectors import Urgency, urgency_of
from hearth.safety import services as safety_services
from hearth.safety.models import CrisisRule, QueueItem, QueueKind, QueueStatus, ReportReason
from hearth.safety.services import file_report

pytestmark = pytest.mark.django_db

CRISIS_TEXT = "I can't keep pretending. Tonight I just want to die."
_keys = itertools.count(1)


def _reply(client: Client, thread: Thread, body: str) -> Post:
    response = client.post(
        reverse("forum:reply", args=[thread.pk]), {"body": body, "request_key": f"r{next(_keys)}"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return Post.objects.get(thread=thread, body=body)


def _report(post: Post, reporter: User, reason: ReportReason = ReportReason.SPAM) -> QueueItem:
    return file_report(
        reporter=reporter,
        reason=reason,
        details="",
        post_id=post.pk,
        thread_id=post.thread_id,
        category_id=post.thread.category_id,
    )


def _item_html(page: str, item: QueueItem) -> str:
    """The item's part of the queue page: up to the next item, or the end of the list."""
    after = page.split(f'id="item-{item.pk}"', 1)[1]
    return re.split(r'<li class="card queue-item|</ol>', after, maxsplit=1)[0]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def test_waiting_time_and_target_read_as_words_not_seconds(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    moderator: User,
    client_for: ClientFor,
) -> None:
    settings.HEARTH_REPORT_TARGET_HOURS = 24
    item = _report(make_thread().posts.get(), make_member())
    QueueItem.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - timedelta(hours=3, minutes=10)
    )

    page = client_for(moderator).get(reverse("moderation:queue")).content.decode()

    line = _text(_item_html(page, item))
    assert "Waiting 3 hours · target 1 day" in line
    assert "seconds" not in page
    assert "over target" not in line


def test_an_overdue_check_in_says_so_in_hours(
    settings: Settings,
    make_thread: MakeThread,
    member_client: Client,
    moderator: User,
    client_for: ClientFor,
) -> None:
    settings.HEARTH_CHECK_IN_TARGET_HOURS = 4
    _reply(member_client, make_thread(), CRISIS_TEXT)
    item = QueueItem.objects.get(kind=QueueKind.CHECK_IN)
    QueueItem.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - timedelta(days=1, hours=2, minutes=5)
    )

    page = client_for(moderator).get(reverse("moderation:queue")).content.decode()

    line = _text(_item_html(page, item))
    assert "Waiting 1 day and 2 hours · target 4 hours · over target" in line


def test_a_check_in_names_the_rules_and_keeps_the_pattern_behind_details(
    make_thread: MakeThread, member_client: Client, moderator: User, client_for: ClientFor
) -> None:
    _reply(member_client, make_thread(), CRISIS_TEXT)
    item = QueueItem.objects.get(kind=QueueKind.CHECK_IN)
    rule = CrisisRule.objects.get(pk=item.rule_ids[0])
    assert rule.is_regex  # the default "want to die" rule is a regular expression

    html = _item_html(client_for(moderator).get(reverse("moderation:queue")).content.decode(), item)

    matched = html.split("Matched", 1)[1].split("</p>", 1)[0]
    assert rule.name == "Wanting to die"
    assert rule.name in matched
    assert "(?:" not in matched
    details = html.split("<details>", 1)[1].split("</details>", 1)[0]
    assert "Rule details" in details
    assert "<code>" in details
    assert "a regular expression" in details


def test_a_rule_without_a_name_reads_as_its_description_or_phrase(
    make_thread: MakeThread, moderator: User, client_for: ClientFor
) -> None:
    post = make_thread().posts.get()
    described = CrisisRule.objects.create(
        language="en", pattern=r"\bcanary\s+one\b", is_regex=True, description="A test rule"
    )
    bare = CrisisRule.objects.create(language="en", pattern=r"\bcanary\s+two\b", is_regex=True)
    phrase = CrisisRule.objects.create(language="en", pattern="canary three")
    item = QueueItem.objects.create(
        kind=QueueKind.CHECK_IN,
        post_id=post.pk,
        thread_id=post.thread_id,
        category_id=post.thread.category_id,
        rule_ids=[described.pk, bare.pk, phrase.pk],
    )

    html = _item_html(client_for(moderator).get(reverse("moderation:queue")).content.decode(), item)

    matched = _text(html.split("Matched", 1)[1].split("</p>", 1)[0])
    assert matched == (f": A test rule; Rule {bare.pk} (a regular expression); canary three")


def test_urgency_follows_the_priorities_the_queue_is_sorted_by() -> None:
    assert urgency_of(safety_services.PRIORITY_METHOD) == Urgency.URGENT
    assert (
        urgency_of(safety_services.PRIORITY_CHECK_IN + safety_services.PRIORITY_ASKED)
        == Urgency.URGENT
    )
    assert urgency_of(safety_services.PRIORITY_CHECK_IN) == Urgency.HIGH
    assert urgency_of(safety_services.PRIORITY_WORRIED) == Urgency.HIGH
    assert urgency_of(safety_services.PRIORITY_REPORT) == Urgency.NORMAL
    assert urgency_of(safety_services.PRIORITY_MESSAGE) == Urgency.NORMAL
    assert urgency_of(safety_services.PRIORITY_HELD) == Urgency.LOW


def test_each_item_says_how_urgent_it_is_and_a_legend_explains_it(
    make_thread: MakeThread, make_member: MakeMember, moderator: User, client_for: ClientFor
) -> None:
    post = make_thread().posts.get()
    reporter = make_member()
    spam = _report(post, reporter, ReportReason.SPAM)
    worried = _report(post, reporter, ReportReason.WORRIED)

    page = client_for(moderator).get(reverse("moderation:queue")).content.decode()

    assert "priority" not in _text(page).lower()
    legend = _text(page.split('class="muted queue-legend"', 1)[1].split("</p>", 1)[0])
    assert "Most urgent first, then longest waiting." in legend
    for word in ("Urgent:", "High:", "Normal:", "Low: posts held for approval."):
        assert word in legend
    assert _text(_item_html(page, worried)).split(" · ")[0].endswith("High")
    assert _text(_item_html(page, spam)).split(" · ")[0].endswith("Normal")


def test_a_held_post_shows_its_text_in_the_queue(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    moderator: User,
    client_for: ClientFor,
) -> None:
    thread = make_thread()
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    newcomer = make_member(display_name="Newcomer Wren")
    post = _reply(client_for(newcomer), thread, "Hello everyone, **first** post here.")
    item = QueueItem.objects.get(kind=QueueKind.HELD_POST, post_id=post.pk)

    html = _item_html(client_for(moderator).get(reverse("moderation:queue")).content.decode(), item)

    assert "<strong>first</strong> post here." in html
    assert "Written by Newcomer Wren" in html
    assert "Low" in _text(html)
    assert reverse("moderation:post_action", args=[post.pk, "approve"]) in html


def test_a_held_post_with_a_content_note_is_folded_under_it(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    moderator: User,
    client_for: ClientFor,
) -> None:
    thread = make_thread()
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    newcomer = make_member()
    post = _reply(client_for(newcomer), thread, "Hard week with a lot of grief.")
    Post.objects.filter(pk=post.pk).update(content_note_text="a loss")
    item = QueueItem.objects.get(kind=QueueKind.HELD_POST, post_id=post.pk)

    html = _item_html(client_for(moderator).get(reverse("moderation:queue")).content.decode(), item)

    folded = html.split("<details", 1)[1].split("</details>", 1)[0]
    assert "Content note: a loss" in folded
    assert "Hard week with a lot of grief." in folded


def test_a_held_post_its_author_deleted_shows_no_text(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    moderator: User,
    client_for: ClientFor,
) -> None:
    thread = make_thread()
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    newcomer = make_member()
    post = _reply(client_for(newcomer), thread, "I changed my mind about this one.")
    item = QueueItem.objects.get(kind=QueueKind.HELD_POST, post_id=post.pk)
    delete_post(member=newcomer, post=post)
    assert QueueItem.objects.filter(pk=item.pk, status=QueueStatus.OPEN).exists()

    html = _item_html(client_for(moderator).get(reverse("moderation:queue")).content.decode(), item)

    assert "I changed my mind" not in html
    assert "no longer there" in html


def test_a_held_post_in_a_category_another_moderator_keeps_is_not_in_my_queue(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    make_category_moderator: Callable[[Category], User],
    make_category: MakeCategory,
    client_for: ClientFor,
) -> None:
    thread = make_thread(category=make_category("Private"))
    local = make_category_moderator(make_category("Mine"))
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    _reply(client_for(make_member()), thread, "canary held text")

    page = client_for(local).get(reverse("moderation:queue")).content.decode()

    assert "canary held text" not in page


def test_close_item_offers_no_ending_until_the_moderator_chooses(
    make_thread: MakeThread, make_member: MakeMember, moderator: User, client_for: ClientFor
) -> None:
    item = _report(make_thread().posts.get(), make_member())

    html = _item_html(client_for(moderator).get(reverse("moderation:queue")).content.decode(), item)

    select = html.split("<select", 1)[1].split("</select>", 1)[0]
    first_option = select.split("<option", 2)[1]
    assert 'value=""' in first_option
    assert "Choose…" in first_option
    assert "selected" not in select.split("<option", 2)[2]  # no real ending chosen
    assert "required" in select.split(">", 1)[0]
    assert "not_needed" not in select  # only a check-in's rule can misfire


def test_closing_without_an_ending_keeps_the_item_open_and_the_note(
    make_thread: MakeThread, make_member: MakeMember, moderator: User, client_for: ClientFor
) -> None:
    item = _report(make_thread().posts.get(), make_member())
    client = client_for(moderator)

    response = client.post(
        reverse("moderation:close_item", args=[item.pk]),
        {"resolution": "", "note": "Spoke to them already"},
    )

    assert response.status_code == 400
    html = _item_html(response.content.decode(), item)
    assert "Choose how it ended before closing the item." in html
    assert 'value="Spoke to them already"' in html
    assert 'aria-invalid="true"' in html
    assert "autofocus" in html.split("<select", 1)[1].split(">", 1)[0]
    item.refresh_from_db()
    assert item.status == QueueStatus.OPEN
    assert not AuditEntry.objects.exists()


def test_a_report_cannot_be_closed_as_a_misfired_rule(
    make_thread: MakeThread, make_member: MakeMember, moderator: User, client_for: ClientFor
) -> None:
    item = _report(make_thread().posts.get(), make_member())

    response = client_for(moderator).post(
        reverse("moderation:close_item", args=[item.pk]), {"resolution": "not_needed"}
    )

    assert response.status_code == 400
    assert "Choose one of the listed endings." in response.content.decode()
    item.refresh_from_db()
    assert item.status == QueueStatus.OPEN


def test_a_chosen_ending_closes_the_item(
    make_thread: MakeThread, make_member: MakeMember, moderator: User, client_for: ClientFor
) -> None:
    item = _report(make_thread().posts.get(), make_member())

    response = client_for(moderator).post(
        reverse("moderation:close_item", args=[item.pk]), {"resolution": "no_action"}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.resolution) == (QueueStatus.CLOSED, "no_action")


def test_closing_an_item_someone_else_closed_is_not_an_error(
    make_thread: MakeThread, make_member: MakeMember, moderator: User, client_for: ClientFor
) -> None:
    item = _report(make_thread().posts.get(), make_member())
    QueueItem.objects.filter(pk=item.pk).update(status=QueueStatus.CLOSED)

    response = client_for(moderator).post(reverse("moderation:close_item", args=[item.pk]), {})

    assert response.status_code == 302


def test_the_queue_query_count_does_not_grow_with_its_rows(
    settings: Settings,
    make_thread: MakeThread,
    make_member: MakeMember,
    member_client: Client,
    moderator: User,
    client_for: ClientFor,
) -> None:
    client = client_for(moderator)

    def one_of_each(number: int) -> None:
        settings.HEARTH_HOLD_FIRST_POSTS = 0
        thread = make_thread()
        settings.HEARTH_HOLD_FIRST_POSTS = 1
        _report(thread.posts.get(), make_member())
        _reply(client_for(make_member()), thread, f"Held reply number {number}")
        _reply(member_client, thread, f"{CRISIS_TEXT} ({number})")

    one_of_each(0)
    client.get(reverse("moderation:queue"))  # warm caches that are not per row
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("moderation:queue"))
    for number in range(1, 11):
        one_of_each(number)
    with CaptureQueriesContext(connection) as eleven:
        page = client.get(reverse("moderation:queue")).content.decode()

    assert page.count("Held reply number") == 11
    assert page.count("Wanting to die") >= 11
    assert len(eleven) == len(one)
