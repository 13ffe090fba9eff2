"""Anonymous posting: members see a stable per-thread pseudonym and never the account.

The scan below fetches every page and fragment a member can reach about the
anonymous posts and looks for any trace of the author: username, display
name, id, avatar.
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from hearth.accounts.models import User
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Category, Post, ReactionKind, Thread
from hearth.forum.services import edit_post, reply_to_thread, start_thread, toggle_reaction
from hearth.forum.testing import MakeCategory, MakeThread
from hearth.moderation.models import AuditEntry

pytestmark = pytest.mark.django_db

AUTHOR_ID = 987654


@pytest.fixture
def anonymous_category(make_category: MakeCategory) -> Category:
    return make_category("Hard things", slug="hard-things", allow_anonymous=True)


@pytest.fixture
def secret_author(make_member: MakeMember, client_for: ClientFor) -> User:
    author = make_member(username="zz_secret_author", display_name="Secret Sparrow", pk=AUTHOR_ID)
    image = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 200, 10)).save(image, format="PNG")
    client_for(author).post(
        reverse("accounts:edit_profile"),
        {
            "display_name": author.display_name,
            "bio": "",
            "time_zone": "UTC",
            "language": "en",
            "country": "GB",
            "avatar": SimpleUploadedFile("me.png", image.getvalue(), "image/png"),
        },
    )
    author.refresh_from_db()
    assert author.avatar
    return author


@pytest.fixture
def anonymous_thread(anonymous_category: Category, secret_author: User) -> Thread:
    """A thread the secret author started anonymously."""
    return start_thread(
        author=secret_author,
        category=anonymous_category,
        title="Something I can't say openly",
        body="Writing this anonymously.",
        request_key="a1",
        anonymous=True,
    )


def test_an_anonymous_post_shows_a_stable_pseudonym_per_thread(
    anonymous_thread: Thread,
    anonymous_category: Category,
    secret_author: User,
    make_thread: MakeThread,
    member_client: Client,
) -> None:
    first = anonymous_thread
    reply = reply_to_thread(
        author=secret_author,
        thread=first,
        body="And a follow-up.",
        request_key="a2",
        anonymous=True,
    )
    elsewhere = make_thread(category=anonymous_category)
    other = reply_to_thread(
        author=secret_author, thread=elsewhere, body="Hi", request_key="a3", anonymous=True
    )

    original = first.posts.get(position=1)
    assert original.author_name == reply.author_name
    assert original.author_name.startswith("Anonymous ")
    assert other.author_name.startswith("Anonymous ")
    first.refresh_from_db()
    assert first.author_name == original.author_name


def test_no_page_a_member_can_reach_shows_who_wrote_an_anonymous_post(
    anonymous_thread: Thread,
    anonymous_category: Category,
    secret_author: User,
    make_member: MakeMember,
    client_for: ClientFor,
) -> None:
    thread = anonymous_thread
    original = thread.posts.get(position=1)
    edit_post(
        editor=secret_author,
        post=original,
        body="Writing this anonymously, edited.",
        base_revision=1,
        reason="typo",
    )
    reply = reply_to_thread(
        author=secret_author,
        thread=thread,
        body="A later anonymous reply.",
        request_key="a2",
        anonymous=True,
    )
    reader = make_member(display_name="Reader")
    toggle_reaction(member=reader, post=original, kind=ReactionKind.HUG)
    client = client_for(reader)

    pages = {
        "home": client.get("/"),
        "category": client.get(anonymous_category.get_absolute_url()),
        "thread": client.get(thread.get_absolute_url()),
        "history": client.get(reverse("forum:history", args=[original.pk])),
        "reactors": client.get(reverse("forum:reactors", args=[original.pk])),
        "quote": client.get(reverse("forum:quote", args=[reply.pk])),
        "report": client.get(reverse("moderation:report_post", args=[reply.pk])),
        "reactions fragment": client.post(
            reverse("forum:react", args=[reply.pk]), {"kind": "heart"}, HTTP_HX_REQUEST="true"
        ),
        "permalink": client.get(reverse("forum:permalink", args=[reply.pk])),
    }

    traces = [
        secret_author.username,
        secret_author.display_name,
        str(AUTHOR_ID),
        str(secret_author.avatar.name),
        f"/members/{secret_author.username}/",
    ]
    for name, response in pages.items():
        assert response.status_code in {200, 302}, name
        text = response.content.decode() + response.get("Location", "")
        for trace in traces:
            assert trace not in text, f"{trace!r} leaks on the {name} page"
    assert original.author_name in pages["thread"].content.decode()


def test_moderators_see_anonymous_and_reveal_only_through_an_audited_action(
    anonymous_category: Category, secret_author: User, moderator: User, client_for: ClientFor
) -> None:
    thread = start_thread(
        author=secret_author,
        category=anonymous_category,
        title="T",
        body="B",
        request_key="a1",
        anonymous=True,
    )
    post = thread.posts.get()
    client = client_for(moderator)

    before = client.get(reverse("moderation:post", args=[post.pk])).content.decode()
    response = client.post(
        reverse("moderation:post_action", args=[post.pk, "reveal"]), {"reason": "Safety concern"}
    )

    assert "Posted anonymously as" in before
    assert secret_author.username not in before
    assert secret_author.username in response.content.decode()
    entry = AuditEntry.objects.get(action="reveal_author")
    assert entry.actor == moderator
    assert entry.reason == "Safety concern"


def test_anonymity_is_only_offered_where_the_category_allows_it(
    make_category: MakeCategory, member: User
) -> None:
    from django.core.exceptions import PermissionDenied  # noqa: PLC0415

    closed = make_category(allow_anonymous=False)

    with pytest.raises(PermissionDenied):
        start_thread(
            author=member, category=closed, title="T", body="B", request_key="x", anonymous=True
        )

    assert not Post.objects.exists()


def test_anonymity_does_not_bypass_a_suspension(anonymous_category: Category, member: User) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from django.core.exceptions import PermissionDenied  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    member.suspended_until = timezone.now() + timedelta(days=2)
    member.suspension_is_partial = True
    member.save()

    with pytest.raises(PermissionDenied, match="can't post"):
        start_thread(
            author=member,
            category=anonymous_category,
            title="T",
            body="B",
            request_key="x",
            anonymous=True,
        )
