"""@mentions: how many members one post may name, and whom the composer suggests."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.core.ratelimit import allow
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, CategoryModerator, Post, Thread, Visibility
from hearth.forum.services import edit_post, reply_to_thread, start_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.forum.views import ACTION_RATE

pytestmark = pytest.mark.django_db

MakeFriends = Callable[[int], list[User]]


@pytest.fixture
def settled(make_member: MakeMember) -> User:
    """A member who joined a month ago: past the first-week limit."""
    return make_member("settled", date_joined=timezone.now() - timedelta(days=30))


@pytest.fixture
def newcomer(make_member: MakeMember) -> User:
    """A member who joined yesterday."""
    return make_member("newcomer", date_joined=timezone.now() - timedelta(days=1))


@pytest.fixture
def make_friends(make_member: MakeMember) -> MakeFriends:
    def make(count: int) -> list[User]:
        return [make_member() for _each in range(count)]

    return make


@pytest.fixture
def thread(make_thread: MakeThread, make_member: MakeMember) -> Thread:
    return make_thread(author=make_member(), title="Sunday evenings", body="Hard again.")


def _naming(members: Sequence[User], *extra: str) -> str:
    names = " ".join([*(f"@{member.username}" for member in members), *extra])
    return f"Thinking of you all today, {names}."


def _reply(author: User, thread: Thread, body: str, key: str = "k1") -> Post:
    return reply_to_thread(author=author, thread=thread, body=body, request_key=key)


# --- How many members one post may mention ---------------------------------------------------


def test_a_reply_may_mention_ten_members(
    settled: User, thread: Thread, make_friends: MakeFriends
) -> None:
    friends = make_friends(10)

    post = _reply(settled, thread, _naming(friends))

    assert sorted(post.mentioned_member_ids) == sorted(friend.pk for friend in friends)


def test_a_reply_mentioning_eleven_members_is_refused_and_nothing_is_stored(
    settled: User, thread: Thread, make_friends: MakeFriends
) -> None:
    with pytest.raises(
        ValidationError, match="at most 10 members in one post; this one mentions 11"
    ):
        _reply(settled, thread, _naming(make_friends(11)))

    thread.refresh_from_db()
    assert thread.reply_count == 0
    assert not Post.objects.filter(author=settled).exists()


def test_the_composer_refuses_twelve_mentions_out_loud_and_keeps_the_text(
    settled: User, thread: Thread, make_friends: MakeFriends, client_for: ClientFor
) -> None:
    body = _naming(make_friends(12))

    response = client_for(settled).post(
        reverse("forum:reply", args=[thread.pk]), {"body": body, "request_key": "k1"}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "You can mention at most 10 members in one post; this one mentions 12." in page
    assert body in page
    thread.refresh_from_db()
    assert thread.reply_count == 0


def test_a_new_thread_with_too_many_mentions_is_refused_and_keeps_title_and_text(
    settled: User, category: Category, make_friends: MakeFriends, client_for: ClientFor
) -> None:
    body = _naming(make_friends(11))

    response = client_for(settled).post(
        reverse("forum:new_thread", args=[category.slug]),
        {"title": "A roll call", "body": body, "request_key": "k1"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "this one mentions 11." in page
    assert "A roll call" in page
    assert body in page
    assert not Thread.objects.filter(category=category).exists()


def test_a_member_in_their_first_week_may_mention_three(
    newcomer: User, thread: Thread, make_friends: MakeFriends
) -> None:
    friends = make_friends(4)

    post = _reply(newcomer, thread, _naming(friends[:3]))
    with pytest.raises(
        ValidationError,
        match=re.escape(
            "In your first week you can mention at most 3 members in one post; this one mentions 4."
        ),
    ):
        _reply(newcomer, thread, _naming(friends), key="k2")

    assert len(post.mentioned_member_ids) == 3
    assert Post.objects.filter(author=newcomer).count() == 1


def test_a_new_thread_from_a_first_week_member_is_held_to_three(
    newcomer: User, category: Category, make_friends: MakeFriends
) -> None:
    with pytest.raises(ValidationError, match="this one mentions 4"):
        start_thread(
            author=newcomer,
            category=category,
            title="Hello",
            body=_naming(make_friends(4)),
            request_key="k1",
        )

    assert not Thread.objects.exists()


def test_a_new_moderator_is_not_held_to_the_first_week_limit(
    make_member: MakeMember, thread: Thread, make_friends: MakeFriends
) -> None:
    moderator = make_member(role="moderator")  # joined just now

    post = _reply(moderator, thread, _naming(make_friends(5)))

    assert len(post.mentioned_member_ids) == 5


def test_names_of_no_member_do_not_count(
    newcomer: User, thread: Thread, make_friends: MakeFriends, make_member: MakeMember
) -> None:
    friends = make_friends(3)
    gone = make_member(is_active=False)

    post = _reply(
        newcomer,
        thread,
        # Unknown names, an inactive member, the same friend twice and the author herself.
        _naming(friends, "@nobody", "@nobody2", f"@{gone.username}", f"@{friends[0].username}")
        + " (and me, @newcomer)",
    )

    assert sorted(post.mentioned_member_ids) == sorted(friend.pk for friend in friends)


def test_an_edit_that_adds_mentions_beyond_the_limit_is_refused(
    settled: User, thread: Thread, make_friends: MakeFriends
) -> None:
    friends = make_friends(11)
    post = _reply(settled, thread, _naming(friends[:10]))

    with pytest.raises(ValidationError, match="this one mentions 11"):
        edit_post(editor=settled, post=post, body=_naming(friends), base_revision=post.revision)

    post.refresh_from_db()
    assert post.revision == 1
    assert post.body == _naming(friends[:10])
    assert len(post.mentioned_member_ids) == 10


def test_the_edit_form_refuses_too_many_mentions_and_keeps_the_text(
    newcomer: User, thread: Thread, make_friends: MakeFriends, client_for: ClientFor
) -> None:
    friends = make_friends(4)
    post = _reply(newcomer, thread, "Thank you all.")
    body = _naming(friends)

    response = client_for(newcomer).post(
        reverse("forum:edit_post", args=[post.pk]), {"body": body, "base_revision": 1}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "In your first week you can mention at most 3 members" in page
    assert body in page
    post.refresh_from_db()
    assert (post.revision, post.body) == (1, "Thank you all.")


def test_a_post_already_over_the_limit_can_still_be_corrected(
    settings: Settings, settled: User, thread: Thread, make_friends: MakeFriends
) -> None:
    friends = make_friends(6)
    settings.HEARTH_MOST_MENTIONS_PER_POST = 10
    post = _reply(settled, thread, _naming(friends))
    settings.HEARTH_MOST_MENTIONS_PER_POST = 4

    edited = edit_post(
        editor=settled, post=post, body=_naming(friends[:5]), base_revision=post.revision
    )
    with pytest.raises(ValidationError, match="at most 4 members"):
        edit_post(
            editor=settled,
            post=edited,
            body=_naming([*friends[:5], *make_friends(1)]),
            base_revision=edited.revision,
        )

    edited.refresh_from_db()
    assert edited.revision == 2
    assert len(edited.mentioned_member_ids) == 5


def test_the_limits_come_from_the_settings(
    settings: Settings, settled: User, newcomer: User, thread: Thread, make_friends: MakeFriends
) -> None:
    settings.HEARTH_MOST_MENTIONS_PER_POST = 2
    settings.HEARTH_MOST_MENTIONS_FIRST_WEEK = 1
    friends = make_friends(3)

    with pytest.raises(ValidationError, match="at most 2 members"):
        _reply(settled, thread, _naming(friends))
    with pytest.raises(ValidationError, match="at most 1 member in one post; this one mentions 2"):
        _reply(newcomer, thread, _naming(friends[:2]))


# --- Whom the composer suggests ------------------------------------------------------------------


def _suggested(client: Client, url: str, typed: str) -> list[str]:
    """The usernames offered, in order."""
    response = client.get(url, {"q": typed})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'role="listbox"' in text
    return re.findall(r'data-username="([^"]*)"', text)


def _thread_url(thread: Thread) -> str:
    return reverse("forum:thread_mentionable", args=[thread.pk])


def _category_url(category: Category) -> str:
    return reverse("forum:category_mentionable", args=[category.slug])


def test_suggestions_match_the_start_of_a_username_or_display_name_in_any_case(
    make_member: MakeMember, member: User, thread: Thread, client_for: ClientFor
) -> None:
    make_member("fern", display_name="Fern")
    make_member("sparrow", display_name="Felicity")
    make_member("alfie", display_name="Alfie Fenwick")
    make_member("Feodor", display_name="Theo")

    offered = _suggested(client_for(member), _thread_url(thread), "FE")

    assert offered == ["Feodor", "fern", "sparrow"]


def test_suggestions_show_names_escaped_in_an_accessible_listbox(
    make_member: MakeMember, member: User, thread: Thread, client_for: ClientFor
) -> None:
    make_member("fern", display_name="<b>Fern</b>")

    response = client_for(member).get(_thread_url(thread), {"q": "@fe"})

    text = response.content.decode()
    assert 'role="option"' in text
    assert 'data-username="fern"' in text
    assert "&lt;b&gt;Fern&lt;/b&gt;" in text
    assert "<b>" not in text
    assert 'data-announcement="1 member found' in text


def test_at_most_eight_members_are_suggested(
    make_member: MakeMember, member: User, thread: Thread, client_for: ClientFor
) -> None:
    for number in range(10):
        make_member(f"fen{number}")

    offered = _suggested(client_for(member), _thread_url(thread), "fen")

    assert offered == [f"fen{number}" for number in range(8)]


def test_members_the_viewer_blocked_and_inactive_ones_are_not_suggested(
    make_member: MakeMember, thread: Thread, client_for: ClientFor
) -> None:
    viewer = make_member("fenna")
    blocked = make_member("fenwick")
    blocking = make_member("ferris")
    muted = make_member("fern")
    make_member("felix", is_active=False)
    mute_member(member=viewer, target=blocked, block=True)
    mute_member(member=blocking, target=viewer, block=True)
    mute_member(member=viewer, target=muted)  # muting is not blocking

    offered = _suggested(client_for(viewer), _thread_url(thread), "fe")

    # Someone who blocked the viewer is offered like anyone: leaving them out would tell
    # the viewer they are blocked (their mention notifies nothing).
    assert offered == ["fern", "ferris"]


def test_only_members_who_can_see_a_moderators_only_thread_are_suggested_there(
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    moderator: User,
    client_for: ClientFor,
) -> None:
    private = make_category(visibility=Visibility.MODERATORS)
    rota = make_thread(author=moderator, category=private, title="Rota")
    make_member("fenna")  # a member, who cannot read the category
    make_member("felix", role="moderator")  # moderates every category
    elsewhere = make_member("fenwick", role="moderator")
    CategoryModerator.objects.create(category=make_category(), member=elsewhere)
    here = make_member("fern", role="moderator")
    CategoryModerator.objects.create(category=private, member=here)

    asked = client_for(moderator)
    in_thread = _suggested(asked, _thread_url(rota), "f")
    in_category = _suggested(asked, _category_url(private), "f")

    assert in_thread == in_category == ["felix", "fern"]


def test_a_held_thread_suggests_only_its_author_and_moderators(
    settings: Settings,
    make_member: MakeMember,
    category: Category,
    moderator: User,
    client_for: ClientFor,
) -> None:
    settings.HEARTH_HOLD_FIRST_POSTS = 1
    author = make_member("fenna")
    held = start_thread(author=author, category=category, title="Hi", body="Hi", request_key="k")
    make_member("fern")
    make_member("felix", role="moderator")
    assert held.is_held

    offered = _suggested(client_for(moderator), _thread_url(held), "fe")

    assert offered == ["felix", "fenna"]


def test_a_new_thread_suggests_members_who_can_see_the_category(
    make_member: MakeMember, member: User, category: Category, client_for: ClientFor
) -> None:
    make_member("fern")

    assert _suggested(client_for(member), _category_url(category), "fe") == ["fern"]


def test_suggestions_for_a_thread_or_category_the_member_cannot_see_are_not_found(
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    moderator: User,
    member: User,
    client_for: ClientFor,
) -> None:
    private = make_category(visibility=Visibility.MODERATORS)
    rota = make_thread(author=moderator, category=private, title="Rota")
    asked = client_for(member)

    answers = [
        asked.get(_thread_url(rota), {"q": "mod"}),
        asked.get(_category_url(private), {"q": "mod"}),
        asked.get(reverse("forum:thread_mentionable", args=[rota.pk + 1000]), {"q": "mod"}),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404]
    assert all(moderator.username not in answer.content.decode() for answer in answers)


def test_a_visitor_is_asked_to_sign_in(thread: Thread) -> None:
    response = Client().get(_thread_url(thread), {"q": "fe"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", 200),
        ("q=", 200),
        ("q=%40", 200),  # "@"
        ("q=%20%20", 200),
        ("q=%25", 200),  # "%", a wildcard to LIKE
        ("q=_", 200),
        ("q=%FF%FE", 200),  # not UTF-8
        ("q=%27%20OR%201%3D1%20--", 200),
        ("q=fe%00rn", 400),
        ("q=fe&q=%00", 400),
        ("q=" + "f" * 10 * 1024, 400),
    ],
)
def test_odd_queries_are_refused_or_find_nobody_never_an_error(
    query: str,
    status: int,
    make_member: MakeMember,
    member: User,
    thread: Thread,
    client_for: ClientFor,
) -> None:
    make_member("fern")

    response = client_for(member).get(f"{_thread_url(thread)}?{query}")

    assert response.status_code == status
    assert "data-username" not in response.content.decode()


def test_looking_up_names_is_rate_limited(
    member: User, thread: Thread, client_for: ClientFor
) -> None:
    for _each in range(ACTION_RATE.limit):
        allow("mention-lookup", member.pk, ACTION_RATE)

    response = client_for(member).get(_thread_url(thread), {"q": "fe"})

    assert response.status_code == 429


def test_suggestions_accept_only_reads(member: User, thread: Thread, client_for: ClientFor) -> None:
    response = client_for(member).post(_thread_url(thread), {"q": "fe"})

    assert response.status_code == 405


# --- The composer asks for them ------------------------------------------------------------------


def test_every_composer_knows_where_to_ask_and_loads_the_script(
    member: User, thread: Thread, category: Category, make_reply: MakeReply, client_for: ClientFor
) -> None:
    post = make_reply(thread, author=member)
    client = client_for(member)
    asked = [
        (client.get(thread.get_absolute_url()), _thread_url(thread)),
        (client.post(reverse("forum:reply", args=[thread.pk]), {"body": ""}), _thread_url(thread)),
        (client.get(reverse("forum:quote", args=[post.pk])), _thread_url(thread)),
        (client.get(reverse("forum:new_thread", args=[category.slug])), _category_url(category)),
        (client.get(reverse("forum:edit_post", args=[post.pk])), _thread_url(thread)),
    ]

    for response, url in asked:
        text = response.content.decode()
        assert f'data-mentionable-url="{url}"' in text
        assert "forum/mentions" in text


def test_a_visitor_reading_a_thread_gets_no_suggestion_script(
    make_category: MakeCategory, make_thread: MakeThread
) -> None:
    public = make_thread(category=make_category(visibility=Visibility.PUBLIC))

    text = Client().get(public.get_absolute_url()).content.decode()

    assert "data-mentionable-url" not in text
    assert "forum/mentions" not in text
