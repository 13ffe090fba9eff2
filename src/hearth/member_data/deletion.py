"""Deleting a member's account: the request, the days to change one's mind, and the
deletion itself.

A member asks (re-authenticated, on ``settings/delete-account/``) and chooses what
becomes of what they wrote (``PostsChoice``). They are signed out everywhere; for
``HEARTH_ACCOUNT_DELETION_GRACE_DAYS`` signing in again cancels it. Then a
housekeeping job deletes the account in one transaction: each app changes what would
still show the member (``*/departure.py``), the account row goes with everything
that is only theirs (toolkit, drafts, notifications, bookmarks, follows, read state,
email addresses, two-factor devices), and the deletion is recorded outside the
database (``tombstones``) for a restore to apply again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from hearth.accounts.models import User
from hearth.accounts.sessions import end_sessions_of
from hearth.conversations import departure as conversations_departure
from hearth.conversations.models import Message
from hearth.core.tasks import background_task
from hearth.core.text.anonymising import DepartedName
from hearth.forum import departure as forum_departure
from hearth.forum.models import Post
from hearth.member_data.deletion_mail import send_deletion_done, send_deletion_requested
from hearth.member_data.models import AccountDeletion, DataExport, PostsChoice, exports_directory
from hearth.member_data.tombstones import record_deletion, recorded_deletions
from hearth.moderation.departure import redact_audit_trail
from hearth.notifications import departure as notifications_departure
from hearth.notifications.delivery import recount_unread
from hearth.safety.departure import forget_queue_items_of
from hearth.search.departure import reindex_after_departure

logger = logging.getLogger(__name__)

# What the deletion does with every model that points at a member (a test fails when
# a new one is missing). "Deleted": the rows go with the account (on_delete CASCADE).
WHAT_DELETION_DOES = {
    "accounts.MemberMute": "deleted, both the member's mutes and others' mutes of them",
    "safety.ContentNotePreference": "deleted",
    "safety.QueueItem": "check-ins about them deleted; with their posts removed, their "
    "messages to moderators and held posts too, and their words in reports they filed",
    "forum.CategoryModerator": "deleted",
    "search.SearchEntry": "written again from their posts as the choice left them (removed "
    "posts leave search; kept ones lose the link to the author), and every entry naming "
    "them is written again from the anonymised text",
    "forum.Thread": "removed (or kept under Former member) in forum.departure",
    "forum.Post": "removed (or kept under Former member) in forum.departure",
    "forum.Reaction": "deleted, counts and grouped notifications corrected",
    "forum.ReadState": "deleted",
    "forum.CategoryReadMark": "deleted",
    "forum.Draft": "deleted",
    "forum.PendingPost": "deleted: nothing of it was ever live",
    "forum.AnonymousIdentity": "deleted: nothing links their pseudonyms to them any more",
    "forum.ThreadFollowing": "deleted",
    "forum.CategoryFollowing": "deleted",
    "forum.Bookmark": "deleted",
    "moderation.AuditEntry": "kept, redacted (moderation.departure)",
    "moderation.Sanction": "deleted (those on them); those they gave keep no name",
    "moderation.ModeratorNotice": "deleted",
    "conversations.Conversation": "deleted when nobody else is in it (conversations.departure)",
    "conversations.Participant": "deleted",
    "conversations.Message": "removed (or kept under Former member) in conversations.departure",
    "conversations.MessagingSettings": "deleted",
    "conversations.MessageDraft": "deleted",
    "notifications.Notification": "theirs deleted; others' of them withdrawn or renamed",
    "notifications.NotificationSettings": "deleted",
    "between_sessions.JournalEntry": "deleted",
    "between_sessions.SessionNote": "deleted",
    "between_sessions.NextSession": "deleted",
    "between_sessions.CopingPlan": "deleted",
    "between_sessions.MemberCard": "deleted",
    "between_sessions.TherapistBreak": "deleted",
    "between_sessions.PeerCheckIn": "deleted, those they asked for and those they were asked; "
    "the other member's notifications of them are withdrawn (notifications.departure)",
    "member_data.DataExport": "deleted, with the archive files",
    "member_data.AccountDeletion": "deleted; the deletion is recorded in the tombstone list",
    "admin.LogEntry": "deleted (an administrator's own admin history)",
    "account.EmailAddress": "deleted",
    "mfa.Authenticator": "deleted",
    "api.AccessToken": "deleted: the member's API tokens stop working with the account",
    "welcome.GuidelinesAcceptance": "deleted",
    "welcome.Welcome": "deleted",
    "welcome.GuidelinesVersion": "kept (the community's text); it no longer names who published it",
}


def grace_period() -> timedelta:
    return timedelta(days=settings.HEARTH_ACCOUNT_DELETION_GRACE_DAYS)


def pending_deletion_of(member: User) -> AccountDeletion | None:
    return AccountDeletion.objects.filter(member=member).first()


def request_deletion(member: User, *, posts: PostsChoice) -> AccountDeletion:
    """Ask for the member's account to be deleted after the grace period (asking
    again keeps the first date, with the latest choice), and sign them out everywhere."""
    with transaction.atomic():
        deletion, created = AccountDeletion.objects.get_or_create(
            member=member, defaults={"posts": posts, "due_at": timezone.now() + grace_period()}
        )
        if not created and deletion.posts != posts:
            deletion.posts = posts
            deletion.save(update_fields=["posts"])
        send_deletion_requested(member, deletion)
        end_sessions_of_member.enqueue(member_id=member.pk)
    return deletion


def cancel_deletion(member: User) -> bool:
    """The member signed in again during the grace period: keep the account."""
    cancelled, _by_model = AccountDeletion.objects.filter(member=member).delete()
    return bool(cancelled)


@background_task()
def end_sessions_of_member(*, member_id: int) -> None:
    """Sign out everywhere a member who asked to leave (their other devices too)."""
    if AccountDeletion.objects.filter(member_id=member_id).exists():
        end_sessions_of(member_id)


def delete_due_accounts() -> int:
    """Housekeeping: delete every account whose grace period is over."""
    due = AccountDeletion.objects.filter(due_at__lte=timezone.now()).order_by("due_at")
    deleted = 0
    for member_id, posts in due.values_list("member_id", "posts"):
        try:
            deleted += delete_account(member_id, posts=PostsChoice(posts))
        except Exception:
            # One account that cannot be deleted now (it is retried at the next
            # tick) must not keep the others waiting.
            logger.exception("Could not delete account %s; trying again later.", member_id)
    return deleted


def delete_account(member_id: int, *, posts: PostsChoice) -> bool:
    """Delete the account now, all or nothing; False if there is none."""
    with transaction.atomic():
        member = User.objects.select_for_update().filter(pk=member_id).first()
        if member is None:
            return False
        name = DepartedName(username=member.username, display_name=member.display_name)
        addresses = [member.email] if member.email else []
        recipients = notifications_departure.recipients_touched_by(member)
        message_ids = list(Message.objects.filter(author=member).values_list("pk", flat=True))
        post_ids = list(Post.objects.filter(author=member).values_list("pk", flat=True))
        removed_post_ids: list[int] | None = None
        if posts == PostsChoice.REMOVE:
            removed_post_ids = forum_departure.remove_posts_of(member).removed_post_ids
            conversations_departure.remove_messages_of(member)
        else:
            forum_departure.keep_posts_of(member, name)
            conversations_departure.keep_messages_of(member)
        forum_departure.anonymise_mentions_of(name)
        reindex_after_departure(post_ids=post_ids, name=name)
        conversations_departure.anonymise_mentions_of(member, name)
        conversations_departure.end_conversations_left_to_nobody(member)
        notifications_departure.forget_actor(member, removed_post_ids=removed_post_ids)
        redact_audit_trail(member, removed_post_ids=removed_post_ids or [])
        forget_queue_items_of(
            member,
            post_ids=post_ids,
            message_ids=message_ids,
            remove_their_words=posts == PostsChoice.REMOVE,
        )
        files = _files_of(member)
        member.delete()
        recount_unread(recipients)
        transaction.on_commit(lambda: _delete_files(files))
        transaction.on_commit(
            lambda: record_deletion(member_id, posts=posts, deleted_at=timezone.now())
        )
        transaction.on_commit(lambda: end_sessions_of(member_id))
        send_deletion_done(addresses, member.language)
    return True


def replay_deletions() -> int:
    """Delete again every recorded account the database holds (after a restore from
    a backup older than the deletion); return how many."""
    return sum(
        delete_account(tombstone.member_id, posts=PostsChoice(tombstone.posts))
        for tombstone in recorded_deletions()
        if User.objects.filter(pk=tombstone.member_id).exists()
    )


def _files_of(member: User) -> list[tuple[str, str]]:
    """The member's stored files, as (storage, name): their avatar and their exports."""
    files = [("media", str(member.avatar.name))] if member.avatar else []
    exports = DataExport.objects.filter(member=member).exclude(file_name="")
    files += [("exports", name) for name in exports.values_list("file_name", flat=True)]
    return files


def _delete_files(files: list[tuple[str, str]]) -> None:
    for storage, name in files:
        if storage == "media":
            default_storage.delete(name)
        else:
            (exports_directory() / name).unlink(missing_ok=True)
