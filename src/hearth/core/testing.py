"""Test helpers shared by every app's tests (a pytest plugin; see conftest.py).

Factories go through the same code paths members do: a member made here has
a verified email address, exactly as one who signed up and clicked the link,
and has accepted the community guidelines in force (but is owed no welcome page).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import caches
from django.test import Client

from hearth.accounts.models import User
from hearth.core.rate_counters import counter_store
from hearth.welcome.selectors import current_guidelines
from hearth.welcome.services import accept_guidelines

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - test-only credential

_member_numbers = itertools.count(1)

MakeMember = Callable[..., User]
ClientFor = Callable[[User], Client]
# ``toolkit_filler(member, marker=...)``, the toolkit's own test fixture: typed here so
# other apps' tests need not import the toolkit.
FillToolkit = Callable[..., object]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Start every test with an empty cache and no rate-limit counts, so neither leaks
    between tests."""
    for each in caches.all():
        each.clear()
    counter_store().forget_all()
    yield
    for each in caches.all():
        each.clear()
    counter_store().forget_all()


@pytest.fixture
def make_member(db: None) -> MakeMember:
    """Return a function creating a verified member; keyword arguments set fields."""

    def make(username: str | None = None, **fields: Any) -> User:
        number = next(_member_numbers)
        username = username or f"member{number}"
        fields.setdefault("display_name", f"Member {number}")
        fields.setdefault("email", f"{username}@example.org")
        member = User.objects.create_user(username=username, password=TEST_PASSWORD, **fields)
        EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
        # ... and accepted the community guidelines in force, as the sign-up form asks.
        if current := current_guidelines():
            accept_guidelines(member=member, version=current)
        return member

    return make


@pytest.fixture
def member(make_member: MakeMember) -> User:
    return make_member()


@pytest.fixture
def member_client(member: User) -> Client:
    """A test client signed in as ``member``."""
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def client_for() -> ClientFor:
    """Return a function giving a signed-in test client for any member."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
