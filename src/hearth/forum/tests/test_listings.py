"""Which threads each kind of viewer finds in lists (home's recent activity, category pages).

Lists are SQL of their own (``hearth.forum.listings``); these tests hold them
to the same rules as the thread pages: readable categories only, held
threads for their author and the category's moderators only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from hearth.accounts.models import Role, User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Thread, Visibility
from hearth.forum.testing import MakeCategory, MakeThread

TITLES = ("Public walk", "Members chat", "Moderators room", "Held thread")


@dataclass(frozen=True)
class Forum:
    public: Category
    members: Category
    moderators: Category
    held_author: User
    category_moderator: User
    global_moderator: User


@pytest.fixture
def forum(
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_category_moderator: Callable[[Category], User],
) -> Forum:
    public = make_category(visibility=Visibility.PUBLIC)
    members = make_category(visibility=Visibility.MEMBERS)
    moderators = make_category(visibility=Visibility.MODERATORS)
    held_author = make_member()
    global_moderator = make_member(role=Role.MODERATOR)
    make_thread(category=public, title=TITLES[0])
    make_thread(category=members, title=TITLES[1])
    make_thread(category=moderators, title=TITLES[2], author=global_moderator)
    held = make_thread(category=members, title=TITLES[3], author=held_author)
    Thread.objects.filter(pk=held.pk).update(is_held=True)
    return Forum(
        public=public,
        members=members,
        moderators=moderators,
        held_author=held_author,
        category_moderator=make_category_moderator(members),
        global_moderator=global_moderator,
    )


def _client(forum: Forum, who: str, client_for: ClientFor, make_member: MakeMember) -> Client:
    if who == "anonymous":
        return Client()
    viewers = {
        "held thread's author": forum.held_author,
        "the category's moderator": forum.category_moderator,
        "a moderator of everything": forum.global_moderator,
    }
    return client_for(viewers[who] if who in viewers else make_member())


def _listed(page: str) -> set[str]:
    return {title for title in TITLES if title in page}


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"Public walk"}),
        ("member", {"Public walk", "Members chat"}),
        ("held thread's author", {"Public walk", "Members chat", "Held thread"}),
        ("the category's moderator", {"Public walk", "Members chat", "Held thread"}),
        ("a moderator of everything", set(TITLES)),
    ],
)
def test_recent_activity_lists_only_what_the_viewer_may_read(
    forum: Forum, who: str, expected: set[str], client_for: ClientFor, make_member: MakeMember
) -> None:
    home = _client(forum, who, client_for, make_member).get("/")

    assert home.status_code == 200
    assert _listed(home.content.decode()) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("member", {"Members chat"}),
        ("held thread's author", {"Members chat", "Held thread"}),
        ("the category's moderator", {"Members chat", "Held thread"}),
        ("a moderator of everything", {"Members chat", "Held thread"}),
    ],
)
def test_a_category_page_lists_held_threads_only_for_their_author_and_moderators(
    forum: Forum, who: str, expected: set[str], client_for: ClientFor, make_member: MakeMember
) -> None:
    page = _client(forum, who, client_for, make_member).get(forum.members.get_absolute_url())

    assert page.status_code == 200
    assert _listed(page.content.decode()) == expected


def test_the_moderators_category_lists_nothing_for_members(
    forum: Forum, client_for: ClientFor, make_member: MakeMember
) -> None:
    member_page = client_for(make_member()).get(forum.moderators.get_absolute_url())
    moderator_page = client_for(forum.global_moderator).get(forum.moderators.get_absolute_url())

    assert member_page.status_code == 404
    assert _listed(moderator_page.content.decode()) == {"Moderators room"}


def test_a_listed_latest_thread_is_named_on_its_category_card_only_for_those_who_may_see_it(
    forum: Forum, client_for: ClientFor, make_member: MakeMember
) -> None:
    # The members category's latest thread is the held one.
    member_home = client_for(make_member()).get("/").content.decode()
    author_home = client_for(forum.held_author).get("/").content.decode()

    assert "Held thread" not in member_home
    assert "Held thread" in author_home
