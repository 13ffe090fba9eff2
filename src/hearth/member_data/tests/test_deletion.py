"""Account deletion: both choices leave nothing of the member that the choice did not
keep -- checked by reading every text column of every table, decrypted -- and the
pages others see agree."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from hearth.accounts.models import User
from hearth.conversations.models import Conversation, Message, Participant
from hearth.conversations.selectors import get_conversation_for_viewer_or_404
from hearth.conversations.services import leave_conversation, send_message, start_conversation
from hearth.conversations.testing import make_established, open_to_everyone
from hearth.core.testing import TEST_PASSWORD, ClientFor, FillToolkit, MakeMember
from hearth.core.text.anonymising import FORMER_MEMBER
from hearth.forum.models import Bookmark, Category, Post, Reaction, ReactionKind, Thread
from hearth.forum.services import reply_to_thread, save_post, start_thread, toggle_reaction
from hearth.forum.testing import MakeThread
from hearth.member_data.coverage import models_referencing_members
from hearth.member_data.deletion import (
    WHAT_DELETION_DOES,
    delete_account,
    delete_due_accounts,
    replay_deletions,
)
from hearth.member_data.models import AccountDeletion, PostsChoice
from hearth.member_data.tombstones import record_deletion, recorded_deletions
from hearth.moderation.models import AuditEntry
from hearth.moderation.services import warn_member
from hearth.notifications.models import Kind, Notification
from hearth.notifications.testing import bell, deliver
from hearth.safety.models import QueueItem, QueueKind, ReportReason
from hearth.safety.services import file_report

pytestmark = pytest.mark.django_db

# Every trace of the member carries one of these, so a scan can find what is left.
NAME_CANARY = "quillnamecanary"
WORDS_CANARY = "quillwordscanary"


@pytest.fixture(autouse=True)
def _tombstones_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.HEARTH_DELETED_ACCOUNTS_FILE = tmp_path / "deleted_accounts.jsonl"


def test_every_model_that_points_at_a_member_is_handled() -> None:
    missing = set(models_referencing_members()) - set(WHAT_DELETION_DOES)
    assert not missing, f"Say what account deletion does with: {sorted(missing)}"


# --- Asking, signing out, cancelling ------------------------------------------------------


def _signed_in(member: User) -> Client:
    """A client signed in who has just confirmed their password again."""
    client = Client()
    client.force_login(member)
    response = client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def test_asking_needs_the_password_again_and_then_goes_ahead(
    member: User, client_for: ClientFor
) -> None:
    client = client_for(member)
    response = client.post(
        reverse("member_data_deletion:delete_account"),
        {"posts": PostsChoice.KEEP, "understood": "on"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert not AccountDeletion.objects.exists()

    client.post(
        f"{reverse('account_reauthenticate')}?next={reverse('member_data_deletion:delete_account')}",
        {"password": "not my password"},
    )
    assert not AccountDeletion.objects.exists()
    client.post(
        f"{reverse('account_reauthenticate')}?next={reverse('member_data_deletion:delete_account')}",
        {"password": TEST_PASSWORD},
    )
    assert AccountDeletion.objects.get(member=member).posts == PostsChoice.KEEP


def test_the_page_says_what_happens_and_asks_the_choice(member: User) -> None:
    response = _signed_in(member).get(reverse("member_data_deletion:delete_account"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "signing in again cancels the deletion" in page
    assert 'name="posts"' in page
    assert 'name="understood"' in page


def test_a_form_without_a_choice_is_refused_and_nothing_is_asked(member: User) -> None:
    response = _signed_in(member).post(
        reverse("member_data_deletion:delete_account"), {"posts": "everything", "understood": ""}
    )
    assert response.status_code == 400
    assert "Tick this box to confirm." in response.content.decode()
    assert not AccountDeletion.objects.exists()


def test_asking_signs_the_member_out_everywhere_and_tells_them_by_email(
    member: User, client_for: ClientFor
) -> None:
    other_device = client_for(member)
    client = _signed_in(member)
    mail.outbox.clear()

    response = client.post(
        reverse("member_data_deletion:delete_account"),
        {"posts": PostsChoice.REMOVE, "understood": "on"},
        follow=True,
    )
    deliver()

    deletion = AccountDeletion.objects.get(member=member)
    assert deletion.posts == PostsChoice.REMOVE
    grace = deletion.due_at - deletion.requested_at
    assert timedelta(days=7) - timedelta(seconds=5) < grace <= timedelta(days=7)
    assert "Your account will be deleted on" in response.content.decode()
    assert client.get(reverse("accounts:edit_profile")).status_code == 302  # signed out
    assert other_device.get(reverse("accounts:edit_profile")).status_code == 302
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id")]
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert "signing in cancels it" in message.body


def test_signing_in_during_the_waiting_days_cancels_it(member: User) -> None:
    AccountDeletion.objects.create(
        member=member, posts=PostsChoice.KEEP, due_at=timezone.now() + timedelta(days=3)
    )
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": member.username, "password": TEST_PASSWORD},
        follow=True,
    )
    assert not AccountDeletion.objects.exists()
    assert "Your account will not be deleted." in response.content.decode()
    assert delete_due_accounts() == 0


def test_a_suspended_member_can_still_leave(member: User) -> None:
    User.objects.filter(pk=member.pk).update(suspended_until=timezone.now() + timedelta(days=9))
    response = _signed_in(member).get(reverse("member_data_deletion:delete_account"))
    assert response.status_code == 200


def test_an_administrator_deleting_a_member_goes_the_same_way(
    make_member: MakeMember,
    make_thread: MakeThread,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    administrator = make_member(is_staff=True, is_superuser=True)
    leaving = make_member(display_name=f"Leaving {NAME_CANARY}")
    thread = make_thread(author=leaving)
    client = Client()
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:accounts_user_delete", args=[leaving.pk]), {"post": "yes"}
        )
    assert response.status_code == 302
    assert Thread.objects.get(pk=thread.pk).author_name == FORMER_MEMBER
    assert [t.member_id for t in recorded_deletions()] == [leaving.pk]


def test_only_accounts_past_their_waiting_days_are_deleted(make_member: MakeMember) -> None:
    waiting, due = make_member(), make_member()
    now = timezone.now()
    AccountDeletion.objects.create(
        member=waiting, posts=PostsChoice.KEEP, due_at=now + timedelta(hours=1)
    )
    AccountDeletion.objects.create(member=due, posts=PostsChoice.KEEP, due_at=now)
    assert delete_due_accounts() == 1
    assert User.objects.filter(pk=waiting.pk).exists()
    assert not User.objects.filter(pk=due.pk).exists()


# --- What remains -------------------------------------------------------------------------


@dataclass
class World:
    quill: User  # the member who leaves
    ash: User
    willow: User
    category: Category
    alone: Thread  # only Quill wrote in it
    answered: Thread  # Quill's, with Ash's reply
    ashs: Thread  # Ash's, with Quill's reply and Willow's mention and quote of Quill
    quills_reply: Post
    anonymous_reply: Post
    mention: Post
    conversation: Conversation  # Quill and Ash
    deserted: Conversation  # Quill and Willow, who left it


def _build_world(
    make_member: MakeMember, make_category: object, toolkit_filler: FillToolkit
) -> World:
    quill = make_member(
        username=NAME_CANARY,
        display_name=f"Quill {NAME_CANARY.title()}",
        bio=f"About me: {WORDS_CANARY}",
    )
    ash = make_member(username="ash", display_name="Ash")
    willow = make_member(username="willow", display_name="Willow")
    make_established(quill, ash, willow)
    open_to_everyone(quill, ash, willow)
    category = make_category(allow_anonymous=True)  # type: ignore[operator]
    keys = iter(range(1000))

    def key() -> str:
        return f"k{next(keys)}"

    alone = start_thread(
        author=quill,
        category=category,
        title=f"Alone {WORDS_CANARY}",
        body=f"Only me {WORDS_CANARY}",
        request_key=key(),
    )
    answered = start_thread(
        author=quill,
        category=category,
        title=f"Answered {WORDS_CANARY}",
        body=f"First words {WORDS_CANARY}",
        request_key=key(),
    )
    reply_to_thread(author=ash, thread=answered, body="I hear you.", request_key=key())
    ashs = start_thread(
        author=ash, category=category, title="A long week", body="Hard days.", request_key=key()
    )
    quills_reply = reply_to_thread(
        author=quill, thread=ashs, body=f"Same here {WORDS_CANARY}", request_key=key()
    )
    anonymous_reply = reply_to_thread(
        author=quill,
        thread=ashs,
        body=f"Quietly {WORDS_CANARY}",
        request_key=key(),
        anonymous=True,
    )
    mention = reply_to_thread(
        author=willow,
        thread=ashs,
        body=(
            f"Thank you @{NAME_CANARY}.\n\n**Quill {NAME_CANARY.title()}** [wrote](<https://x/p/1/>):\n"
            "> Same here\n\nMe too."
        ),
        request_key=key(),
    )
    toggle_reaction(
        member=quill, post=Post.objects.get(thread=ashs, position=1), kind=ReactionKind.HUG
    )
    toggle_reaction(member=ash, post=quills_reply, kind=ReactionKind.HEART)
    save_post(member=quill, post=mention)
    conversation = start_conversation(
        starter=quill,
        recipients=[ash],
        title=f"Us {WORDS_CANARY}",
        body=f"Hello Ash {WORDS_CANARY}",
        request_key=key(),
    )
    send_message(
        author=ash,
        opened=get_conversation_for_viewer_or_404(ash, conversation.pk),
        body=f"Hi @{NAME_CANARY}, good to hear from you.",
        request_key=key(),
    )
    deserted = start_conversation(
        starter=quill, recipients=[willow], title="", body=f"Hi {WORDS_CANARY}", request_key=key()
    )
    leave_conversation(
        member=willow, opened=get_conversation_for_viewer_or_404(willow, deserted.pk)
    )
    toolkit_filler(quill, marker=WORDS_CANARY)
    file_report(
        reporter=quill,
        reason=ReportReason.OTHER,
        details=f"I worry {WORDS_CANARY}",
        post_id=mention.pk,
        thread_id=ashs.pk,
        category_id=category.pk,
    )
    deliver()
    return World(
        quill=quill,
        ash=ash,
        willow=willow,
        category=category,
        alone=alone,
        answered=answered,
        ashs=ashs,
        quills_reply=quills_reply,
        anonymous_reply=anonymous_reply,
        mention=mention,
        conversation=conversation,
        deserted=deserted,
    )


@pytest.fixture
def world(make_member: MakeMember, make_category: object, toolkit_filler: FillToolkit) -> World:
    return _build_world(make_member, make_category, toolkit_filler)


# Rows that are the worker's own bookkeeping, not what members see: finished tasks
# (mail among them) are pruned by housekeeping (core.tasks.prune_finished_tasks).
NOT_SCANNED = frozenset({"django_tasks_database.DBTaskResult"})


def _stored_text() -> Iterator[tuple[str, str]]:
    """(model label, value) for every text and JSON value stored, decrypted."""
    for model in apps.get_models():
        if model._meta.label in NOT_SCANNED:
            continue
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
            or field.get_internal_type() in {"TextField", "CharField", "JSONField"}
        ]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            for value in row:
                if value:
                    yield model._meta.label, value if isinstance(value, str) else json.dumps(value)


def _where(canary: str) -> set[str]:
    return {label for label, value in _stored_text() if canary.lower() in value.lower()}


def _delete(world: World, posts: PostsChoice, capture: DjangoCaptureOnCommitCallbacks) -> None:
    with capture(execute=True):
        assert delete_account(world.quill.pk, posts=posts)
    deliver()


def test_before_deleting_the_canaries_are_everywhere(world: World) -> None:
    # The scan must be able to see them, or the tests below prove nothing.
    assert {"accounts.User", "forum.Post", "forum.Thread"} <= _where(NAME_CANARY)
    assert {"forum.Post", "conversations.Message", "between_sessions.JournalEntry"} <= _where(
        WORDS_CANARY
    )


def test_removing_leaves_nothing_of_the_member(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    _delete(world, PostsChoice.REMOVE, django_capture_on_commit_callbacks)

    assert _where(NAME_CANARY) == set()
    assert _where(WORDS_CANARY) == set()
    assert not User.objects.filter(pk=world.quill.pk).exists()
    assert not Thread.objects.filter(pk=world.alone.pk).exists()
    answered = Thread.objects.get(pk=world.answered.pk)
    assert answered.title == "Removed by its author"
    assert answered.reply_count == 1
    opening = Post.objects.get(thread=answered, position=1)
    assert opening.is_deleted
    assert opening.author_name == FORMER_MEMBER
    assert Post.objects.get(pk=world.quills_reply.pk).is_deleted
    assert Post.objects.get(pk=world.anonymous_reply.pk).is_deleted
    ashs = Thread.objects.get(pk=world.ashs.pk)
    assert ashs.reply_count == 1  # Willow's reply; Quill's two are gone
    assert Post.objects.get(thread=ashs, position=1).hug_count == 0
    mention = Post.objects.get(pk=world.mention.pk)
    assert "Thank you Former member." in mention.body
    assert "**Former member** [wrote]" in mention.body
    assert not Reaction.objects.filter(post__thread=ashs).exists()
    assert not Bookmark.objects.exists()
    assert not Conversation.objects.filter(pk=world.deserted.pk).exists()
    (quills_message, ashs_message) = Message.objects.filter(
        conversation=world.conversation
    ).order_by("position")
    assert quills_message.is_deleted
    assert quills_message.body == ""
    assert "Hi Former member," in ashs_message.body
    assert Participant.objects.filter(conversation=world.conversation).count() == 1
    report = QueueItem.objects.get(kind=QueueKind.REPORT)
    assert report.reporter is None
    assert report.details == ""
    toolkit = [model for model in apps.get_models() if model._meta.app_label == "between_sessions"]
    assert not any(model._default_manager.exists() for model in toolkit)


def test_keeping_leaves_the_words_under_former_member(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    _delete(world, PostsChoice.KEEP, django_capture_on_commit_callbacks)

    assert _where(NAME_CANARY) == set()
    # Their posts, messages and report stay; their private words do not.
    assert _where(WORDS_CANARY) == {
        "forum.Thread",
        "forum.Post",
        "forum.PostRevision",
        "conversations.Conversation",
        "conversations.Message",
        "conversations.MessageRevision",
        "safety.QueueItem",
        "search.SearchEntry",  # kept posts stay searchable, by their words only
    }
    assert Thread.objects.get(pk=world.alone.pk).author_name == FORMER_MEMBER
    reply = Post.objects.get(pk=world.quills_reply.pk)
    assert (reply.author_id, reply.author_name, reply.is_deleted) == (None, FORMER_MEMBER, False)
    anonymous = Post.objects.get(pk=world.anonymous_reply.pk)
    assert anonymous.author_id is None
    assert anonymous.author_name != FORMER_MEMBER  # the pseudonym stays
    assert Thread.objects.get(pk=world.ashs.pk).last_poster_name == "Willow"
    assert Message.objects.filter(conversation=world.conversation, author_name=FORMER_MEMBER)
    assert not Conversation.objects.filter(pk=world.deserted.pk).exists()


@pytest.mark.parametrize("posts", list(PostsChoice))
def test_others_pages_and_notifications_show_nothing_of_the_member(
    world: World,
    posts: PostsChoice,
    client_for: ClientFor,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    assert Notification.objects.filter(recipient=world.ash, actor=world.quill).exists()
    _delete(world, posts, django_capture_on_commit_callbacks)

    ash = client_for(world.ash)
    pages = [
        reverse("home"),
        reverse("forum:category", kwargs={"slug": world.category.slug}),
        reverse("forum:thread", kwargs={"thread_id": world.ashs.pk}),
        reverse("forum:thread", kwargs={"thread_id": world.answered.pk}),
        reverse("notifications:list"),
        reverse("conversations:list"),
        reverse("conversations:conversation", kwargs={"conversation_id": world.conversation.pk}),
    ]
    for page in pages:
        response = ash.get(page)
        assert response.status_code == 200, page
        assert NAME_CANARY not in response.content.decode().lower(), page
    assert ash.get(reverse("accounts:profile", kwargs={"username": NAME_CANARY})).status_code == 404
    for member in (world.ash, world.willow):
        assert (
            bell(member)
            == Notification.objects.filter(recipient=member, read_at__isnull=True).count()
        )
    hugs = Notification.objects.filter(recipient=world.ash, kind=Kind.REACTION)
    assert not hugs.exists()  # Quill's was the only hug on Ash's post


def test_the_audit_trail_stays_but_stops_naming_them(
    world: World,
    moderator: User,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    warn_member(moderator=moderator, member=world.quill, reason="Please be gentle.")
    _delete(world, PostsChoice.KEEP, django_capture_on_commit_callbacks)
    entry = AuditEntry.objects.get(target_type="member", target_id=world.quill.pk)
    assert entry.target_label == FORMER_MEMBER
    assert entry.reason == "Please be gentle."


def test_a_deleted_account_is_recorded_and_deleted_again_after_a_restore(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    _delete(world, PostsChoice.REMOVE, django_capture_on_commit_callbacks)
    (tombstone,) = recorded_deletions()
    assert (tombstone.member_id, tombstone.posts) == (world.quill.pk, PostsChoice.REMOVE)
    # What a restore from an older backup brings back: the account and a post.
    back = User.objects.create_user(
        pk=world.quill.pk, username=NAME_CANARY, email="q@example.org", display_name="Quill"
    )
    reply_to_thread(author=back, thread=world.ashs, body=f"Back {WORDS_CANARY}", request_key="r")

    with django_capture_on_commit_callbacks(execute=True):
        assert replay_deletions() == 1
    assert not User.objects.filter(pk=world.quill.pk).exists()
    assert _where(WORDS_CANARY) == set()
    assert replay_deletions() == 0


def test_the_replay_command_reports_what_it_did(
    make_member: MakeMember, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    back = make_member()
    record_deletion(back.pk, posts="keep", deleted_at=timezone.now())
    output = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("replay_deletions", stdout=output)
    assert "1 deleted account(s) on record; 1 found again and deleted." in output.getvalue()
    assert not User.objects.filter(pk=back.pk).exists()


def test_the_tombstone_list_names_nobody_and_survives_a_torn_line(
    settings: Settings,
) -> None:
    record_deletion(41, posts="keep", deleted_at=timezone.now())
    path: Path = settings.HEARTH_DELETED_ACCOUNTS_FILE
    with path.open("a") as stream:
        stream.write('{"member_id": 4')  # a crash mid-line
    record_deletion(42, posts="remove", deleted_at=timezone.now())
    assert [t.member_id for t in recorded_deletions()] == [41, 42]
    assert set(json.loads(path.read_text().splitlines()[0])) == {"member_id", "posts", "at"}
    assert path.stat().st_mode & 0o777 == 0o600


def test_the_goodbye_email_carries_nothing_they_wrote(
    world: World, django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks
) -> None:
    mail.outbox.clear()
    _delete(world, PostsChoice.KEEP, django_capture_on_commit_callbacks)
    (goodbye,) = mail.outbox
    assert goodbye.to == [world.quill.email]
    assert "has been deleted" in goodbye.body
    assert WORDS_CANARY not in goodbye.body
    assert NAME_CANARY not in goodbye.body.lower()
