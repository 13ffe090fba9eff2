"""Every moderation action, for every persona: who may act, and the trail it leaves.

Refused actions answer 404 (moderation pages never confirm what a viewer
can't act on) and change nothing; allowed ones change what they say, write
exactly one audit entry and leave the affected member a notice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pytest
from django.test import Client

from hearth.accounts.models import Role, User
from hearth.core.testing import MakeMember
from hearth.forum.models import Category, Post, Thread
from hearth.forum.testing import MakeCategory, MakeThread
from hearth.moderation.models import AuditEntry, ModeratorNotice
from hearth.safety.models import QueueItem, ReportReason
from hearth.safety.services import file_report

pytestmark = pytest.mark.django_db

PERSONAS = ["member", "moderator_here", "moderator_elsewhere", "global_moderator", "administrator"]
OK, HIDDEN = "ok", 404
POST_SCOPE = {
    "member": HIDDEN,
    "moderator_here": OK,
    "moderator_elsewhere": HIDDEN,
    "global_moderator": OK,
    "administrator": OK,
}
MEMBER_SCOPE = {
    "member": HIDDEN,
    "moderator_here": HIDDEN,
    "moderator_elsewhere": HIDDEN,
    "global_moderator": OK,
    "administrator": OK,
}
ANY_MODERATOR = {
    "member": HIDDEN,
    "moderator_here": OK,
    "moderator_elsewhere": OK,
    "global_moderator": OK,
    "administrator": OK,
}


@dataclass
class Scene:
    category: Category
    other_category: Category
    thread: Thread
    post: Post
    author: User
    item: QueueItem
    personas: dict[str, User]


@pytest.fixture
def scene(make_member: MakeMember, make_category: MakeCategory, make_thread: MakeThread) -> Scene:
    category, other = make_category("Here"), make_category("Elsewhere")
    author = make_member(display_name="Author")
    thread = make_thread(author=author, category=category, body="Something hard to read")
    post = thread.posts.get()
    here = make_member(role=Role.MODERATOR)
    elsewhere = make_member(role=Role.MODERATOR)
    from hearth.forum.models import CategoryModerator  # noqa: PLC0415

    CategoryModerator.objects.create(category=category, member=here)
    CategoryModerator.objects.create(category=other, member=elsewhere)
    item = file_report(
        reporter=make_member(),
        reason=ReportReason.UNKIND,
        details="",
        post_id=post.pk,
        thread_id=thread.pk,
        category_id=category.pk,
        reported_member=author,
    )
    personas = {
        "member": make_member(),
        "moderator_here": here,
        "moderator_elsewhere": elsewhere,
        "global_moderator": make_member(role=Role.MODERATOR),
        "administrator": make_member(role=Role.ADMINISTRATOR),
    }
    return Scene(category, other, thread, post, author, item, personas)


@dataclass(frozen=True)
class Action:
    name: str
    expected: dict[str, object]
    request: Callable[[Client, Scene], int]
    state: Callable[[Scene], object]
    prepare: Callable[[Scene], None] = lambda _scene: None


def _post(path: str, data: Mapping[str, object] | None = None) -> Callable[[Client, Scene], int]:
    def send(client: Client, scene: Scene) -> int:
        url = path.format(post=scene.post.pk, item=scene.item.pk, username=scene.author.username)
        return client.post(url, data or {}).status_code

    return send


def _post_state(scene: Scene) -> object:
    scene.post.refresh_from_db()
    scene.thread.refresh_from_db()
    return (
        scene.post.is_hidden,
        scene.post.is_held,
        scene.post.body,
        scene.post.content_note_text,
        sorted(scene.post.content_notes.values_list("slug", flat=True)),
        scene.thread.is_locked,
        scene.thread.is_pinned,
        scene.thread.category_id,
    )


def _member_state(scene: Scene) -> object:
    scene.author.refresh_from_db()
    return (scene.author.suspended_until, scene.author.suspension_is_partial)


def _hide_first(scene: Scene) -> None:
    Post.objects.filter(pk=scene.post.pk).update(is_hidden=True, hidden_reason="earlier")


def _hold_first(scene: Scene) -> None:
    Post.objects.filter(pk=scene.post.pk).update(is_held=True)


def _lock_and_pin_first(scene: Scene) -> None:
    Thread.objects.filter(pk=scene.thread.pk).update(is_locked=True, is_pinned=True)


def _suspend_first(scene: Scene) -> None:
    from datetime import timedelta  # noqa: PLC0415

    from django.utils import timezone  # noqa: PLC0415

    User.objects.filter(pk=scene.author.pk).update(
        suspended_until=timezone.now() + timedelta(days=3)
    )


def _anonymous_first(scene: Scene) -> None:
    Post.objects.filter(pk=scene.post.pk).update(is_anonymous=True)


REASON = {"reason": "Kind words and a clear reason."}
ACTIONS = [
    Action("hide", POST_SCOPE, _post("/moderation/posts/{post}/hide/", REASON), _post_state),
    Action(
        "restore",
        POST_SCOPE,
        _post("/moderation/posts/{post}/restore/", REASON),
        _post_state,
        _hide_first,
    ),
    Action(
        "approve", POST_SCOPE, _post("/moderation/posts/{post}/approve/"), _post_state, _hold_first
    ),
    Action(
        "reject",
        POST_SCOPE,
        _post("/moderation/posts/{post}/reject/", REASON),
        _post_state,
        _hold_first,
    ),
    Action("lock", POST_SCOPE, _post("/moderation/posts/{post}/lock/", REASON), _post_state),
    Action(
        "unlock",
        POST_SCOPE,
        _post("/moderation/posts/{post}/unlock/", REASON),
        _post_state,
        _lock_and_pin_first,
    ),
    Action("pin", POST_SCOPE, _post("/moderation/posts/{post}/pin/"), _post_state),
    Action(
        "unpin",
        POST_SCOPE,
        _post("/moderation/posts/{post}/unpin/"),
        _post_state,
        _lock_and_pin_first,
    ),
    Action(
        "edit",
        POST_SCOPE,
        _post(
            "/moderation/posts/{post}/edit/",
            {"body": "Edited gently", "base_revision": 1, **REASON},
        ),
        _post_state,
    ),
    Action(
        "content_note",
        POST_SCOPE,
        _post(
            "/moderation/posts/{post}/content_note/",
            {"content_note_text": "hospital", "note_to_author": "This helps readers choose."},
        ),
        _post_state,
    ),
    Action(
        "warn",
        MEMBER_SCOPE,
        _post("/moderation/members/{username}/warn/", REASON),
        lambda scene: ModeratorNotice.objects.filter(member=scene.author).count(),
    ),
    Action(
        "suspend",
        MEMBER_SCOPE,
        _post("/moderation/members/{username}/suspend/", {"days": 3, "partial": "on", **REASON}),
        _member_state,
    ),
    Action(
        "lift",
        MEMBER_SCOPE,
        _post("/moderation/members/{username}/lift/", REASON),
        _member_state,
        _suspend_first,
    ),
    Action(
        "message",
        ANY_MODERATOR,
        _post(
            "/moderation/members/{username}/message/",
            {"subject": "Checking in", "body": "How are you?"},
        ),
        lambda scene: ModeratorNotice.objects.filter(member=scene.author).count(),
    ),
    Action(
        "close_item",
        POST_SCOPE,
        _post("/moderation/items/{item}/close/", {"resolution": "handled"}),
        lambda scene: QueueItem.objects.get(pk=scene.item.pk).status,
    ),
    Action(
        "reveal",
        POST_SCOPE,
        _post("/moderation/posts/{post}/reveal/", REASON),
        lambda _scene: AuditEntry.objects.filter(action="reveal_author").count(),
        _anonymous_first,
    ),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name)
def test_moderation_action_matrix(action: Action, persona: str, scene: Scene) -> None:
    action.prepare(scene)
    before_state = action.state(scene)
    before_audit = AuditEntry.objects.count()
    client = Client()
    client.force_login(scene.personas[persona])

    status = action.request(client, scene)

    expected = action.expected[persona]
    if expected == OK:
        assert status in {200, 302}, f"{action.name} by {persona}"
        assert action.state(scene) != before_state, f"{action.name} by {persona} changed nothing"
        assert AuditEntry.objects.count() == before_audit + 1, "exactly one audit entry"
    else:
        assert status == expected, f"{action.name} by {persona}"
        assert action.state(scene) == before_state, "a refused action must change nothing"
        assert AuditEntry.objects.count() == before_audit


def test_an_action_notifies_the_member_with_the_reason(scene: Scene) -> None:
    client = Client()
    client.force_login(scene.personas["moderator_here"])

    client.post(f"/moderation/posts/{scene.post.pk}/hide/", {"reason": "It named another member."})

    notice = ModeratorNotice.objects.get(member=scene.author)
    assert "hid your post" in notice.subject
    assert "It named another member." in notice.body
    scene.author.refresh_from_db()
    assert scene.author.unread_notices == 1


def test_a_hide_without_a_reason_is_refused_and_changes_nothing(scene: Scene) -> None:
    client = Client()
    client.force_login(scene.personas["moderator_here"])

    response = client.post(f"/moderation/posts/{scene.post.pk}/hide/", {"reason": "  "})

    assert response.status_code == 400
    scene.post.refresh_from_db()
    assert not scene.post.is_hidden
    assert not AuditEntry.objects.exists()


def test_audit_entries_cannot_be_changed_or_deleted(scene: Scene) -> None:
    from hearth.moderation.models import AppendOnlyError  # noqa: PLC0415

    client = Client()
    client.force_login(scene.personas["administrator"])
    client.post(f"/moderation/posts/{scene.post.pk}/hide/", REASON)
    entry = AuditEntry.objects.get()

    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    # And no page offers it: the admin is read-only, and there is no moderation URL for it.
    admin_client = Client()
    scene.personas["administrator"].is_staff = scene.personas["administrator"].is_superuser = True
    scene.personas["administrator"].save()
    admin_client.force_login(scene.personas["administrator"])
    assert admin_client.get(f"/admin/moderation/auditentry/{entry.pk}/delete/").status_code == 403
    response = admin_client.post(
        f"/admin/moderation/auditentry/{entry.pk}/change/", {"reason": "x"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.get().reason == REASON["reason"]
