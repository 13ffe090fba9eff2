"""Cache correctness: after each change to a post or to its author, every viewer sees
the new state on their next request.

Thread pages are put together from cached parts, which the test settings keep in
this process's memory from one request to the next: each post's header and body
(keyed by the post's version and its author's profile version), the whole post
as each kind of viewer sees it, and the ``{% shared %}`` parts of the page. So
every test here reads the page first as viewers with different preferences,
which fills those caches; then the change happens through Hearth's own views;
then the same viewers read the page again. Nothing is cleared in between. (The
test settings also render every ``{% shared %}`` block again on each use and
fail if the shared copy differs.)

The posts are made days old: "3 d" reads the same for a day, so no
cached post expires by itself between two requests and hides a stale key.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from hearth.accounts.models import User
from hearth.accounts.services import mute_member
from hearth.accounts.testing import profile_form
from hearth.core.testing import ClientFor, MakeMember
from hearth.forum.models import Post, ReactionKind, Thread
from hearth.forum.services import ContentNote, reply_to_thread, toggle_reaction
from hearth.forum.testing import MakeReply, MakeThread
from hearth.safety.models import ContentNoteLabel, NoteChoice
from hearth.safety.services import set_note_preference

pytestmark = pytest.mark.django_db

FIRST_WORDS = "The waiting room smelled of rain again."
EDITED_WORDS = "Today I finally told her how I felt."
HIDING_REASON = "It names a clinic and a clinician"
DELETED = "This post was deleted by its author."
HIDDEN_FROM_MEMBERS = "A moderator hid this post."

# reader: no preferences at all; other_reader: the same, so the two share cached
# posts. careful_reader: always shows "Trauma", folds and hides "Grief and loss",
# has muted another member and reads newest first. moderator: moderates every
# category, no preferences. author: wrote the post the tests change.
READERS = ("reader", "other_reader", "careful_reader", "moderator")
EVERYONE = (*READERS, "author")


def folded(words: str) -> str:
    """A post folded behind its content note, as the page writes it."""
    return f'<details class="fold fold--note"><summary>Content note: {words} <span'


def labelled(words: str) -> str:
    """A post shown open under its content note."""
    return f'<p class="content-note-line muted">Content note: {words}</p>'


def pressed(kind: str, *, on: bool) -> str:
    return f'value="{kind}" class="reaction" aria-pressed="{"true" if on else "false"}"'


@dataclass
class Scene:
    """A thread with the post the tests change, its author, and a client per viewer."""

    thread: Thread
    post: Post
    author: User
    clients: dict[str, Client]

    def read(self, *personas: str) -> dict[str, str]:
        """Each persona's thread page, read now."""
        pages = {}
        for persona in personas:
            response = self.clients[persona].get(self.thread.get_absolute_url())
            assert response.status_code == 200, persona
            pages[persona] = response.content.decode()
        return pages

    def post_in(self, page: str) -> str:
        """The post's ``<article>`` in a page."""
        start = page.index(f'id="post-{self.post.pk}"')
        return page[start : page.index("</article>", start)]

    def avatar_url(self) -> str:
        self.author.refresh_from_db()
        return str(self.author.avatar.url)


def _picture(colour: tuple[int, int, int]) -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(output, format="PNG")
    return SimpleUploadedFile("me.png", output.getvalue(), content_type="image/png")


def _profile_form(member: User, **changes: object) -> dict[str, object]:
    # Fresh from the database: an earlier step of the scene may have changed the profile.
    member.refresh_from_db()
    return profile_form(member, **changes)


