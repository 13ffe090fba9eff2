"""Search never shows what the visibility policy keeps from the searcher.

Each secret carries a canary word; a member who is neither its author nor a
moderator searches for it, and neither the post nor the word may come back
(not in a result, an excerpt, a title or a count). Authors and moderators find
what the policy lets them read.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post, Visibility
from hearth.forum.services import (
    ContentNote,
    delete_post,
    edit_post,
    reply_to_thread,
)
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.services import hide_post
from hearth.safety.models import ContentNoteLabel, NoteChoice
from hearth.safety.services import set_note_preference
from hearth.search.tests.conftest import Find

pytestmark = pytest.mark.django_db


def _search_page(client: Client, q: str) -> str:
    run_due_tasks()
    response = client.get(reverse("search:search"), {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_a_hidden_post_is_found_only_by_its_author_and_moderators(
    make_thread: MakeThread,
    make_reply: MakeReply,
    make_member: MakeMember,
    moderator: User,
    client_for: ClientFor,
    find: Find,
) -> None:
    author = make_member()
    post = make_reply(make_thread(), author=author, body="canaryhidden names a clinic")
    hide_post(moderator=moderator, post=post, reason="Names a clinic.")

    assert find(client_for(make_member()), "canaryhidden") == []
    assert "names a clinic" not in _search_page(client_for(make_member()), "canaryhidden")
    assert find(client_for(author), "canaryhidden") == [post.pk]
    assert find(client_for(moderator), "canaryhidden") == [post.pk]


def test_held_posts_and_held_threads_stay_with_their_author_and_moderators(
    settings: Settings,
    make_thread: MakeThread,
    make_reply: MakeReply,
    make_member: MakeMember,
    moderator: User,
    client_for: ClientFor,
    find: Find,
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 0
    thread = make_thread()
    settings.HEARTH_HOLD_FIRST_POSTS = 5
    newcomer = make_member()
    held = make_reply(thread, author=newcomer, body="canaryheld first words")
    held_thread = make_thread(author=make_member(), title="canarytitle", body="canaryopening")
    assert held.is_held
    assert held_thread.is_held
    other = client_for(make_member())

    assert find(other, "canaryheld") == find(other, "canarytitle") == []
    assert find(other, "canaryopening") == []
    assert find(client_for(newcomer), "canaryheld") == [held.pk]
    assert find(client_for(moderator), "canarytitle") == [held_thread.posts.get().pk]


def test_a_deleted_post_is_found_by_nobody(
    make_thread: MakeThread,
    make_reply: MakeReply,
    member: User,
    moderator: User,
    client_for: ClientFor,
    find: Find,
) -> None:
    post = make_reply(make_thread(), author=member, body="canarydeleted regret")
    run_due_tasks()
    delete_post(member=member, post=post)

    assert find(client_for(member), "canarydeleted") == []
    assert find(client_for(moderator), "canarydeleted") == []


def test_categories_the_searcher_cannot_read_are_not_searched(
    make_category: MakeCategory,
    make_thread: MakeThread,
    moderator: User,
    member_client: Client,
    client_for: ClientFor,
    find: Find,
) -> None:
    staff = make_category("Staff room", visibility=Visibility.MODERATORS)
    thread = make_thread(author=moderator, category=staff, body="canarystaff rota")

    assert find(member_client, "canarystaff") == []
    assert "Staff room" not in _search_page(member_client, "canarystaff")  # not even a filter
    assert find(client_for(moderator), "canarystaff") == [thread.posts.get().pk]


def test_naming_a_thread_the_searcher_cannot_see_is_a_404(
    make_category: MakeCategory, make_thread: MakeThread, moderator: User, member_client: Client
) -> None:
    staff = make_category(visibility=Visibility.MODERATORS)
    thread = make_thread(author=moderator, category=staff, title="canarysecret")

    response = member_client.get(reverse("search:search"), {"q": "x", "thread": str(thread.pk)})

    assert response.status_code == 404
    assert "canarysecret" not in response.content.decode()


def test_a_fully_suspended_member_finds_nothing(
    make_thread: MakeThread, make_member: MakeMember, find: Find
) -> None:
    make_thread(body="canarypaused words")
    paused = make_member(
        suspended_until=timezone.now() + timedelta(days=3), suspension_is_partial=False
    )
    client = Client()
    client.force_login(paused)
    run_due_tasks()

    response = client.get(reverse("search:search"), {"q": "canarypaused"})

    assert "canarypaused words" not in response.content.decode()


def test_anonymous_posts_are_never_found_by_their_author_name(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_member: MakeMember,
    member_client: Client,
    moderator: User,
    client_for: ClientFor,
    find: Find,
) -> None:
    alice = make_member("alice", display_name="Alice")
    thread = make_thread(category=make_category(allow_anonymous=True))
    unsigned = reply_to_thread(
        author=alice, thread=thread, body="canaryanon shame", request_key="x", anonymous=True
    )

    for searcher in (member_client, client_for(moderator)):
        assert find(searcher, "canaryanon author:alice") == []
        assert find(searcher, "", author="alice") == []
        page = _search_page(searcher, "canaryanon")
        assert "Alice" not in page.split("<main", 1)[1]  # the pseudonym, not the name
    assert find(member_client, "canaryanon") == [unsigned.pk]


def test_muted_members_posts_are_left_out_but_anonymous_ones_never_are(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_member: MakeMember,
    member: User,
    member_client: Client,
    find: Find,
) -> None:
    loud = make_member()
    thread = make_thread(category=make_category(allow_anonymous=True))
    signed = reply_to_thread(author=loud, thread=thread, body="canarymuted", request_key="s")
    unsigned = reply_to_thread(
        author=loud, thread=thread, body="canarymuted too", request_key="u", anonymous=True
    )
    mute_member(member=member, target=loud)

    found = find(member_client, "canarymuted")

    assert signed.pk not in found
    assert unsigned.pk in found  # leaving it out would tell who wrote it


def test_a_post_behind_a_content_note_shows_the_note_not_an_excerpt(
    make_thread: MakeThread, make_member: MakeMember, member: User, member_client: Client
) -> None:
    label = ContentNoteLabel.objects.create(slug="loss-of-a-parent", name="Loss of a parent")
    writer = make_member()
    thread = make_thread(author=writer)
    noted = reply_to_thread(
        author=writer,
        thread=thread,
        body="canarynoted my mother died",
        request_key="n",
        content_note=ContentNote(labels=(label,)),
    )
    free_text = reply_to_thread(
        author=writer,
        thread=thread,
        body="canarynoted something hard",
        request_key="f",
        content_note=ContentNote(text="A hard night"),
    )

    folded = _search_page(member_client, "canarynoted")
    assert f'href="/p/{noted.pk}/"' in folded
    assert f'href="/p/{free_text.pk}/"' in folded
    assert "my mother died" not in folded
    assert "something hard" not in folded
    assert "Loss of a parent" in folded
    assert "A hard night" in folded

    set_note_preference(member=member, label=label, choice=NoteChoice.SHOW)
    shown = _search_page(member_client, "canarynoted")
    assert "my mother died" in shown
    assert "something hard" not in shown  # a note without labels always folds


def test_excerpts_escape_what_members_wrote(
    make_thread: MakeThread, make_reply: MakeReply, member_client: Client
) -> None:
    make_reply(make_thread(), body="canaryescape `<script>alert(1)</script>` & <b>bold</b>")

    page = _search_page(member_client, "canaryescape")

    excerpt = page.split('class="activity-list__excerpt">', 1)[1].split("</p>", 1)[0]
    assert "<script" not in excerpt
    assert "<b>" not in excerpt
    # SQLite's snippet keeps the text, escaped; PostgreSQL's ts_headline leaves out
    # what its parser takes for tags. Either way nothing a member wrote is markup.
    kept = "&lt;script&gt;alert(1)" if connection.vendor == "sqlite" else "alert(1)"
    assert kept in excerpt
    assert "<mark>canaryescape</mark>" in excerpt


def test_an_edit_replaces_what_search_finds(
    make_thread: MakeThread, make_reply: MakeReply, member: User, member_client: Client, find: Find
) -> None:
    post = make_reply(make_thread(), author=member, body="canaryfirst draft")
    run_due_tasks()
    edit_post(editor=member, post=Post.objects.get(pk=post.pk), body="second", base_revision=1)

    assert find(member_client, "canaryfirst") == []
    assert find(member_client, "second") == [post.pk]
