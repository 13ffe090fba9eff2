"""Fixtures shared by the conversation tests: established members open to messages,
and starting a conversation through the real service."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hearth.accounts.models import User
from hearth.conversations.models import Conversation
from hearth.conversations.services import start_conversation
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.testing import MakeMember

Start = Callable[..., Conversation]


def _correspondent(make_member: MakeMember, username: str) -> User:
    member = make_member(username=username, display_name=username.title())
    make_established(member)
    open_to_everyone(member)
    return member


@pytest.fixture
def fern(make_member: MakeMember) -> User:
    return _correspondent(make_member, "fern")


@pytest.fixture
def ash(make_member: MakeMember) -> User:
    return _correspondent(make_member, "ash")


@pytest.fixture
def willow(make_member: MakeMember) -> User:
    return _correspondent(make_member, "willow")


@pytest.fixture
def start() -> Start:
    """Start a conversation through the service (its members open to everyone)."""
    keys = iter(range(10**6))

    def make(
        starter: User, *recipients: User, body: str = "Hello, how are you?", title: str = ""
    ) -> Conversation:
        open_to_everyone(*recipients)
        return start_conversation(
            starter=starter,
            recipients=list(recipients),
            title=title,
            body=body,
            request_key=f"start-{starter.pk}-{next(keys)}",
        )

    return make