def _admin_form(member: User, **changes: object) -> dict[str, object]:
    """What the Django admin's change form for a member submits, with ``changes``
    (a value of None leaves a field out, as an unticked checkbox is left out)."""
    member.refresh_from_db()
    joined = timezone.localtime(member.date_joined)
    fields: dict[str, object] = {
        "username": member.username,
        "display_name": member.display_name,
        "email": member.email,
        "bio": member.bio,
        "time_zone": member.time_zone,
        "language": member.language,
        "country": member.country.code,
        "role": member.role,
        "receives_check_ins": "on",
        "is_active": "on",
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.time().strftime("%H:%M:%S"),
        "_save": "Save",
        **changes,
    }
    return {name: value for name, value in fields.items() if value is not None}


@pytest.fixture
def scene(
    make_member: MakeMember,
    make_thread: MakeThread,
    make_reply: MakeReply,
    moderator: User,
    client_for: ClientFor,
) -> Scene:
    trauma = ContentNoteLabel.objects.get(slug="trauma")
    thread = make_thread(title="Sessions in the rain")
    author = make_member(username="fern", display_name="Quiet Fern")
    post = reply_to_thread(
        author=author,
        thread=thread,
        body=FIRST_WORDS,
        request_key="the-post",
        content_note=ContentNote(labels=(trauma,)),
    )
    noisy = make_member(display_name="Noisy Neighbour")
    make_reply(thread, author=noisy, body="Something loud and unwelcome.")
    reader = make_member(display_name="Reader")
    careful_reader = make_member(display_name="Careful Reader", replies_newest_first=True)
    set_note_preference(member=careful_reader, label=trauma, choice=NoteChoice.SHOW)
    set_note_preference(
        member=careful_reader,
        label=ContentNoteLabel.objects.get(slug="grief"),
        choice=NoteChoice.HIDE,
    )
    mute_member(member=careful_reader, target=noisy)
    clients = {
        "reader": client_for(reader),
        "other_reader": client_for(make_member(display_name="Other Reader")),
        "careful_reader": client_for(careful_reader),
        "moderator": client_for(moderator),
        "author": client_for(author),
    }
    response = clients["author"].post(
        reverse("accounts:edit_profile"), _profile_form(author, avatar=_picture((200, 120, 80)))
    )
    assert response.status_code == 302
    Post.objects.filter(thread=thread).update(created_at=timezone.now() - timedelta(days=3))
    post.refresh_from_db()
    author.refresh_from_db()
    return Scene(thread=thread, post=post, author=author, clients=clients)


@pytest.fixture
def site_administrator(make_member: MakeMember) -> User:
    """Someone who may use the Django admin."""
    return make_member(display_name="Site Administrator", is_staff=True, is_superuser=True)


def test_the_viewers_start_out_seeing_the_post_differently(scene: Scene) -> None:
    pages = scene.read(*EVERYONE)

    for persona in ("reader", "other_reader", "moderator", "author"):
        assert folded("Trauma") in scene.post_in(pages[persona]), persona
    careful = pages["careful_reader"]
    assert labelled("Trauma") in scene.post_in(careful)
    assert '<details class="fold"><summary>Post from a muted member' in careful
    assert "Replies sorted newest to oldest" in careful
    assert "Post from a muted member" not in pages["reader"]
    assert "Replies sorted oldest to newest" in pages["reader"]
    assert ">Moderate</a>" in scene.post_in(pages["moderator"])
    assert ">Edit</a>" in scene.post_in(pages["author"])


# --- Changes every viewer sees the same way -------------------------------------------------


def _author_edits(scene: Scene) -> None:
    response = scene.clients["author"].post(
        reverse("forum:edit_post", args=[scene.post.pk]),
        {
            "body": EDITED_WORDS,
            "base_revision": scene.post.revision,
            "content_notes": scene.post.note_label_ids,
        },
    )
    assert response.status_code == 302


def _moderator_edits(scene: Scene) -> None:
    response = scene.clients["moderator"].post(
        reverse("moderation:edit_post", args=[scene.post.pk]),
        {
            "body": EDITED_WORDS,
            "base_revision": scene.post.revision,
            "reason": "Took out the clinic's name",
        },
    )
    assert response.status_code == 302


