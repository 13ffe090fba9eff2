"""Search finds what a member looks for: words, stems, accents, phrases, filters, order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.core.testing import MakeMember
from hearth.forum.models import FollowLevel, Post, ThreadFollowing
from hearth.forum.services import reply_to_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.search.indexing import index_posts
from hearth.search.models import CategoryLanguage
from hearth.search.tests.conftest import Find, hits_on

pytestmark = pytest.mark.django_db


def test_a_reply_is_found_by_its_words(
    make_thread: MakeThread, make_reply: MakeReply, member_client: Client, find: Find
) -> None:
    thread = make_thread(title="Breaks", body="The summer break is coming.")
    reply = make_reply(thread, body="Endings with a therapist are hard to talk about.")

    assert find(member_client, "therapist endings") == [reply.pk]
    assert find(member_client, "summer") == [thread.posts.get(position=1).pk]


def test_stems_and_accents_match(
    make_thread: MakeThread, make_reply: MakeReply, member_client: Client, find: Find
) -> None:
    thread = make_thread(title="Small things", body="We met at the Café Jardin.")
    reply = make_reply(thread, body="A planned ending is still a loss.")

    assert find(member_client, "endings") == [reply.pk]
    assert find(member_client, "cafe") == [thread.posts.get(position=1).pk]


def test_the_title_is_searched_with_the_first_post(
    make_thread: MakeThread, member_client: Client, find: Find
) -> None:
    thread = make_thread(title="Countertransference questions", body="Something else.")

    assert find(member_client, "countertransference") == [thread.posts.get(position=1).pk]


def test_phrases_and_left_out_words(
    make_thread: MakeThread, make_reply: MakeReply, member_client: Client, find: Find
) -> None:
    thread = make_thread(title="Hard week", body="Nothing here.")
    close = make_reply(thread, body="It was a hard week at work.")
    apart = make_reply(thread, body="Week by week and day by day, the work was hard.")

    assert set(find(member_client, "hard week")) >= {close.pk, apart.pk}
    assert find(member_client, '"hard week at work"') == [close.pk]
    assert find(member_client, "hard work -day") == [close.pk]


def test_author_filter_finds_only_their_named_posts(
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_member: MakeMember,
    member_client: Client,
    find: Find,
) -> None:
    alice = make_member("alice", display_name="Alice Moss")
    thread = make_thread(category=make_category(allow_anonymous=True), body="Grief, again.")
    own = reply_to_thread(author=alice, thread=thread, body="My grief today.", request_key="a1")
    hidden_name = reply_to_thread(
        author=alice, thread=thread, body="My grief, unsigned.", request_key="a2", anonymous=True
    )

    for spelling in ("author:alice", "author:@alice", 'author:"alice moss"', "author:ALICE"):
        found = find(member_client, f"grief {spelling}")
        assert found == [own.pk], spelling
        assert hidden_name.pk not in found
    assert find(member_client, "", author="Alice Moss") == [own.pk]
    assert hidden_name.pk in find(member_client, "unsigned")  # found by its words


def test_unknown_author_finds_nothing_and_says_nothing_about_membership(
    make_thread: MakeThread, make_member: MakeMember, member_client: Client
) -> None:
    make_member("alice")
    make_thread(body="Grief.")
    run_due_tasks()

    known = member_client.get(reverse("search:search"), {"q": "grief author:alice"})
    unknown = member_client.get(reverse("search:search"), {"q": "grief author:nobody"})

    assert known.status_code == unknown.status_code == 200
    assert hits_on(known.content) == hits_on(unknown.content) == []
    assert _main(known.content, "alice") == _main(unknown.content, "nobody")


def test_my_posts_include_my_anonymous_ones(
    make_category: MakeCategory,
    make_thread: MakeThread,
    member: User,
    member_client: Client,
    find: Find,
) -> None:
    thread = make_thread(category=make_category(allow_anonymous=True), body="Lonely evenings.")
    signed = reply_to_thread(author=member, thread=thread, body="Lonely too.", request_key="m1")
    unsigned = reply_to_thread(
        author=member, thread=thread, body="Lonely, quietly.", request_key="m2", anonymous=True
    )

    assert set(find(member_client, "lonely", mine="on")) == {signed.pk, unsigned.pk}
    assert set(find(member_client, "", mine="on")) == {signed.pk, unsigned.pk}


def test_threads_i_follow(
    make_thread: MakeThread, member: User, member_client: Client, find: Find
) -> None:
    followed = make_thread(body="Sleep is hard.")
    make_thread(body="Sleep is easy.")
    ThreadFollowing.objects.create(member=member, thread=followed, level=FollowLevel.WATCHING)

    assert find(member_client, "sleep", following="on") == [followed.posts.get().pk]


def test_category_thread_and_date_filters(
    make_category: MakeCategory, make_thread: MakeThread, member_client: Client, find: Find
) -> None:
    here, there = make_category("Here"), make_category("There")
    first = make_thread(category=here, body="Rain all day.")
    second = make_thread(category=there, body="Rain again.")
    old = first.posts.get()
    Post.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    index_posts([old.pk])  # the date changed behind the services' back

    assert find(member_client, "rain", category=here.slug) == [old.pk]
    assert find(member_client, "rain", thread=str(second.pk)) == [second.posts.get().pk]
    recent = (timezone.now() - timedelta(days=7)).date().isoformat()
    assert find(member_client, "rain", date_from=recent) == [second.posts.get().pk]
    assert find(member_client, "rain", date_to=recent) == [old.pk]


def test_newest_first_and_best_first(
    make_thread: MakeThread, make_reply: MakeReply, member_client: Client, find: Find
) -> None:
    thread = make_thread(title="Outings", body="Nothing.")
    once = make_reply(thread, body="A walk helped, and a long walk helped more. Walking!")
    later = make_reply(thread, body="I went for a walk.")

    assert find(member_client, "walk", sort="newest") == [later.pk, once.pk]
    assert find(member_client, "walk")[0] == once.pk  # more matches rank higher


def test_pages_go_through_every_result_once(
    make_thread: MakeThread, make_reply: MakeReply, member_client: Client
) -> None:
    thread = make_thread(title="Counting", body="Nothing.")
    replies = {make_reply(thread, body=f"Pebble number {n}.").pk for n in range(45)}
    run_due_tasks()

    for order in ("relevance", "newest"):
        seen: list[int] = []
        query: dict[str, str] = {"q": "pebble", "sort": order}
        for _page in range(5):
            response = member_client.get(reverse("search:search"), query)
            assert response.status_code == 200
            seen += hits_on(response.content)
            more = response.context["results"].next_cursor
            if more is None:
                break
            link = response.content.decode().split('rel="next"')[0].rsplit('href="?', 1)[1]
            query = dict(pair.split("=", 1) for pair in link.split('"')[0].split("&amp;"))
            query = {key: value.replace("+", " ") for key, value in query.items()}
        assert len(seen) == len(set(seen)) == 45, order
        assert set(seen) == replies


def test_the_header_has_a_search_box_for_members(member_client: Client) -> None:
    page = member_client.get(reverse("home")).content.decode()

    assert 'role="search"' in page
    assert f'action="{reverse("search:search")}"' in page


def test_an_empty_search_shows_the_form_only(member_client: Client) -> None:
    response = member_client.get(reverse("search:search"))

    assert response.status_code == 200
    assert response.context["results"] is None


def test_visitors_are_asked_to_sign_in(client: Client) -> None:
    response = client.get(reverse("search:search"), {"q": "grief"})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_category_is_searched_in_its_own_language_too(
    make_category: MakeCategory, make_thread: MakeThread, member_client: Client, find: Find
) -> None:
    german = make_category("Auf Deutsch")
    CategoryLanguage.objects.create(category=german, language="german")
    thread = make_thread(category=german, body="Die Therapeutin war heute freundlich.")

    assert find(member_client, "Therapeutin") == [thread.posts.get().pk]


def _main(content: bytes, name: str) -> str:
    return content.decode().split("<main", 1)[1].split("</main>", 1)[0].replace(name, "NAME")
