"""The one exception *Settings → Muted and blocked members* names: a block never stops
messages to a moderator (issue 18, "settings texts that promise what does not exist").

The page's other sentences are checked rule by rule in test_blocking.py; this is the
sentence that makes "They can't start a conversation with you" true for a moderator
reading it too.
"""

from __future__ import annotations

import html

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from hearth.accounts.models import Role, User
from hearth.accounts.services import mute_member
from hearth.conversations.models import Message
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import send_message, start_conversation
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.testing import ClientFor, MakeMember

pytestmark = pytest.mark.django_db

EXCEPTION = (
    "The moderators are the one exception: every member can always write to them, "
    "whoever blocked whom."
)


@pytest.fixture
def alder(make_member: MakeMember) -> User:
    """A moderator."""
    alder = make_member(username="alder", display_name="Alder", role=Role.MODERATOR)
    make_established(alder)
    return alder


@pytest.fixture
def rowan(make_member: MakeMember) -> User:
    rowan = make_member(username="rowan", display_name="Rowan")
    make_established(rowan)
    open_to_everyone(rowan)
    return rowan


def test_the_settings_page_names_the_exception(rowan: User, client_for: ClientFor) -> None:
    page = html.unescape(client_for(rowan).get(reverse("accounts:mutes")).content.decode())

    assert EXCEPTION in page


@pytest.mark.parametrize("blocker", ["the moderator", "the member"])
def test_a_member_can_write_to_a_moderator_whoever_blocked_whom(
    alder: User, rowan: User, blocker: str
) -> None:
    if blocker == "the moderator":
        mute_member(member=alder, target=rowan, block=True)
    else:
        mute_member(member=rowan, target=alder, block=True)

    started = start_conversation(
        starter=rowan, recipients=[alder], title="", body="A question", request_key="k1"
    )
    send_message(
        author=rowan,
        opened=get_conversation_for_viewer_or_404(rowan, started.pk),
        body="And another",
        request_key="k2",
    )

    assert Message.objects.filter(conversation=started).count() == 2


def test_between_members_the_block_still_stops_messages(
    rowan: User, make_member: MakeMember
) -> None:
    willow = make_member(username="willow", display_name="Willow")
    make_established(willow)
    open_to_everyone(willow)
    mute_member(member=willow, target=rowan, block=True)

    with pytest.raises(PermissionDenied):
        start_conversation(starter=rowan, recipients=[willow], title="", body="Hi", request_key="k")
