"""Fixtures for the API's tests: tokens made through the real service, and clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from hearth.accounts.models import User
from hearth.api.models import Scope
from hearth.api.services import NewToken, create_access_token

MakeToken = Callable[..., NewToken]
BearerClient = Callable[..., Client]


@pytest.fixture
def make_token(db: None) -> MakeToken:
    def make(member: User, *, scope: Scope = Scope.WRITE, days: int = 90) -> NewToken:
        return create_access_token(member=member, name="My app", scope=scope, lifetime_days=days)

    return make


@pytest.fixture
def bearer_client(make_token: MakeToken) -> BearerClient:
    """A client sending a new token of the member's (no session, no cookies)."""

    def make(member: User, *, scope: Scope = Scope.WRITE) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Bearer {make_token(member, scope=scope).secret}")

    return make
