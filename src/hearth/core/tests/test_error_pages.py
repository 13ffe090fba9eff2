"""Errors get friendly pages in the site layout, never a stack trace."""

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.urls import urlpatterns as hearth_urlpatterns

pytestmark = pytest.mark.django_db


def broken_view(request: HttpRequest) -> HttpResponse:
    message = "a secret detail of the failure"
    raise RuntimeError(message)


urlpatterns = [path("broken/", broken_view), *hearth_urlpatterns]
handler404 = "hearth.core.views.page_not_found"
handler500 = "hearth.core.views.server_error"


def test_an_unknown_page_is_a_friendly_404_in_the_layout(member_client: Client) -> None:
    response = member_client.get("/no/such/page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "find that page" in page
    assert "Skip to main content" in page


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_a_server_error_shows_no_stack_trace(member: User) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(member)

    response = client.get("/broken/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "Traceback" not in page
    assert "a secret detail of the failure" not in page


def test_an_oversized_request_is_refused_with_413_and_a_message(
    member_client: Client,
    settings: Settings,
) -> None:
    response = member_client.post(
        "/settings/profile/", data=b"x" * 100, content_type="application/octet-stream",
        CONTENT_LENGTH=str(settings.HEARTH_MAX_REQUEST_BYTES + 1),
    )  # fmt: skip

    assert response.status_code == 413
    assert "That was too large to accept" in response.content.decode()


def test_too_many_form_fields_is_a_400_not_a_500(member_client: Client) -> None:
    fields = {f"field{number}": "x" for number in range(1200)}

    response = member_client.post("/settings/profile/", fields)

    assert response.status_code == 400
    assert "understand that request" in response.content.decode()


def test_a_form_without_csrf_token_gets_a_friendly_403(member: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.post("/settings/profile/", {"display_name": "x"})

    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
