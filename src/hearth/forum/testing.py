"""Forum fixtures for tests (a pytest plugin; see conftest.py). They use real services."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from hearth.accounts.models import Role, User
from hearth.core.testing import MakeMember
from hearth.forum.models import Category, CategoryModerator, Post, Thread, Visibility
from hearth.forum.services import reply_to_thread, start_thread

_numbers = itertools.count(1)

MakeCategory = Callable[..., Category]
MakeThread = Callable[..., Thread]
MakeReply = Callable[..., Post]


@pytest.fixture
def make_category(db: None) -> MakeCategory:
    def make(name: str | None = None, **fields: Any) -> Category:
        number = next(_numbers)
        name = name or f"Category {number}"
        fields.setdefault("slug", f"category-{number}")
        fields.setdefault("visibility", Visibility.MEMBERS)
        return Category.objects.create(name=name, **fields)

    return make


@pytest.fixture
def category(make_category: MakeCategory) -> Category:
    return make_category("Between sessions")


@pytest.fixture
def make_thread(make_member: MakeMember, make_category: MakeCategory) -> MakeThread:
    """Start a thread through the real service; ``locked``/``pinned`` set moderator flags."""

    def make(
        *,
        author: User | None = None,
        category: Category | None = None,
        title: str = "Missing my therapist",
        body: str = "It has been a long week.",
        locked: bool = False,
        pinned: bool = False,
    ) -> Thread:
        thread = start_thread(
            author=author or make_member(),
            category=category or make_category(),
            title=title,
            body=body,
            request_key=f"thread-{next(_numbers)}",
        )
        if locked or pinned:
            Thread.objects.filter(pk=thread.pk).update(is_locked=locked, is_pinned=pinned)
            thread.refresh_from_db()
        return thread

    return make


@pytest.fixture
def make_reply(make_member: MakeMember) -> MakeReply:
    def make(thread: Thread, *, author: User | None = None, body: str = "Sending a hug.") -> Post:
        return reply_to_thread(
            author=author or make_member(),
            thread=thread,
            body=body,
            request_key=f"reply-{next(_numbers)}",
        )

    return make


@pytest.fixture
def moderator(make_member: MakeMember) -> User:
    """A moderator of every category."""
    return make_member(role=Role.MODERATOR, display_name="Moderator")


@pytest.fixture
def make_category_moderator(make_member: MakeMember) -> Callable[[Category], User]:
    def make(category: Category) -> User:
        member = make_member(role=Role.MODERATOR)
        CategoryModerator.objects.create(category=category, member=member)
        return member

    return make


@pytest.fixture
def administrator(make_member: MakeMember) -> User:
    return make_member(role=Role.ADMINISTRATOR, display_name="Administrator")
