"""Members can take their own posts, and replies they received, into private notes."""

import pytest

from hearth.core.providers import post_excerpt_for
from hearth.core.testing import MakeMember
from hearth.forum.testing import MakeReply, MakeThread

pytestmark = pytest.mark.django_db


def test_a_reply_received_comes_without_any_other_members_name(
    make_thread: MakeThread, make_reply: MakeReply, make_member: MakeMember
) -> None:
    me = make_member(display_name="Willow")
    thread = make_thread(author=me, title="Missing my therapist")
    friend = make_member(username="fernfriend", display_name="Fern")
    reply = make_reply(
        thread, author=friend, body="Fern here. @fernfriend says: hang in there, Willow!"
    )

    excerpt = post_excerpt_for(me, reply.pk)

    assert excerpt is not None
    assert excerpt.thread_title == "Missing my therapist"
    assert "Fern" not in excerpt.text
    assert "fernfriend" not in excerpt.text
    assert "hang in there" in excerpt.text
    assert excerpt.is_own_post is False


def test_posts_that_are_neither_mine_nor_replies_to_me_are_refused(
    make_thread: MakeThread, make_reply: MakeReply, make_member: MakeMember
) -> None:
    me = make_member()
    someone_elses = make_thread()
    reply = make_reply(someone_elses)

    assert post_excerpt_for(me, reply.pk) is None
    assert post_excerpt_for(me, someone_elses.posts.get(position=1).pk) is None
    assert post_excerpt_for(me, 999_999) is None


def test_my_own_post_comes_as_it_is(make_thread: MakeThread, make_member: MakeMember) -> None:
    me = make_member()
    thread = make_thread(author=me, body="What I wrote **myself**.")

    excerpt = post_excerpt_for(me, thread.posts.get().pk)

    assert excerpt is not None
    assert excerpt.text.strip() == "What I wrote myself."
    assert excerpt.is_own_post
