"""The community guidelines: anyone may read them, a version is never changed, and a new
one asks every member again -- without ever holding back the toolkit, crisis support,
the member's rights over their data, the API, or anything they were sending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post
from hearth.forum.testing import MakeThread
from hearth.welcome.models import GuidelinesAcceptance, GuidelinesVersion
from hearth.welcome.selectors import accepted_number, current_guidelines
from hearth.welcome.services import publish_guidelines

pytestmark = pytest.mark.django_db

ACCEPT = reverse("welcome:accept")
CRISIS_TEXT = "I can't keep pretending. Tonight I just want to die."


def _publish_second_version(by: User | None = None) -> GuidelinesVersion:
    first = current_guidelines()
    assert first is not None
    return publish_guidelines(
        body=first.body + "\n\n# Anniversaries\n\nBe gentle around anniversaries.\n",
        what_changed="A new section about anniversaries.",
        published_by=by,
    )


def _asked_to_accept(response: object) -> bool:
    location = getattr(response, "headers", {}).get("Location", "")
    return getattr(response, "status_code", 0) == 302 and location.startswith(ACCEPT)


# --- Reading them -------------------------------------------------------------------------


def test_visitors_can_read_the_guidelines_with_their_version_date_and_what_changed() -> None:
    response = Client().get(reverse("welcome:guidelines"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Community guidelines</h1>" in page
    assert "Version 1" in page
    assert f"published on {timezone.localtime(timezone.now()):%-d %B %Y}" in page
    assert "The first version of our community guidelines." in page
    assert "Peer support, not a crisis service" in page
    assert "Join</a>" in page


def test_the_shipped_guidelines_cover_what_this_community_needs() -> None:
    first = current_guidelines()
    assert first is not None

    text = first.body
    for needed in [
        "not a crisis service",
        "emergency number",
        "Be kind",
        "content note",
        "not methods",
        "Experience, not treatment",
        "start, stop or change a medication",
        "anything that could identify someone else",
        "Their hours are shown at the foot of every page",
    ]:
        assert needed in text, needed
    # Rendered by the posts' pipeline: no raw HTML, headings below the page's own.
    assert "<h3>Be kind</h3>" in first.body_html
    assert "<script" not in first.body_html


def test_raw_html_in_the_guidelines_is_never_rendered() -> None:
    version = publish_guidelines(
        body="# Hello\n\n<script>alert(1)</script> <b>bold</b>",
        what_changed="A test.",
        published_by=None,
    )

    assert "<script" not in version.body_html
    assert "<b>" not in version.body_html
    assert "&lt;script&gt;" in version.body_html


def test_every_page_links_to_the_guidelines_in_its_footer(member_client: Client) -> None:
    for client, path in [(Client(), reverse("account_login")), (member_client, "/")]:
        page = client.get(path).content.decode()
        footer = page.split('<footer class="site-footer">', 1)[1].split("</footer>", 1)[0]
        assert f'href="{reverse("welcome:guidelines")}"' in footer, path


# --- Versions -----------------------------------------------------------------------------


def test_a_published_version_is_never_changed_in_place() -> None:
    first = current_guidelines()
    assert first is not None
    first_text = first.body

    first.body = "Something else entirely."
    with pytest.raises(ValueError, match="never changed"):
        first.save()
    second = _publish_second_version()

    first.refresh_from_db()
    assert first.body == first_text
    assert (second.number, second.what_changed) == (2, "A new section about anniversaries.")
    assert current_guidelines() == second


def test_publishing_a_new_version_asks_every_member_again(
    make_member: MakeMember, client_for: ClientFor, make_thread: MakeThread
) -> None:
    thread = make_thread()
    member = make_member()
    client = client_for(member)
    assert client.get("/").status_code == 200

    _publish_second_version()
    response = client.get(thread.get_absolute_url())

    assert _asked_to_accept(response)
    page = client.get(response["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "The community guidelines have changed" in text
    assert "A new section about anniversaries." in text
    assert "Be gentle around anniversaries." in text
    assert "I accept</button>" in text
    assert client.get("/").status_code == 302

    accepted = client.post(ACCEPT, {"version": 2, "next": thread.get_absolute_url()})

    assert accepted["Location"] == thread.get_absolute_url()
    assert client.get(thread.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    acceptance = GuidelinesAcceptance.objects.get(member=member, version__number=2)
    assert not acceptance.at_sign_up
    assert acceptance.accepted_at <= timezone.now()


def test_a_member_several_versions_behind_sees_every_change_since_theirs(
    member_client: Client,
) -> None:
    _publish_second_version()
    publish_guidelines(body="# Short\n\nNow.", what_changed="Much shorter.", published_by=None)

    page = member_client.get(ACCEPT).content.decode()

    assert "A new section about anniversaries." in page
    assert "Much shorter." in page
    assert page.index("Much shorter.") < page.index("A new section about anniversaries.")


def test_accepting_an_older_version_than_the_newest_asks_again(
    member: User, member_client: Client
) -> None:
    _publish_second_version()
    publish_guidelines(body="# Three\n\nThree.", what_changed="Third.", published_by=None)

    member_client.post(ACCEPT, {"version": 2})

    assert accepted_number(member) == 2
    assert _asked_to_accept(member_client.get("/"))


def test_accepting_a_version_that_does_not_exist_is_refused_with_a_message(
    member: User, member_client: Client
) -> None:
    _publish_second_version()

    response = member_client.post(ACCEPT, {"version": 99, "next": "/c/anything/"})

    assert response.status_code == 400
    assert "That version of the guidelines doesn" in response.content.decode()
    assert accepted_number(member) == 1


def test_accepting_twice_keeps_one_record(member: User, member_client: Client) -> None:
    _publish_second_version()

    member_client.post(ACCEPT, {"version": 2})
    member_client.post(ACCEPT, {"version": 2})

    assert GuidelinesAcceptance.objects.filter(member=member, version__number=2).count() == 1


def test_the_accept_page_sends_a_member_with_nothing_to_accept_on(member_client: Client) -> None:
    response = member_client.get(f"{ACCEPT}?next=/notes/")

    assert response.status_code == 302
    assert response["Location"] == "/notes/"


def test_the_accept_page_never_sends_a_member_to_another_site(member_client: Client) -> None:
    _publish_second_version()

    response = member_client.post(ACCEPT, {"version": 2, "next": "https://elsewhere.example/"})

    assert response["Location"] == "/"


def test_a_member_who_accepted_in_another_browser_is_not_asked_again_here(
    member: User, client_for: ClientFor
) -> None:
    laptop, phone = client_for(member), client_for(member)
    _publish_second_version()
    assert _asked_to_accept(phone.get("/"))

    laptop.post(ACCEPT, {"version": 2})

    assert phone.get("/").status_code == 200


def test_the_administrator_who_publishes_a_version_has_accepted_it(
    make_member: MakeMember, client_for: ClientFor
) -> None:
    administrator = make_member(role="administrator", is_staff=True, is_superuser=True)

    _publish_second_version(by=administrator)

    assert accepted_number(administrator) == 2
    assert client_for(administrator).get("/").status_code == 200


# --- What stays reachable -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/notes/",
        "/notes/plan/",
        "/notices/",
        "/guidelines/",
        "/settings/data/",
        "/settings/delete-account/",
        "/accounts/email/",
        "/accounts/password/change/",
        "/healthz",
    ],
)
def test_the_toolkit_crisis_support_data_and_account_pages_stay_reachable(
    member_client: Client, path: str
) -> None:
    _publish_second_version()

    response = member_client.get(path)

    assert not _asked_to_accept(response), path
    assert response.status_code in {200, 302}, path
    if response.status_code == 302:  # e.g. asked to confirm the password first
        assert not response["Location"].startswith(("/guidelines/", "/welcome/")), path


def test_signing_out_works_meanwhile(member_client: Client) -> None:
    _publish_second_version()

    response = member_client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in member_client.session


def test_the_api_answers_as_it_does_today(member_client: Client) -> None:
    _publish_second_version()

    response = member_client.get("/api/v1/categories")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "categories" in response.json()


def test_a_reply_sent_meanwhile_is_posted_and_its_crisis_panel_comes_first(
    make_thread: MakeThread, member: User, member_client: Client
) -> None:
    thread = make_thread()
    _publish_second_version()

    sent = member_client.post(
        reverse("forum:reply", args=[thread.pk]), {"body": CRISIS_TEXT, "request_key": "k1"}
    )

    assert sent.status_code == 302
    assert Post.objects.filter(thread=thread, author=member, body=CRISIS_TEXT).exists()
    # The private crisis panel the writer is waiting for is never held back ...
    landing = member_client.get(sent["Location"], follow=True)
    assert landing.status_code == 200
    assert landing.redirect_chain[-1][0].startswith(thread.get_absolute_url())
    assert "Thank you for sharing this" in landing.content.decode()
    # ... and the next page asks about the guidelines.
    assert _asked_to_accept(member_client.get(thread.get_absolute_url()))


@pytest.mark.parametrize(
    "headers",
    [
        {"HX-Request": "true"},
        {"X-Requested-With": "live"},
        {"Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"},
    ],
)
def test_scripts_and_htmx_requests_are_answered_not_redirected(
    member_client: Client, make_thread: MakeThread, headers: dict[str, str]
) -> None:
    thread = make_thread()
    _publish_second_version()

    response = member_client.get(reverse("forum:posts_after", args=[thread.pk, 1]), headers=headers)

    assert not _asked_to_accept(response)
    assert response.status_code == 200


def test_visitors_are_never_asked() -> None:
    _publish_second_version()

    assert Client().get(reverse("welcome:guidelines")).status_code == 200
    assert not _asked_to_accept(Client().get("/"))


# --- Who is asked -------------------------------------------------------------------------


def test_accounts_made_before_the_first_guidelines_are_asked_once(
    client_for: ClientFor,
) -> None:
    first = current_guidelines()
    assert first is not None
    old_timer = User.objects.create_user(
        username="oldtimer",
        password="x" * 12,
        date_joined=first.published_at - timedelta(days=400),
    )
    client = client_for(old_timer)

    assert _asked_to_accept(client.get("/"))
    client.post(ACCEPT, {"version": first.number})
    assert client.get("/").status_code == 200


def test_accounts_made_by_an_administrator_stand_by_the_version_then_in_force(
    client_for: ClientFor,
) -> None:
    made_in_admin = User.objects.create_user(username="madeinadmin", password="x" * 12)
    client = client_for(made_in_admin)

    assert client.get("/").status_code == 200
    _publish_second_version()
    assert _asked_to_accept(client.get("/"))


def test_with_no_guidelines_published_nobody_is_asked(member_client: Client) -> None:
    GuidelinesAcceptance.objects.all().delete()
    GuidelinesVersion.objects.all().delete()

    assert member_client.get("/").status_code == 200
    assert "haven't been published yet" in Client().get("/guidelines/").content.decode()


def test_the_check_costs_pages_no_query_once_the_session_knows(
    member_client: Client, make_thread: MakeThread
) -> None:
    thread = make_thread()
    member_client.get(thread.get_absolute_url())

    with CaptureQueriesContext(connection) as captured:
        member_client.get(thread.get_absolute_url())

    assert not [query for query in captured if 'FROM "welcome_' in query["sql"]]