def _author_renames(scene: Scene) -> None:
    response = scene.clients["author"].post(
        reverse("accounts:edit_profile"), _profile_form(scene.author, display_name="Steady Fern")
    )
    assert response.status_code == 302


def _author_deletes(scene: Scene) -> None:
    response = scene.clients["author"].post(reverse("forum:delete_post", args=[scene.post.pk]))
    assert response.status_code == 302


@dataclass(frozen=True)
class Change:
    """Something done to the post or its author, and one piece of the post it replaces."""

    make: Callable[[Scene], None]
    old: str  # in the post before the change; on nobody's page after it
    new: str  # in nobody's copy of the post before; in everybody's after
    keeps_the_text: bool = True  # the post still has a body to fold or show


CHANGES = {
    "author-edits": Change(_author_edits, old=FIRST_WORDS, new=EDITED_WORDS),
    "moderator-edits": Change(_moderator_edits, old=FIRST_WORDS, new=EDITED_WORDS),
    "author-renames": Change(_author_renames, old="Quiet Fern", new="Steady Fern"),
    "author-deletes": Change(_author_deletes, old=FIRST_WORDS, new=DELETED, keeps_the_text=False),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_viewer_sees_the_change_on_their_next_request(scene: Scene, change: Change) -> None:
    for persona, page in scene.read(*EVERYONE).items():
        assert change.old in scene.post_in(page), persona
        assert change.new not in scene.post_in(page), persona

    change.make(scene)

    pages = scene.read(*EVERYONE)
    for persona, page in pages.items():
        assert change.new in scene.post_in(page), persona
        assert change.old not in page, persona
    if change.keeps_the_text:  # each still reads it as their content-note choices say
        assert folded("Trauma") in scene.post_in(pages["reader"])
        assert labelled("Trauma") in scene.post_in(pages["careful_reader"])
    else:
        assert "Content note" not in scene.post_in(pages["reader"])
        assert ">Edit</a>" not in scene.post_in(pages["author"])


def test_an_edit_is_marked_as_edited_for_every_viewer(scene: Scene) -> None:
    scene.read(*EVERYONE)

    _author_edits(scene)

    for persona, page in scene.read(*EVERYONE).items():
        assert "Last edited" in scene.post_in(page), persona
        assert "by Quiet Fern" in scene.post_in(page), persona


@pytest.mark.parametrize("removed", [False, True], ids=["replaced", "removed"])
def test_every_viewer_sees_the_authors_new_avatar(scene: Scene, removed: bool) -> None:
    old_url = scene.avatar_url()
    for persona, page in scene.read(*EVERYONE).items():
        assert f'<img class="avatar" src="{old_url}"' in scene.post_in(page), persona

    avatar_field = {"remove_avatar": "on"} if removed else {"avatar": _picture((40, 90, 160))}
    response = scene.clients["author"].post(
        reverse("accounts:edit_profile"), _profile_form(scene.author, **avatar_field)
    )

    assert response.status_code == 302
    new_avatar = (
        '<svg class="avatar avatar--generated"'  # their initials on their colour
        if removed
        else f'<img class="avatar" src="{scene.avatar_url()}"'
    )
    for persona, page in scene.read(*EVERYONE).items():
        assert new_avatar in scene.post_in(page), persona
        assert old_url not in page, persona


# --- Hiding and restoring: what a viewer sees depends on who they are -------------------------


def _moderate(scene: Scene, action: str, reason: str) -> None:
    response = scene.clients["moderator"].post(
        reverse("moderation:post_action", args=[scene.post.pk, action]), {"reason": reason}
    )
    assert response.status_code == 302


def test_a_hidden_post_is_withdrawn_from_members_and_flagged_for_its_author_and_moderators(
    scene: Scene,
) -> None:
    scene.read(*EVERYONE)

    _moderate(scene, "hide", HIDING_REASON)

    pages = scene.read(*EVERYONE)
    for persona in ("reader", "other_reader", "careful_reader"):
        post = scene.post_in(pages[persona])
        assert HIDDEN_FROM_MEMBERS in post, persona
        assert "Hidden by a moderator" not in post, persona
        assert FIRST_WORDS not in pages[persona], persona
        assert HIDING_REASON not in pages[persona], persona
        assert "aria-pressed" not in post, persona  # nobody reacts to a hidden post
    flag = f"<strong>Hidden by a moderator</strong>: {HIDING_REASON}. "
    moderator = scene.post_in(pages["moderator"])
    assert flag + "Only its author and the moderators can see it." in moderator
    assert FIRST_WORDS in moderator
    author = scene.post_in(pages["author"])
    assert flag + "Only you and the moderators can see it." in author
    assert FIRST_WORDS in author
    for persona in ("moderator", "author"):
        assert HIDDEN_FROM_MEMBERS not in pages[persona], persona


def test_a_restored_post_is_back_for_everyone_and_no_longer_flagged(scene: Scene) -> None:
    _moderate(scene, "hide", HIDING_REASON)
    hidden = scene.read(*EVERYONE)
    assert HIDDEN_FROM_MEMBERS in scene.post_in(hidden["reader"])
    assert "Hidden by a moderator" in scene.post_in(hidden["moderator"])

    _moderate(scene, "restore", "The names were made up")

    pages = scene.read(*EVERYONE)
    for persona, page in pages.items():
        post = scene.post_in(page)
        assert FIRST_WORDS in post, persona
        assert HIDDEN_FROM_MEMBERS not in page, persona
        assert "Hidden by a moderator" not in page, persona
    assert folded("Trauma") in scene.post_in(pages["reader"])
    assert labelled("Trauma") in scene.post_in(pages["careful_reader"])
    assert pressed("hug", on=False) in scene.post_in(pages["reader"])


# --- Reactions: the counts are everyone's, the pressed button only the reactor's ------------


@pytest.mark.parametrize("reactor", ["reader", "careful_reader"])
def test_a_reaction_and_its_withdrawal_reach_every_viewer(scene: Scene, reactor: str) -> None:
    react = reverse("forum:react", args=[scene.post.pk])
    for persona, page in scene.read(*EVERYONE).items():
        assert "reaction__count" not in scene.post_in(page), persona

    assert scene.clients[reactor].post(react, {"kind": "hug"}).status_code == 302

    for persona, page in scene.read(*EVERYONE).items():
        post = scene.post_in(page)
        assert 'Hug</span> <span class="reaction__count">1</span>' in post, persona
        assert "Who reacted" in post, persona
        if persona == "author":  # one can't react to one's own post: counts only
            assert "reaction--static" in post
            assert "aria-pressed" not in post
        else:
            assert pressed("hug", on=persona == reactor) in post, persona

    assert scene.clients[reactor].post(react, {"kind": "hug"}).status_code == 302

    for persona, page in scene.read(*EVERYONE).items():
        post = scene.post_in(page)
        assert "reaction__count" not in post, persona
        assert "Who reacted" not in post, persona
        if persona != "author":
            assert pressed("hug", on=True) not in post, persona
            assert pressed("hug", on=False) in post, persona


# --- Content notes: each viewer folds or shows the post as their choices say ----------------


@dataclass(frozen=True)
class NoteChange:
    """The content note a moderator gives the post (it had "Trauma"), and how it reads."""

    labels: tuple[str, ...]  # slugs
    text: str
    for_reader: str  # how the post reads for viewers with no preferences ("": no note)
    for_careful_reader: str  # shows "Trauma", folds "Grief and loss"


NOTE_CHANGES = {
    "trauma-to-grief": NoteChange(
        ("grief",), "", folded("Grief and loss"), folded("Grief and loss")
    ),
    "trauma-plus-words": NoteChange(
        ("trauma",), "In hospital", folded("Trauma; In hospital"), labelled("Trauma; In hospital")
    ),
    "words-only": NoteChange((), "In hospital", folded("In hospital"), folded("In hospital")),
    "no-note": NoteChange((), "", "", ""),
}


@pytest.mark.parametrize("note", NOTE_CHANGES.values(), ids=NOTE_CHANGES.keys())
def test_a_moderators_new_content_note_reaches_every_viewer_as_they_chose(
    scene: Scene, note: NoteChange
) -> None:
    scene.read(*EVERYONE)
    labels = ContentNoteLabel.objects.filter(slug__in=note.labels)

    response = scene.clients["moderator"].post(
        reverse("moderation:post_action", args=[scene.post.pk, "content_note"]),
        {
            "content_notes": [label.pk for label in labels],
            "content_note_text": note.text,
            "note_to_author": "A note helps readers choose when to read this.",
        },
    )

    assert response.status_code == 302
    pages = scene.read(*EVERYONE)
    expected = {
        "reader": (note.for_reader, folded("Trauma")),
        "other_reader": (note.for_reader, folded("Trauma")),
        "careful_reader": (note.for_careful_reader, labelled("Trauma")),
        "moderator": (note.for_reader, folded("Trauma")),
        "author": (note.for_reader, folded("Trauma")),
    }
    for persona, (now, before) in expected.items():
        post = scene.post_in(pages[persona])
        assert FIRST_WORDS in post, persona
        assert before not in post, persona
        if now:
            assert now in post, persona
        else:
            assert "Content note" not in post, persona


# --- The author leaves: deactivated or deleted in the admin ---------------------------------


def _deactivate(client: Client, member: User) -> None:
    response = client.post(
        reverse("admin:accounts_user_change", args=[member.pk]),
        _admin_form(member, is_active=None),
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active


def _delete(client: Client, member: User) -> None:
    response = client.post(reverse("admin:accounts_user_delete", args=[member.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("leave", [_deactivate, _delete], ids=["deactivated", "deleted"])
def test_when_the_author_leaves_every_viewer_sees_the_post_without_their_profile(
    scene: Scene,
    site_administrator: User,
    client_for: ClientFor,
    leave: Callable[[Client, User], None],
) -> None:
    profile_link = f'<a href="{reverse("accounts:profile", args=["fern"])}">Quiet Fern</a>'
    avatar = scene.avatar_url()
    for persona, page in scene.read(*READERS).items():
        assert profile_link in scene.post_in(page), persona
        assert avatar in scene.post_in(page), persona

    leave(client_for(site_administrator), scene.author)

    # A deactivated member keeps the name they posted under; a deleted one's posts
    # stay under "Former member" (the admin deletes as member_data.deletion does).
    name = "Quiet Fern" if leave is _deactivate else "Former member"
    for persona, page in scene.read(*READERS).items():
        post = scene.post_in(page)
        assert name in post, persona
        assert "Quiet Fern" not in page or leave is _deactivate, persona
        assert profile_link not in page, persona
        assert avatar not in page, persona
        assert '<svg class="avatar avatar--gone"' in post, persona
        assert FIRST_WORDS in post, persona


@pytest.mark.parametrize(
    ("field", "value", "old", "new"),
    [
        ("display_name", "Steady Fern", "Quiet Fern", "Steady Fern"),
        ("username", "fern-two", 'href="/members/fern/"', 'href="/members/fern-two/"'),
    ],
    ids=["display-name", "username"],
)
def test_an_administrator_renaming_the_author_reaches_every_viewer(
    scene: Scene,
    site_administrator: User,
    client_for: ClientFor,
    field: str,
    value: str,
    old: str,
    new: str,
) -> None:
    scene.read(*READERS)

    response = client_for(site_administrator).post(
        reverse("admin:accounts_user_change", args=[scene.author.pk]),
        _admin_form(scene.author, **{field: value}),
    )

    assert response.status_code == 302
    for persona, page in scene.read(*READERS).items():
        assert new in scene.post_in(page), persona
        assert old not in page, persona


def test_an_administrator_changing_the_avatar_reaches_every_viewer_without_its_metadata(
    scene: Scene, site_administrator: User, client_for: ClientFor
) -> None:
    scene.read(*READERS)
    old_url = scene.avatar_url()
    photo = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Camera maker that knows too much"  # Make
    Image.new("RGB", (80, 60), (10, 140, 90)).save(photo, format="JPEG", exif=exif.tobytes())
    upload = SimpleUploadedFile("holiday.jpg", photo.getvalue(), content_type="image/jpeg")

    response = client_for(site_administrator).post(
        reverse("admin:accounts_user_change", args=[scene.author.pk]),
        _admin_form(scene.author, avatar=upload),
    )

    assert response.status_code == 302
    new_url = scene.avatar_url()
    assert new_url.endswith(".webp")
    with scene.author.avatar.open("rb") as stored:
        assert b"knows too much" not in stored.read()
    for persona, page in scene.read(*READERS).items():
        assert new_url in scene.post_in(page), persona
        assert old_url not in page, persona


def test_deleting_a_member_takes_back_their_reactions(
    scene: Scene, make_member: MakeMember, site_administrator: User, client_for: ClientFor
) -> None:
    hugger = make_member(display_name="Hugger")
    toggle_reaction(member=hugger, post=scene.post, kind=ReactionKind.HUG)
    scene.read(*READERS)

    _delete(client_for(site_administrator), hugger)

    scene.post.refresh_from_db()
    assert scene.post.hug_count == 0
    for persona, page in scene.read(*READERS).items():
        assert "reaction__count" not in scene.post_in(page), persona


# --- Every write path bumps the version its fragments are keyed by ------------------------


def test_a_queryset_update_of_the_authors_name_reaches_every_viewer(scene: Scene) -> None:
    scene.read(*EVERYONE)

    User.objects.filter(pk=scene.author.pk).update(display_name="Renamed Fern")

    for persona, page in scene.read(*EVERYONE).items():
        assert "Renamed Fern" in scene.post_in(page), persona
        assert "Quiet Fern" not in scene.post_in(page), persona


def test_saving_the_author_with_a_new_name_reaches_every_viewer(scene: Scene) -> None:
    scene.read(*EVERYONE)
    author = User.objects.get(pk=scene.author.pk)

    author.display_name = "Saved Fern"
    author.save(update_fields=["display_name"])

    for persona, page in scene.read(*EVERYONE).items():
        assert "Saved Fern" in scene.post_in(page), persona


def test_saving_a_member_without_visible_changes_keeps_their_version(scene: Scene) -> None:
    author = User.objects.get(pk=scene.author.pk)
    before = author.profile_version

    author.bio = "Only I see my bio change here."
    author.save()

    author.refresh_from_db()
    assert author.profile_version == before


def test_saving_a_post_model_bumps_its_version_and_reaches_every_viewer(scene: Scene) -> None:
    scene.read(*EVERYONE)
    post = Post.objects.get(pk=scene.post.pk)
    before = post.version

    post.body_html = "<p>Saved straight to the model.</p>"
    post.save(update_fields=["body_html"])

    assert post.version == before + 1
    for persona, page in scene.read(*READERS).items():
        assert "Saved straight to the model." in scene.post_in(page), persona


def test_a_reaction_keeps_the_posts_version_so_its_rendered_body_is_kept(
    scene: Scene, make_member: MakeMember
) -> None:
    scene.read(*EVERYONE)
    before = Post.objects.get(pk=scene.post.pk).version

    toggle_reaction(member=make_member(), post=scene.post, kind=ReactionKind.HUG)

    assert Post.objects.get(pk=scene.post.pk).version == before
    for persona, page in scene.read(*READERS).items():
        assert '<span class="reaction__count">1</span>' in scene.post_in(page), persona
