"""Personal access tokens: made in the settings and shown once, kept as a digest, working
as a bearer token within their scope until they expire or are revoked, and gone with the
account."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.api.models import AccessToken, Scope
from hearth.api.services import LAST_USED_RESOLUTION, MOST_ACTIVE_TOKENS
from hearth.api.tests.conftest import MakeToken
from hearth.core.testing import TEST_PASSWORD, ClientFor, MakeMember
from hearth.forum.models import Thread
from hearth.forum.testing import MakeThread
from hearth.member_data.deletion import delete_account, request_deletion
from hearth.member_data.models import PostsChoice

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def _bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _signed_in_again(client: Client) -> Client:
    """Confirm the password, as allauth asks before a token is made."""
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    return client


def _make_on_the_page(client: Client, **fields: str) -> tuple[int, str]:
    form = {
        "name": "Reader app",
        "scope": "read",
        "lifetime_days": "90",
        "form_key": uuid.uuid4().hex,
        **fields,
    }
    response = client.post(reverse("api_tokens:tokens"), form)
    return response.status_code, response.content.decode()


def test_the_settings_page_shows_a_new_token_once_and_keeps_only_its_digest(
    member: User, client_for: ClientFor
) -> None:
    client = _signed_in_again(client_for(member))

    status, page = _make_on_the_page(client)

    assert status == 200
    token = AccessToken.objects.get(member=member)
    secret = page.split('id="new-token" type="text" readonly value="', 1)[1].split('"', 1)[0]
    assert secret.startswith("hearth_")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.digest, token.prefix, token.name}
    assert secret.startswith(token.prefix)
    assert token.scope == Scope.READ
    assert token.expires_at - token.created_at == timedelta(days=90)
    again = client.get(reverse("api_tokens:tokens")).content.decode()
    assert secret not in again
    assert token.prefix in again
    assert _bearer(secret).get(ME).json()["username"] == member.username


def test_sending_the_same_form_again_makes_no_second_token(
    member: User, client_for: ClientFor
) -> None:
    client = _signed_in_again(client_for(member))
    form_key = uuid.uuid4().hex

    first, _page = _make_on_the_page(client, form_key=form_key)
    again = client.post(
        reverse("api_tokens:tokens"),
        {"name": "Reader app", "scope": "read", "lifetime_days": "90", "form_key": form_key},
        follow=True,
    )

    assert first == 200
    assert AccessToken.objects.filter(member=member).count() == 1
    assert "made its token already" in again.content.decode()
    assert 'id="new-token"' not in again.content.decode()


def test_making_a_token_asks_for_the_password_first(member: User, client_for: ClientFor) -> None:
    response = client_for(member).post(
        reverse("api_tokens:tokens"), {"name": "App", "scope": "read", "lifetime_days": "90"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AccessToken.objects.filter(member=member).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "   "}, "This field is required."),
        ({"lifetime_days": "0"}, "Select a valid choice."),
        ({"scope": "admin"}, "Select a valid choice."),
    ],
)
def test_the_page_refuses_a_token_without_a_name_lifetime_or_scope(
    member: User, client_for: ClientFor, fields: dict[str, str], message: str
) -> None:
    status, page = _make_on_the_page(_signed_in_again(client_for(member)), **fields)

    assert status == 400
    assert message in page
    assert not AccessToken.objects.filter(member=member).exists()


def test_a_member_has_at_most_twenty_working_tokens(
    member: User, make_token: MakeToken, client_for: ClientFor
) -> None:
    for _number in range(MOST_ACTIVE_TOKENS):
        make_token(member)

    status, page = _make_on_the_page(_signed_in_again(client_for(member)))

    assert status == 400
    assert "the most we allow" in page
    assert AccessToken.objects.filter(member=member).count() == MOST_ACTIVE_TOKENS


def test_a_read_token_reads_but_may_not_write(
    member: User, make_token: MakeToken, make_thread: MakeThread
) -> None:
    thread = make_thread()
    client = _bearer(make_token(member, scope=Scope.READ).secret)

    read = client.get(f"/api/v1/threads/{thread.pk}")
    written = client.post(
        f"/api/v1/threads/{thread.pk}/posts",
        json.dumps({"body": "Hello"}),
        content_type="application/json",
    )

    assert read.status_code == 200
    assert written.status_code == 403
    assert written.json()["error"]["code"] == "insufficient_scope"
    assert Thread.objects.get(pk=thread.pk).reply_count == 0


def test_a_write_token_needs_no_csrf_token(
    member: User, make_token: MakeToken, make_thread: MakeThread
) -> None:
    thread = make_thread()
    client = Client(
        enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {make_token(member).secret}"
    )

    response = client.post(
        f"/api/v1/threads/{thread.pk}/posts",
        json.dumps({"body": "Hello"}),
        content_type="application/json",
    )

    assert response.status_code == 201


def test_an_expired_token_is_refused(member: User, make_token: MakeToken) -> None:
    made = make_token(member)
    AccessToken.objects.filter(pk=made.token.pk).update(
        created_at=timezone.now() - timedelta(days=91), expires_at=timezone.now()
    )

    response = _bearer(made.secret).get(ME)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    "header",
    ["Bearer hearth_not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer hearth_" + "x" * 500],
)
def test_anything_but_a_working_token_is_refused_not_taken_for_a_visitor(header: str) -> None:
    response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/categories")

    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_a_token_revoked_in_the_settings_stops_working(
    member: User, make_token: MakeToken, client_for: ClientFor
) -> None:
    made = make_token(member)
    assert _bearer(made.secret).get(ME).status_code == 200

    response = client_for(member).post(reverse("api_tokens:revoke", args=[made.token.pk]))

    assert response.status_code == 302
    assert _bearer(made.secret).get(ME).status_code == 401
    assert AccessToken.objects.get(pk=made.token.pk).revoked_at is not None


def test_a_member_cannot_revoke_someone_elses_token(
    member: User, make_member: MakeMember, make_token: MakeToken, client_for: ClientFor
) -> None:
    made = make_token(make_member())

    response = client_for(member).post(reverse("api_tokens:revoke", args=[made.token.pk]))

    assert response.status_code == 404
    assert _bearer(made.secret).get(ME).status_code == 200


def test_last_use_is_recorded_at_most_once_a_minute(member: User, make_token: MakeToken) -> None:
    made = make_token(member)
    client = _bearer(made.secret)

    client.get(ME)
    first = AccessToken.objects.get(pk=made.token.pk).last_used_at
    client.get(ME)
    second = AccessToken.objects.get(pk=made.token.pk).last_used_at
    AccessToken.objects.filter(pk=made.token.pk).update(
        last_used_at=timezone.now() - LAST_USED_RESOLUTION - timedelta(seconds=1)
    )
    client.get(ME)
    third = AccessToken.objects.get(pk=made.token.pk).last_used_at

    assert first is not None
    assert second == first
    assert third is not None
    assert third > first


def test_the_settings_page_lists_name_scope_and_last_use(
    member: User, make_token: MakeToken, client_for: ClientFor
) -> None:
    made = make_token(member, scope=Scope.READ)
    _bearer(made.secret).get(ME)

    page = client_for(member).get(reverse("api_tokens:tokens")).content.decode()

    assert "My app" in page
    assert "Read only" in page
    assert "Last used" in page
    assert made.secret not in page


def test_tokens_stop_when_the_member_asks_to_leave_and_go_with_the_account(
    member: User, make_token: MakeToken
) -> None:
    made = make_token(member)

    request_deletion(member, posts=PostsChoice.KEEP)
    refused = _bearer(made.secret).get(ME)
    delete_account(member.pk, posts=PostsChoice.KEEP)

    assert refused.status_code == 401
    assert not AccessToken.objects.filter(pk=made.token.pk).exists()


def test_a_fully_suspended_members_token_is_refused_as_the_web_refuses_them(
    member: User, make_token: MakeToken, client_for: ClientFor
) -> None:
    made = make_token(member)
    User.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + timedelta(days=2))

    by_token = _bearer(made.secret).get(ME)
    by_session = client_for(member).get(ME)

    assert (by_token.status_code, by_token.json()["error"]["code"]) == (403, "suspended")
    assert (by_session.status_code, by_session.json()["error"]["code"]) == (403, "suspended")
