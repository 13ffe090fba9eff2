"""Readers choose: content notes fold posts away by default, preferences change that,
and muting a member or a thread takes them out of sight without telling anyone."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hearth.accounts.models import MemberMute, User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.services import ContentNote, start_thread
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread
from hearth.moderation.models import ModeratorNotice
from hearth.safety.models import ContentNoteLabel, NoteChoice
from hearth.safety.services import set_note_preference

pytestmark = pytest.mark.django_db

FOLDED = '<details class="fold fold--note"><summary>Content note: Grief and loss'


def _noted_thread(author: User, category_name: str, make_category: MakeCategory) -> object:
    grief = ContentNoteLabel.objects.get(slug="grief")
    return start_thread(
        author=author,
        category=make_category(category_name),
        title="After the funeral",
        body="My grandmother died last week.",
        request_key="grief-thread",
        content_note=ContentNote(labels=(grief,)),
    )


def test_a_post_with_a_content_note_is_folded_by_default_without_javascript(
    make_member: MakeMember, make_category: MakeCategory, member_client: Client
) -> None:
    thread = _noted_thread(make_member(), "Grief", make_category)

    page = member_client.get(thread.get_absolute_url()).content.decode()  # type: ignore[attr-defined]

    # A native <details>: the reveal works with no script at all.
    assert FOLDED in page
    folded = page.split(FOLDED, 1)[1].split("</details>", 1)[0]
    assert "My grandmother died last week." in folded


def test_always_show_unfolds_it_for_that_reader_only(
    make_member: MakeMember,
    make_category: MakeCategory,
    member: User,
    member_client: Client,
    client_for: ClientFor,
) -> None:
    thread = _noted_thread(make_member(), "Grief", make_category)
    set_note_preference(
        member=member, label=ContentNoteLabel.objects.get(slug="grief"), choice=NoteChoice.SHOW
    )

    mine = member_client.get(thread.get_absolute_url()).content.decode()  # type: ignore[attr-defined]
    theirs = client_for(make_member()).get(thread.get_absolute_url()).content.decode()  # type: ignore[attr-defined]

    assert FOLDED not in mine
    assert "Content note: Grief and loss" in mine  # still labelled, just not folded
    assert FOLDED in theirs


def test_hide_from_my_lists_removes_threads_carrying_the_label(
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    member: User,
    member_client: Client,
) -> None:
    thread = _noted_thread(make_member(), "Grief", make_category)
    other = make_thread(category=thread.category, title="A gentle walk")  # type: ignore[attr-defined]
    set_note_preference(
        member=member, label=ContentNoteLabel.objects.get(slug="grief"), choice=NoteChoice.HIDE
    )

    category_page = member_client.get(thread.category.get_absolute_url()).content.decode()  # type: ignore[attr-defined]
    home = member_client.get("/").content.decode()

    assert "After the funeral" not in category_page
    assert other.title in category_page
    assert "After the funeral" not in home
    # The thread itself is still reachable, folded, if someone links to it.
    assert FOLDED in member_client.get(thread.get_absolute_url()).content.decode()  # type: ignore[attr-defined]


def test_the_preferences_page_saves_a_choice_per_label(member: User, member_client: Client) -> None:
    grief = ContentNoteLabel.objects.get(slug="grief")
    data = {f"label_{label.pk}": "collapse" for label in ContentNoteLabel.objects.all()}
    data[f"label_{grief.pk}"] = "hide"

    response = member_client.post(reverse("safety:content_note_preferences"), data)

    assert response.status_code == 302
    page = member_client.get(reverse("safety:content_note_preferences")).content.decode()
    assert f'value="hide" id="id_label_{grief.pk}_2" checked' in page or (
        f'name="label_{grief.pk}" value="hide"' in page and "checked" in page
    )


def test_a_muted_members_posts_are_folded_and_they_are_not_told(
    make_thread: MakeThread, make_reply: MakeReply, make_member: MakeMember, member_client: Client
) -> None:
    thread = make_thread()
    noisy = make_member(username="noisy", display_name="Noisy")
    make_reply(thread, author=noisy, body="Something I'd rather not read")

    response = member_client.post(
        reverse("accounts:change_mute", args=["noisy"]), {"action": "mute"}
    )

    assert response.status_code == 302
    page = member_client.get(thread.get_absolute_url()).content.decode()
    assert '<details class="fold"><summary>Post from a muted member' in page
    assert not ModeratorNotice.objects.filter(member=noisy).exists()
    mutes = member_client.get(reverse("accounts:mutes")).content.decode()
    assert "Noisy" in mutes
    member_client.post(reverse("accounts:change_mute", args=["noisy"]), {"action": "unmute"})
    assert not MemberMute.objects.exists()
    assert (
        "Post from a muted member"
        not in member_client.get(thread.get_absolute_url()).content.decode()
    )


def test_muting_a_thread_takes_it_out_of_my_lists(
    make_thread: MakeThread, member_client: Client
) -> None:
    thread = make_thread(title="A thread I need a break from")

    member_client.post(
        reverse("forum:follow_thread", args=[thread.pk]), {"level": "muted"}, follow=True
    )

    assert (
        thread.title not in member_client.get(thread.category.get_absolute_url()).content.decode()
    )
    assert thread.title not in member_client.get("/").content.decode()
    member_client.post(reverse("forum:follow_thread", args=[thread.pk]), {"level": ""}, follow=True)
    assert thread.title in member_client.get(thread.category.get_absolute_url()).content.decode()


def test_members_cannot_mute_themselves(member: User, member_client: Client) -> None:
    response = member_client.post(
        reverse("accounts:change_mute", args=[member.username]), {"action": "mute"}
    )

    assert response.status_code == 400
    assert not MemberMute.objects.exists()
