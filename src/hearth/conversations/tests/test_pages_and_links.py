"""A long conversation's two page navigations are told apart, and a quoted message links
to the site's own address (issue 18's rough edges, as the forum has them)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.conversations.models import Message
from hearth.conversations.selectors import MESSAGES_PER_PAGE, get_conversation_for_viewer_or_404
from hearth.conversations.services import send_message
from hearth.conversations.tests.conftest import Start
from hearth.core.testing import ClientFor

pytestmark = pytest.mark.django_db


def test_a_long_conversations_page_navigations_have_labels_of_their_own(
    fern: User, ash: User, start: Start, client_for: ClientFor
) -> None:
    conversation = start(fern, ash, body="The first message")
    opened = get_conversation_for_viewer_or_404(fern, conversation.pk)
    for number in range(MESSAGES_PER_PAGE):
        send_message(author=fern, opened=opened, body=f"Message {number}", request_key=f"m{number}")

    page = client_for(fern).get(reverse("conversations:conversation", args=[conversation.pk]))

    labels = re.findall(r'<nav class="pagination" aria-label="([^"]+)"', page.content.decode())
    assert labels == ["Pages, top", "Pages, bottom"]


@pytest.mark.parametrize(
    ("site_url_is_set", "expected_origin"),
    [(True, "https://hearth.example.org"), (False, "http://hearth.internal:8123")],
)
def test_a_quoted_message_links_to_the_sites_own_address(
    fern: User,
    ash: User,
    start: Start,
    client_for: ClientFor,
    settings: Settings,
    site_url_is_set: bool,
    expected_origin: str,
) -> None:
    settings.SITE_URL = "https://hearth.example.org"
    settings.SITE_URL_IS_SET = site_url_is_set
    settings.ALLOWED_HOSTS = ["hearth.internal", "testserver"]
    conversation = start(fern, ash, body="It was a hard session")
    message = Message.objects.get()

    page = client_for(ash).get(
        reverse("conversations:quote", args=[conversation.pk, message.pk]),
        headers={"host": "hearth.internal:8123"},
    )

    # In the composer's text: the link in angle brackets, escaped in the HTML.
    assert f"wrote](&lt;{expected_origin}/messages/{conversation.pk}/" in page.content.decode()
