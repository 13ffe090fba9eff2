"""Who may do what, for every persona and thread state. Forbidden objects answer 404.

Signed-out visitors are sent to sign in rather than told whether a thing exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client

from hearth.accounts.models import Role, User
from hearth.core.testing import MakeMember
from hearth.forum.models import CategoryModerator, Post, Thread, Visibility
from hearth.forum.services import delete_post
from hearth.forum.testing import MakeCategory, MakeThread

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "member", "author", "moderator"]
STATES = ["open", "locked", "deleted", "private"]

OK = "ok"  # the action happened (a redirect to the result, or the page)
SIGN_IN = "sign-in"
FORBIDDEN = 403
HIDDEN = 404

# action -> persona -> state -> expected outcome
MATRIX: dict[str, dict[str, dict[str, object]]] = {
    "view": {
        "anonymous": dict.fromkeys(STATES, SIGN_IN),
        "member": {"open": OK, "locked": OK, "deleted": OK, "private": HIDDEN},
        "author": {"open": OK, "locked": OK, "deleted": OK, "private": HIDDEN},
        "moderator": dict.fromkeys(STATES, OK),
    },
    "reply": {
        "anonymous": dict.fromkeys(STATES, SIGN_IN),
        "member": {"open": OK, "locked": FORBIDDEN, "deleted": OK, "private": HIDDEN},
        "author": {"open": OK, "locked": FORBIDDEN, "deleted": OK, "private": HIDDEN},
        "moderator": dict.fromkeys(STATES, OK),
    },
    # A deleted post has no text left to edit: its edit form is not found.
    "edit": {
        "anonymous": dict.fromkeys(STATES, SIGN_IN),
        "member": {"open": FORBIDDEN, "locked": FORBIDDEN, "deleted": HIDDEN, "private": HIDDEN},
        "author": {"open": OK, "locked": FORBIDDEN, "deleted": HIDDEN, "private": HIDDEN},
        "moderator": {"open": OK, "locked": OK, "deleted": HIDDEN, "private": OK},
    },
    "delete": {
        "anonymous": dict.fromkeys(STATES, SIGN_IN),
        "member": {"open": FORBIDDEN, "locked": FORBIDDEN, "deleted": FORBIDDEN, "private": HIDDEN},
        "author": {"open": OK, "locked": OK, "deleted": FORBIDDEN, "private": HIDDEN},
        "moderator": {
            "open": FORBIDDEN,
            "locked": FORBIDDEN,
            "deleted": FORBIDDEN,
            "private": FORBIDDEN,
        },
    },
    "react": {
        "anonymous": dict.fromkeys(STATES, SIGN_IN),
        "member": {"open": OK, "locked": OK, "deleted": FORBIDDEN, "private": HIDDEN},
        "author": {"open": FORBIDDEN, "locked": FORBIDDEN, "deleted": FORBIDDEN, "private": HIDDEN},
        "moderator": {"open": OK, "locked": OK, "deleted": FORBIDDEN, "private": OK},
    },
}


@dataclass
class Scene:
    thread: Thread
    post: Post
    author: User


SceneFor = Callable[[str], Scene]


@pytest.fixture
def scene_for(
    make_member: MakeMember, make_category: MakeCategory, make_thread: MakeThread
) -> SceneFor:
    def build(state: str) -> Scene:
        author = make_member(display_name="Author")
        if state == "private":
            category = make_category(visibility=Visibility.MODERATORS)
            # Only moderators post in private categories; make the author one for this category.
            author.role = Role.MODERATOR
            author.save(update_fields=["role"])
            CategoryModerator.objects.create(category=category, member=author)
        else:
            category = make_category()
        thread = make_thread(author=author, category=category, locked=state == "locked")
        post = thread.posts.get(position=1)
        if state == "deleted":
            delete_post(member=author, post=post)
        if state == "private":
            # The matrix's "author" persona is an ordinary member who wrote
            # elsewhere; hand the post to a member who cannot see the category.
            plain_author = make_member(display_name="Plain author")
            Post.objects.filter(pk=post.pk).update(author=plain_author)
            author = plain_author
        post.refresh_from_db()
        return Scene(thread=thread, post=post, author=author)

    return build


def _client(persona: str, scene: Scene, make_member: MakeMember, moderator: User) -> Client:
    client = Client()
    users: dict[str, Callable[[], User]] = {
        "member": make_member,
        "author": lambda: scene.author,
        "moderator": lambda: moderator,
    }
    if persona in users:
        client.force_login(users[persona]())
    return client


def _act(action: str, client: Client, scene: Scene) -> tuple[int, str]:
    post, thread = scene.post, scene.thread
    if action == "view":
        response = client.get(thread.get_absolute_url())
    elif action == "reply":
        response = client.post(
            f"/t/{thread.pk}/reply/", {"body": "Thinking of you.", "request_key": "k"}
        )
    elif action == "edit":
        response = client.post(
            f"/p/{post.pk}/edit/", {"body": "Edited text", "base_revision": post.revision}
        )
    elif action == "delete":
        response = client.post(f"/p/{post.pk}/delete/")
    else:
        response = client.post(f"/p/{post.pk}/react/", {"kind": "hug"})
    return response.status_code, response.get("Location", "")


def _outcome(status: int, location: str) -> object:
    if status == 302 and location.startswith("/accounts/login/"):
        return SIGN_IN
    if status in {200, 302}:
        return OK
    return status


def _state_after(scene: Scene) -> tuple[object, ...]:
    scene.post.refresh_from_db()
    scene.thread.refresh_from_db()
    return (
        scene.post.body,
        scene.post.is_deleted,
        scene.post.hug_count,
        scene.thread.reply_count,
        scene.thread.last_position,
    )


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(MATRIX))
def test_permission_matrix(
    action: str,
    persona: str,
    state: str,
    scene_for: SceneFor,
    make_member: MakeMember,
    moderator: User,
) -> None:
    scene = scene_for(state)
    client = _client(persona, scene, make_member, moderator)
    before = _state_after(scene)

    outcome = _outcome(*_act(action, client, scene))

    expected = MATRIX[action][persona][state]
    assert outcome == expected, f"{action} by {persona} on a {state} thread"
    if expected != OK:
        assert _state_after(scene) == before, "a refused action must change nothing"
    elif action != "view":
        assert _state_after(scene) != before, "an allowed action must change something"
