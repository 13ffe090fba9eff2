"""Being a member is private: sign-in required, no indexing, a lean health check."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.forum.models import Visibility
from hearth.forum.testing import MakeCategory, MakeThread

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ["home", "accounts:edit_profile"]


@pytest.mark.parametrize("url_name", MEMBER_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(url_name: str) -> None:
    url = reverse(url_name)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url}"


def test_a_profile_page_is_for_members_only(member: User) -> None:
    url = member.get_absolute_url()

    assert Client().get(url).status_code == 302


def test_there_is_no_public_member_list() -> None:
    assert Client().get("/members/").status_code in {302, 404}


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz", "/robots.txt", "/nowhere/"])
def test_every_response_asks_search_engines_not_to_index(path: str) -> None:
    response = Client().get(path)

    assert response["X-Robots-Tag"] == "noindex, nofollow"


@override_settings(HEARTH_ALLOW_INDEXING=True)
def test_an_operator_can_allow_indexing() -> None:
    # The middleware reads the switch at start-up; a fresh handler picks it up.
    response = Client().get("/robots.txt")

    assert "Disallow: /\n" not in response.content.decode()


def test_robots_txt_disallows_everything_by_default() -> None:
    response = Client().get("/robots.txt")

    assert response.status_code == 200
    assert response.content.decode() == "User-agent: *\nDisallow: /\n"


def test_the_health_check_answers_without_touching_the_database(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_pages_carry_a_strict_content_security_policy(member_client: Client) -> None:
    response = member_client.get(reverse("home"))

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self' 'nonce-" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_uploaded_media_is_for_members_only(member_client: Client, settings: Settings) -> None:
    (settings.MEDIA_ROOT / "avatars").mkdir(parents=True, exist_ok=True)
    (settings.MEDIA_ROOT / "avatars" / "a.webp").write_bytes(b"RIFF")

    assert Client().get("/media/avatars/a.webp").status_code == 302
    assert member_client.get("/media/avatars/a.webp").status_code == 200
    assert member_client.get("/media/../secret_key").status_code == 404
    assert member_client.get("/media/avatars/missing.webp").status_code == 404


@pytest.mark.django_db
def test_reading_public_pages_sets_no_cookie_for_a_visitor(
    make_category: MakeCategory, make_thread: MakeThread
) -> None:
    """A visitor who isn't signed in reads without any form, so without a CSRF cookie."""
    category = make_category(visibility=Visibility.PUBLIC)
    thread = make_thread(category=category)
    visitor = Client()

    for path in ("/", category.get_absolute_url(), thread.get_absolute_url()):
        response = visitor.get(path)
        assert response.status_code == 200, path
        assert not response.cookies, path


@pytest.mark.django_db
def test_pages_stay_out_of_shared_caches_and_carry_no_validators(
    member_client: Client, make_category: MakeCategory, make_thread: MakeThread
) -> None:
    thread = make_thread(category=make_category(visibility=Visibility.PUBLIC))

    for client, expected in ((member_client, "private, no-store"), (Client(), "private, no-cache")):
        for path in ("/", thread.get_absolute_url()):
            response = client.get(path)
            assert response["Cache-Control"] == expected, path
            assert "ETag" not in response, path
            assert "Last-Modified" not in response, path
