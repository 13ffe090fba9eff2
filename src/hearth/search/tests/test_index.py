"""The index follows the posts: through tasks, never in the request; and catches up."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post
from hearth.forum.services import reply_to_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.member_data.deletion import delete_account
from hearth.member_data.models import PostsChoice
from hearth.moderation.services import move_thread
from hearth.search.indexing import refresh_stale_entries
from hearth.search.models import SearchEntry
from hearth.search.tests.conftest import Find

pytestmark = pytest.mark.django_db


def test_a_reply_is_indexed_by_the_worker_not_in_the_request(
    make_thread: MakeThread, member: User, client_for: ClientFor
) -> None:
    thread = make_thread()
    run_due_tasks()
    with CaptureQueriesContext(connection) as queries:
        response = client_for(member).post(
            reverse("forum:reply", args=[thread.pk]),
            {"body": "Indexed later, not now.", "request_key": "r1"},
        )
    assert response.status_code == 302
    assert not any("search_searchentry" in query["sql"] for query in queries.captured_queries)
    reply = Post.objects.get(thread=thread, position=2)
    assert not SearchEntry.objects.filter(pk=reply.pk).exists()

    run_due_tasks()

    assert SearchEntry.objects.get(pk=reply.pk).body == "Indexed later, not now."


def test_a_moved_thread_is_searched_in_its_new_category(
    make_category: MakeCategory,
    make_thread: MakeThread,
    moderator: User,
    member_client: Client,
    find: Find,
) -> None:
    here, there = make_category(), make_category()
    thread = make_thread(category=here, body="Moving words.")
    run_due_tasks()

    move_thread(moderator=moderator, thread=thread, to=there, reason="Fits there.")

    assert find(member_client, "moving", category=there.slug) == [thread.posts.get().pk]
    assert find(member_client, "moving", category=here.slug) == []


def test_anonymous_posts_are_indexed_without_their_author(
    make_category: MakeCategory, make_thread: MakeThread, member: User
) -> None:
    thread = make_thread(category=make_category(allow_anonymous=True))
    post = reply_to_thread(
        author=member, thread=thread, body="Unsigned.", request_key="k", anonymous=True
    )
    run_due_tasks()

    assert SearchEntry.objects.get(pk=post.pk).public_author_id is None


def test_a_departed_members_posts_follow_their_choice(
    make_thread: MakeThread,
    make_reply: MakeReply,
    make_member: MakeMember,
    member_client: Client,
    find: Find,
) -> None:
    leaving = make_member("leaving", display_name="Leaving Member")
    kept_thread = make_thread(title="Staying", body="Other words.")
    post = make_reply(kept_thread, author=leaving, body="canarydeparted words")
    run_due_tasks()
    assert find(member_client, "canarydeparted") == [post.pk]

    delete_account(leaving.pk, posts=PostsChoice.REMOVE)
    refresh_stale_entries()  # no event: the sweep notices the post's new version

    assert find(member_client, "canarydeparted") == []
    assert find(member_client, "", author="leaving") == []


def test_the_sweep_repairs_entries_changed_behind_its_back(
    make_thread: MakeThread, member_client: Client, find: Find
) -> None:
    thread = make_thread(body="Original words.")
    run_due_tasks()
    post = thread.posts.get()
    Post.objects.filter(pk=post.pk).update(body_html="<p>Rewritten words.</p>")  # bumps version

    assert refresh_stale_entries() == 1
    assert find(member_client, "rewritten") == [post.pk]


def test_reindex_rebuilds_everything_with_progress(
    make_thread: MakeThread, make_reply: MakeReply, member_client: Client, find: Find
) -> None:
    thread = make_thread(body="First words.")
    make_reply(thread, body="Second words.")
    run_due_tasks()
    SearchEntry.objects.all().delete()
    out, err = io.StringIO(), io.StringIO()

    call_command("reindex", stdout=out, stderr=err)

    assert SearchEntry.objects.count() == 2
    assert "Indexed 2 post(s)" in out.getvalue()
    assert "100%" in err.getvalue()
    assert len(find(member_client, "words")) == 2


def test_reindex_stale_only_writes_what_differs(make_thread: MakeThread) -> None:
    make_thread(body="Words.")
    make_thread(body="More words.")
    run_due_tasks()
    SearchEntry.objects.order_by("pk").first().delete()  # type: ignore[union-attr]
    out = io.StringIO()

    call_command("reindex", "--stale", stdout=out)

    assert "Indexed 1 post(s)" in out.getvalue()
    assert SearchEntry.objects.count() == 2


def test_a_search_reads_a_constant_number_of_queries(
    make_thread: MakeThread,
    make_reply: MakeReply,
    member_client: Client,
) -> None:
    def count_for(replies: int) -> int:
        thread = make_thread(title=f"Set {replies}", body="Nothing.")
        for n in range(replies):
            make_reply(thread, body=f"Lantern{replies} number {n}.")
        run_due_tasks()
        with CaptureQueriesContext(connection) as queries:
            response = member_client.get(reverse("search:search"), {"q": f"lantern{replies}"})
        assert response.status_code == 200
        return len(queries.captured_queries)

    assert count_for(2) == count_for(19)
