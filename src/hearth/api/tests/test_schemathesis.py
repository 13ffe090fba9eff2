"""Schemathesis against the OpenAPI document: for inputs generated from the schema (valid
ones, and invalid ones), no operation answers 5xx, and every answer -- its status, its
content type and its body -- is one the document describes.

A member with a little of everything (a category, a thread with replies, a reaction, a
notification, a conversation) calls the API with a read and write token, through the WSGI
application in this process, inside the test's transaction; bounded so the whole run takes
well under a minute (on SQLite and on PostgreSQL alike).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from hearth.accounts.models import User
from hearth.api.tests.conftest import MakeToken
from hearth.api.wiring import api
from hearth.conversations.models import AllowFrom, MessagingSettings
from hearth.conversations.services import start_conversation
from hearth.core.testing import MakeMember
from hearth.forum.models import ReactionKind, Visibility
from hearth.forum.services import toggle_reaction
from hearth.forum.testing import MakeCategory, MakeReply, MakeThread

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

SCHEMA = schemathesis.openapi.from_dict(api.get_openapi_schema())
SCHEMA.app = WSGIHandler()  # calls go to Django in this process, not over the network
OPERATIONS: list[Any] = [
    result.ok() for result in SCHEMA.get_all_operations() if isinstance(result, Ok)
]
# Invalid input can only be generated for an operation that takes some.
CASES = [
    pytest.param(operation, mode, id=f"{mode.value}-{operation.label}")
    for operation in OPERATIONS
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode == GenerationMode.POSITIVE
    or any(
        len(inputs)
        for inputs in (
            operation.path_parameters,
            operation.query,
            operation.headers,
            operation.body,
        )
    )
]


@pytest.fixture(autouse=True)
def _keep_the_tests_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, as a server
    should; the test's transaction lives on it, so keep it open (as Django's test client
    does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def member_with_data(
    make_member: MakeMember,
    make_category: MakeCategory,
    make_thread: MakeThread,
    make_reply: MakeReply,
) -> User:
    long_ago = timezone.now() - timedelta(days=30)
    member, friend = make_member(date_joined=long_ago), make_member(date_joined=long_ago)
    category = make_category(visibility=Visibility.PUBLIC, allow_anonymous=True, slug="public")
    thread = make_thread(author=member, category=category)
    reply = make_reply(thread, author=friend)
    make_reply(thread, author=member)
    toggle_reaction(member=member, post=reply, kind=ReactionKind.HUG)
    toggle_reaction(member=friend, post=thread.posts.get(position=1), kind=ReactionKind.HEART)
    MessagingSettings.objects.create(member=member, allow_from=AllowFrom.EVERYONE)
    start_conversation(
        starter=friend, recipients=[member], title="", body="How are you?", request_key="s1"
    )
    return member


def test_every_operation_is_generated() -> None:
    assert len(OPERATIONS) == len(
        [operation for path in api.get_openapi_schema()["paths"].values() for operation in path]
    )


@pytest.mark.parametrize(("operation", "mode"), CASES)
def test_no_generated_input_breaks_an_operation_or_its_schema(
    operation: Any,
    mode: GenerationMode,
    member_with_data: User,
    make_token: MakeToken,
) -> None:
    headers = {"Authorization": f"Bearer {make_token(member_with_data).secret}"}

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    call()
