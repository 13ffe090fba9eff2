"""A member's data export (GDPR Art. 20): what the archive holds, and building it.

The archive is a zip of one folder: ``data.json`` (machine-readable: ``FORMAT``, version
``FORMAT_VERSION``, ``generated_at``, then one key per section), ``index.html`` (the same,
readable in any browser, self-contained: no script, no file from anywhere else) and the
member's avatar, if they have one.

``SECTIONS`` says, for every section, which models it covers and through which of their
member relations; ``NOT_EXPORTED`` and ``RELATIONS_NOT_EXPORTED`` say why the rest are left
out. ``tests/test_export_completeness.py`` holds the three against
``coverage.models_referencing_members()``: a new model with a member relation (or a new
member relation on a model) that none of them names fails it.

What is the member's own -- their words, their choices, their settings -- is exported
whole, anonymous posts included (marked, with their pseudonym). What belongs to others is
exported only as the member can see it in the app *now*: other people's post text and
thread titles through the visibility policy (``hearth.forum.visibility``), an anonymous
post under its pseudonym and never its author, conversations through the
participant-scoped selectors (``hearth.conversations.selectors``), and never who reported
the member, or anything the moderators wrote about them among themselves.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import mimetypes
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrPromise

from hearth.accounts.models import MemberMute, User
from hearth.accounts.sessions import session_expiry_dates_of
from hearth.between_sessions.peer_check_ins.export import COVERS as PEER_CHECK_IN_COVERS
from hearth.between_sessions.peer_check_ins.export import peer_check_ins_export_for
from hearth.conversations.models import MessageDraft, Participant
from hearth.conversations.permissions import allow_from_for
from hearth.conversations.selectors import (
    OpenConversation,
    conversations_of,
    get_conversation_for_viewer_or_404,
    messages_page,
    revisions_of,
)
from hearth.conversations.visibility import conversation_filter
from hearth.core.providers import toolkit_export_covers, toolkit_export_for
from hearth.core.templatetags.local_formats import long_date, long_datetime
from hearth.forum.activity import excerpt_of
from hearth.forum.models import (
    AnonymousIdentity,
    Bookmark,
    Category,
    CategoryFollowing,
    CategoryModerator,
    CategoryReadMark,
    Draft,
    PendingPost,
    Post,
    Reaction,
    ReadState,
    Thread,
    ThreadFollowing,
)
from hearth.forum.selectors import author_display_name
from hearth.forum.viewer import Viewer, viewer_for
from hearth.forum.visibility import can_read_post, can_see_category, can_see_thread
from hearth.member_data.models import AccountDeletion, DataExport
from hearth.moderation.models import ModeratorNotice, Sanction
from hearth.notifications.delivery import settings_of
from hearth.notifications.models import MODERATOR_KINDS, Kind, Notification
from hearth.notifications.selectors import may_see
from hearth.notifications.wording import headline, reason_given
from hearth.safety.models import ContentNoteLabel, ContentNotePreference, QueueItem, QueueKind
from hearth.safety.seeded_text import in_readers_language
from hearth.welcome.selectors import guidelines_record_of

logger = logging.getLogger(__name__)

FORMAT = "hearth-member-data"
FORMAT_VERSION = 1
DATA_FILE = "data.json"
HTML_FILE = "index.html"
AVATAR_FILE = "avatar"  # + the uploaded file's suffix

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class Source:
    """Whose data, seen by whom (the member, as the visibility policy sees them now)."""

    member: User
    viewer: Viewer
    include_toolkit: bool
    now: datetime
    # Files other than the two documents (the avatar): name in the archive -> bytes.
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    """One part of the archive: a key of ``data.json`` and a heading of ``index.html``.

    ``covers`` names the models whose rows it exports, each with the member relations it
    follows (``coverage.models_referencing_members`` form: label -> field names).
    ``template`` renders it in ``index.html``; without one, a generic list does.
    """

    key: str
    title: StrPromise
    description: StrPromise
    covers: Mapping[str, tuple[str, ...]]
    build: Callable[[Source], Any]
    template: str = ""


# --- References to things that may not be the member's -----------------------------------

NOT_VISIBLE_NOW = gettext_lazy("You can no longer see this.")


def _address(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _thread_ref(source: Source, thread: Thread) -> JsonObject:
    """A thread as the member may see it: its title only if they started it or may see it."""
    if thread.author_id == source.member.pk or can_see_thread(source.viewer, thread):
        return {
            "id": thread.pk,
            "title": thread.title,
            "address": _address(thread.get_absolute_url()),
        }
    return {"id": thread.pk, "title": None, "address": None, "note": str(NOT_VISIBLE_NOW)}


def _category_name(source: Source, category: Category) -> str | None:
    return category.name if can_see_category(source.viewer, category) else None


def _post_ref(source: Source, post: Post, *, with_excerpt: bool = False) -> JsonObject:
    """Someone's post: who wrote it (the pseudonym of an anonymous one) and, on request, the
    start of its text -- only while the member may read it."""
    readable = can_read_post(source.viewer, post)
    ref: JsonObject = {
        "id": post.pk,
        "thread": _thread_ref(source, post.thread),
        "author_name": author_display_name(post) if readable else None,
        "address": _address(post.get_absolute_url()) if readable else None,
    }
    if with_excerpt:
        ref["excerpt"] = excerpt_of(post.body_html, cut=False) if readable else None
        ref["content_note"] = post.content_note_text if readable else None
    if not readable:
        ref["note"] = str(NOT_VISIBLE_NOW)
    return ref


# --- The sections ------------------------------------------------------------------------


def _profile(source: Source) -> JsonObject:
    member = source.member
    avatar = _avatar(source)
    moderates = list(
        CategoryModerator.objects.filter(member=member)
        .order_by("category__position", "category__name")
        .values_list("category__name", flat=True)
    )
    return {
        "username": member.username,
        "display_name": member.display_name,
        "email": member.email,
        "about_me": member.bio,
        "avatar": avatar,
        "time_zone": member.time_zone,
        "language": member.language,
        "country": member.country.code if member.country else None,
        "replies_newest_first": member.replies_newest_first,
        "role": member.role,
        "receives_check_in_requests": member.receives_check_ins,
        "moderates_categories": moderates if member.is_moderator_or_administrator else [],
        "joined_at": member.date_joined,
        "last_signed_in_at": member.last_login,
        "suspended_until": member.suspended_until,
        "profile_address": _address(member.get_absolute_url()),
        **guidelines_record_of(member),
    }


def _avatar(source: Source) -> str | None:
    """Put the avatar image in the archive; its name there (None without one)."""
    name = source.member.avatar.name
    if not name:
        return None
    suffix = PurePosixPath(name).suffix.lower()
    archived = AVATAR_FILE + (suffix if re.fullmatch(r"\.[a-z0-9]{1,5}", suffix) else "")
    try:
        with default_storage.open(name, "rb") as stream:
            source.files[archived] = stream.read()
    except OSError:
        logger.warning("The avatar of member %s is missing from storage", source.member.pk)
        return None
    return archived


def _account(source: Source) -> JsonObject:
    member = source.member
    return {
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=member).order_by("-primary", "email")
        ],
        # That two-factor authentication is set up, and how: never its secrets.
        "two_factor_methods": [
            {
                "type": authenticator.type,
                "added_at": authenticator.created_at,
                "last_used_at": authenticator.last_used_at,
            }
            for authenticator in Authenticator.objects.filter(user=member).order_by("created_at")
        ],
        "signed_in_sessions": _sessions(source),
    }


def _sessions(source: Source) -> list[JsonObject]:
    """The member's signed-in sessions, by their expiry only."""
    return [{"expires_at": expires_at} for expires_at in session_expiry_dates_of(source.member.pk)]


def _preferences(source: Source) -> JsonObject:
    member = source.member
    notification_settings = settings_of([member.pk])[member.pk]
    kinds = [kind for kind in Kind if kind not in MODERATOR_KINDS or source.viewer.is_moderator]
    labels = {
        label.pk: str(label) for label in ContentNoteLabel.objects.order_by("position", "name")
    }
    chosen = dict(
        ContentNotePreference.objects.filter(member=member).values_list("label_id", "choice")
    )
    return {
        # Labels without a choice fold posts away, the default.
        "content_notes": [
            {"label": name, "choice": chosen.get(label_id, "collapse")}
            for label_id, name in labels.items()
        ],
        "who_may_message_me": allow_from_for(member, source.now),
        "notifications": {
            "delivery": {kind.value: notification_settings.delivery_for(kind) for kind in kinds},
            "email_thread_titles": notification_settings.email_titles,
            "email_excerpts": notification_settings.email_excerpts,
            "quiet_from": _time(notification_settings.quiet_from),
            "quiet_until": _time(notification_settings.quiet_until),
            "digest": notification_settings.digest,
            "break_until": member.break_until,
            "duty_hours": notification_settings.duty_hours,
        },
        "muted_and_blocked_members": [
            {
                "username": mute.muted.username,
                "display_name": mute.muted.display_name,
                "blocked": mute.is_block,
                "since": mute.created_at,
            }
            for mute in MemberMute.objects.filter(member=member)
            .select_related("muted")
            .order_by("created_at", "pk")
        ],
        "muted_words": list(member.muted_words),
        "followed_threads": [
            {"thread": _thread_ref(source, following.thread), "level": following.level}
            for following in ThreadFollowing.objects.filter(member=member)
            .select_related("thread__category")
            .order_by("updated_at", "pk")
        ],
        "followed_categories": [
            {"category": _category_name(source, following.category), "level": following.level}
            for following in CategoryFollowing.objects.filter(member=member)
            .select_related("category")
            .order_by("category__position", "category__name")
        ],
    }


def _time(value: Any) -> str | None:
    return value.isoformat(timespec="minutes") if value is not None else None


def _threads(source: Source) -> list[JsonObject]:
    """Threads the member started (their titles are theirs, whoever may see them now)."""
    first_posts = {
        post.thread_id: post
        for post in Post.objects.filter(author=source.member, position=1).only(
            "thread_id", "is_anonymous", "author_name"
        )
    }
    threads = []
    for thread in (
        Thread.objects.filter(author=source.member)
        .select_related("category")
        .order_by("created_at", "pk")
    ):
        first = first_posts.get(thread.pk)
        anonymous = first is not None and first.is_anonymous
        threads.append(
            {
                "id": thread.pk,
                "title": thread.title,
                "category": _category_name(source, thread.category),
                "started_at": thread.created_at,
                "anonymous": anonymous,
                "pseudonym": first.author_name if first is not None and anonymous else None,
                "hoping_for": list(thread.hoping_for),
                "waiting_for_approval": thread.is_held,
                "closed_to_replies": thread.is_locked,
                "replies": thread.reply_count,
                "address": _address(thread.get_absolute_url()),
            }
        )
    return threads


def _posts(source: Source) -> list[JsonObject]:
    """Every post the member wrote, anonymous ones too, with every saved version."""
    posts = list(
        Post.objects.filter(author=source.member)
        .select_related("thread__category")
        .prefetch_related("revisions")
        .order_by("created_at", "pk")
    )
    label_ids = {label_id for post in posts for label_id in post.note_label_ids}
    label_names = dict(ContentNoteLabel.objects.filter(pk__in=label_ids).values_list("pk", "name"))
    return [
        {
            "id": post.pk,
            "thread": _thread_ref(source, post.thread),
            "position": post.position,
            "written_at": post.created_at,
            "edited_at": post.edited_at,
            "anonymous": post.is_anonymous,
            "pseudonym": post.author_name if post.is_anonymous else None,
            "waiting_for_approval": post.is_held,
            "hidden_by_moderators": post.is_hidden,
            "hidden_reason": post.hidden_reason if post.is_hidden else None,
            "deleted_at": post.deleted_at if post.is_deleted else None,
            "content_note": {
                "labels": [
                    in_readers_language(label_names[label_id])
                    for label_id in post.note_label_ids
                    if label_id in label_names
                ],
                "text": post.content_note_text,
            },
            "markdown": post.body,
            "html": post.body_html,
            "reactions_received": {
                "hug": post.hug_count,
                "heart": post.heart_count,
                "thanks": post.thanks_count,
                "me_too": post.me_too_count,
            },
            "versions": [
                {
                    "number": revision.number,
                    "thread_title": revision.title or None,
                    "markdown": revision.body,
                    "saved_by": revision.author_name,
                    "reason": revision.reason,
                    "saved_at": revision.created_at,
                }
                for revision in post.revisions.all()
            ],
            "address": _address(post.get_absolute_url()),
        }
        for post in posts
    ]


def _reactions(source: Source) -> list[JsonObject]:
    return [
        {
            "kind": reaction.kind,
            "given_at": reaction.created_at,
            "post": _post_ref(source, reaction.post),
        }
        for reaction in Reaction.objects.filter(member=source.member)
        .select_related("post__thread__category", "post__author")
        .order_by("created_at", "pk")
    ]


def _bookmarks(source: Source) -> list[JsonObject]:
    return [
        {
            "saved_at": bookmark.created_at,
            "note": bookmark.note,
            "post": _post_ref(source, bookmark.post, with_excerpt=True),
        }
        for bookmark in Bookmark.objects.filter(member=source.member)
        .select_related("post__thread__category", "post__author")
        .order_by("created_at", "pk")
    ]


def _drafts(source: Source) -> JsonObject:
    member = source.member
    current = set(
        Participant.objects.filter(conversation_filter(member.pk)).values_list(
            "conversation_id", flat=True
        )
    )
    return {
        "forum": [
            {
                "reply_in": _thread_ref(source, draft.thread) if draft.thread else None,
                "new_thread_in": _category_name(source, draft.category)
                if draft.thread is None and draft.category is not None
                else None,
                "edit_of": _post_ref(source, draft.post) if draft.post is not None else None,
                "title": draft.title,
                "markdown": draft.body,
                "saved_at": draft.updated_at,
            }
            for draft in Draft.objects.filter(member=member)
            .select_related(
                "thread__category", "category", "post__thread__category", "post__author"
            )
            .order_by("updated_at", "pk")
        ],
        "waiting_to_go_live": [
            {
                "reply_in": _thread_ref(source, pending.thread) if pending.thread else None,
                "new_thread_in": _category_name(source, pending.category)
                if pending.thread is None
                else None,
                "title": pending.title,
                "markdown": pending.body,
                "anonymous": pending.is_anonymous,
                "goes_live_at": pending.goes_live_at,
                "could_not_go_live_because": pending.problem,
            }
            for pending in PendingPost.objects.filter(author=member, published_at__isnull=True)
            .select_related("thread__category", "category")
            .order_by("goes_live_at", "pk")
        ],
        "messages": [
            {
                "conversation": draft.conversation_id if draft.conversation_id in current else None,
                "new_conversation": draft.conversation_id is None,
                "markdown": draft.body,
                "saved_at": draft.updated_at,
            }
            for draft in MessageDraft.objects.filter(member=member).order_by("updated_at", "pk")
        ],
    }


def _pseudonyms(source: Source) -> list[JsonObject]:
    return [
        {"thread": _thread_ref(source, identity.thread), "pseudonym": identity.pseudonym}
        for identity in AnonymousIdentity.objects.filter(member=source.member)
        .select_related("thread__category")
        .order_by("thread_id")
    ]


def _reading(source: Source) -> JsonObject:
    """Where the member has read to, summarised: how many threads, and the categories
    they marked read."""
    member = source.member
    return {
        "threads_with_a_read_marker": ReadState.objects.filter(member=member).count(),
        "categories_marked_read": [
            {"category": _category_name(source, mark.category), "marked_at": mark.marked_at}
            for mark in CategoryReadMark.objects.filter(member=member)
            .select_related("category")
            .order_by("category__position", "category__name")
        ],
    }


def _conversations(source: Source) -> list[JsonObject]:
    """The member's conversations as their pages show them: only those they are in now,
    every message in each (with its history), through the participant-scoped selectors."""
    member = source.member
    found = []
    cursor = ""
    while True:
        listing = conversations_of(member, cursor)
        for summary in listing.rows:
            try:
                opened = get_conversation_for_viewer_or_404(member, summary.conversation.pk)
            except Http404:
                continue  # left while the archive was being built
            found.append(_conversation(source, opened))
        if not listing.next_cursor:
            return found
        cursor = listing.next_cursor


def _conversation(source: Source, opened: OpenConversation) -> JsonObject:
    conversation = opened.conversation
    messages = []
    page = messages_page(opened, 1)
    for number in range(1, page.page_count + 1):
        if number > 1:
            page = messages_page(opened, number)
        for message in page.messages:
            edited = message.edited_at is not None and not message.is_deleted
            messages.append(
                {
                    "position": message.position,
                    "author_name": message.author_name,
                    "mine": message.author_id == source.member.pk,
                    "written_at": message.created_at,
                    "edited_at": message.edited_at,
                    "deleted_at": message.deleted_at if message.is_deleted else None,
                    "markdown": message.body,
                    "html": message.body_html,
                    "earlier_versions": [
                        {"number": revision.number, "markdown": revision.body,
                         "saved_at": revision.created_at}
                        for revision in revisions_of(message)
                    ] if edited else [],
                }
            )  # fmt: skip
    return {
        "id": conversation.pk,
        "title": conversation.title,
        "with": [other.display_name for other in opened.others],
        "group": conversation.is_group,
        "started_by_me": conversation.started_by_id == source.member.pk,
        "started_at": conversation.created_at,
        "joined_at": opened.me.joined_at,
        "muted": opened.me.is_muted,
        "messages": messages,
    }


def _notifications(source: Source) -> JsonObject:
    """Notifications as the bell's page shows them now: one about something the member can
    no longer see is counted, not shown."""
    shown = []
    left_out = 0
    for notification in (
        Notification.objects.filter(recipient=source.member)
        .select_related("thread__category", "post__thread__category", "actor")
        .order_by("created_at", "pk")
    ):
        if not may_see(source.viewer, notification):
            left_out += 1
            continue
        thread = notification.thread
        shown.append(
            {
                "kind": notification.kind,
                "headline": headline(notification),
                "reason": reason_given(notification),
                "thread": _thread_ref(source, thread) if thread is not None else None,
                "address": _address(notification.target_url),
                "at": notification.created_at,
                "updated_at": notification.updated_at,
                "read_at": notification.read_at,
            }
        )
    return {"notifications": shown, "about_things_you_can_no_longer_see": left_out}


def _from_the_moderators(source: Source) -> JsonObject:
    """What the moderators decided about the member and wrote to them (never which
    moderator: decisions are the team's)."""
    member = source.member
    return {
        "messages": [
            {
                "subject": notice.subject,
                "text": notice.body,
                "about_post": notice.post_id,
                "sent_at": notice.created_at,
                "read_at": notice.read_at,
            }
            for notice in ModeratorNotice.objects.filter(member=member).order_by("created_at")
        ],
        "warnings_and_suspensions": [
            {
                "kind": sanction.kind,
                "reason": sanction.reason,
                "starts_at": sanction.starts_at,
                "ends_at": sanction.ends_at,
                "lifted_at": sanction.lifted_at,
            }
            for sanction in Sanction.objects.filter(member=member).order_by("starts_at")
        ],
    }


def _to_the_moderators(source: Source) -> JsonObject:
    """What the member sent the moderators: reports, messages, check-ins they asked for.

    Never a report *about* the member: who reported them is never told them (CARE.md), and
    the item is the moderators' working note. Nor whom the member reported: a report
    names a post or a message, and the post may be anonymous.
    """
    member = source.member
    sent = QueueItem.objects.filter(reporter=member).order_by("created_at", "pk")
    # Check-ins the member asked for: on a message (the item names its writer) or a post.
    asked = QueueItem.objects.filter(
        Q(reported_member=member) | Q(post_id__in=Post.objects.filter(author=member).values("pk")),
        kind=QueueKind.CHECK_IN,
        asked_for_check_in=True,
    ).order_by("created_at", "pk")
    return {
        "reports": [
            {
                "reason": item.reason,
                "details": item.details,
                "about": _report_target(item),
                "sent_at": item.created_at,
                "status": item.status,
            }
            for item in sent
            if item.kind == QueueKind.REPORT
        ],
        "messages": [
            {"text": item.details, "sent_at": item.created_at, "status": item.status}
            for item in sent
            if item.kind == QueueKind.MEMBER_MESSAGE
        ],
        "check_ins_asked_for": [
            {
                "about": "message" if item.message_id is not None else "post",
                "post": _permalink(item.post_id),
                "asked_at": item.created_at,
                "status": item.status,
            }
            for item in asked
        ],
    }


def _report_target(item: QueueItem) -> str:
    if item.message_id is not None:
        return "message"
    if item.post_id is not None:
        return str(_permalink(item.post_id))
    return "member"


def _permalink(post_id: int | None) -> str | None:
    if post_id is None:
        return None
    return _address(reverse("forum:permalink", kwargs={"post_id": post_id}))


def _data_requests(source: Source) -> JsonObject:
    member = source.member
    deletion = AccountDeletion.objects.filter(member=member).first()
    return {
        "data_exports": [
            {
                "requested_at": export.requested_at,
                "with_toolkit": export.include_toolkit,
                "state": export.state,
                "ready_at": export.ready_at,
                "expires_at": export.expires_at,
            }
            for export in DataExport.objects.filter(member=member).order_by("requested_at")
        ],
        "account_deletion": None
        if deletion is None
        else {
            "requested_at": deletion.requested_at,
            "due_at": deletion.due_at,
            "posts": deletion.posts,
        },
    }


def _toolkit(source: Source) -> JsonObject | None:
    """The private toolkit, only when the member asked for it."""
    if not source.include_toolkit:
        return None
    return toolkit_export_for(source.member)


class _ToolkitCovers(Mapping[str, tuple[str, ...]]):
    """The toolkit's models, as its app registered them (``core.providers``): the
    toolkit is never imported by another app (CARE.md)."""

    def __getitem__(self, label: str) -> tuple[str, ...]:
        return toolkit_export_covers()[label]

    def __iter__(self) -> Iterator[str]:
        return iter(toolkit_export_covers())

    def __len__(self) -> int:
        return len(toolkit_export_covers())


SECTIONS: tuple[Section, ...] = (
    Section(
        key="profile",
        title=gettext_lazy("Profile"),
        description=gettext_lazy(
            "What you told us about yourself, your role here, and the community guidelines "
            "you accepted."
        ),
        covers={
            "forum.CategoryModerator": ("member",),
            "welcome.GuidelinesAcceptance": ("member",),
            "welcome.Welcome": ("member",),
        },
        build=_profile,
    ),
    Section(
        key="account",
        title=gettext_lazy("Sign-in"),
        description=gettext_lazy(
            "Your email addresses, whether two-factor authentication is set up (never its "
            "secrets) and when your signed-in sessions expire."
        ),
        covers={"account.EmailAddress": ("user",), "mfa.Authenticator": ("user",)},
        build=_account,
    ),
    Section(
        key="preferences",
        title=gettext_lazy("Preferences"),
        description=gettext_lazy(
            "Content notes, who may message you, notifications, the members you muted or "
            "blocked, and the threads and categories you follow."
        ),
        covers={
            "safety.ContentNotePreference": ("member",),
            "conversations.MessagingSettings": ("member",),
            "notifications.NotificationSettings": ("member",),
            "accounts.MemberMute": ("member",),
            "forum.ThreadFollowing": ("member",),
            "forum.CategoryFollowing": ("member",),
        },
        build=_preferences,
    ),
    Section(
        key="threads",
        title=gettext_lazy("Threads you started"),
        description=gettext_lazy("Anonymous ones too, with the pseudonym they carry."),
        covers={"forum.Thread": ("author",)},
        build=_threads,
    ),
    Section(
        key="posts",
        title=gettext_lazy("Your posts"),
        description=gettext_lazy(
            "Every post you wrote, as Markdown and as the page shows it, with each saved "
            "version. Anonymous posts are marked, with their pseudonym."
        ),
        covers={"forum.Post": ("author",)},
        build=_posts,
        template="member_data/export_archive_posts.html",
    ),
    Section(
        key="reactions",
        title=gettext_lazy("Reactions you gave"),
        description=gettext_lazy("Hugs, hearts, thanks and “me too”s, and on which posts."),
        covers={"forum.Reaction": ("member",)},
        build=_reactions,
    ),
    Section(
        key="saved_posts",
        title=gettext_lazy("Saved posts"),
        description=gettext_lazy("With your notes."),
        covers={"forum.Bookmark": ("member",)},
        build=_bookmarks,
    ),
    Section(
        key="drafts",
        title=gettext_lazy("Drafts"),
        description=gettext_lazy(
            "What you had started writing, in the forum and in messages, and posts waiting to "
            "go live."
        ),
        covers={
            "forum.Draft": ("member",),
            "forum.PendingPost": ("author",),
            "conversations.MessageDraft": ("member",),
        },
        build=_drafts,
    ),
    Section(
        key="pseudonyms",
        title=gettext_lazy("Your pseudonyms"),
        description=gettext_lazy("The name you post under, anonymously, in each thread."),
        covers={"forum.AnonymousIdentity": ("member",)},
        build=_pseudonyms,
    ),
    Section(
        key="reading",
        title=gettext_lazy("Reading"),
        description=gettext_lazy("A summary of where you have read up to."),
        covers={"forum.ReadState": ("member",), "forum.CategoryReadMark": ("member",)},
        build=_reading,
    ),
    Section(
        key="conversations",
        title=gettext_lazy("Conversations"),
        description=gettext_lazy(
            "Your private conversations as you see them: every message in each, with who "
            "wrote it. Conversations you left are not included."
        ),
        covers={
            "conversations.Participant": ("member",),
            "conversations.Conversation": ("started_by",),
            "conversations.Message": ("author",),
        },
        build=_conversations,
        template="member_data/export_archive_conversations.html",
    ),
    Section(
        key="notifications",
        title=gettext_lazy("Notifications"),
        description=gettext_lazy("What you were told about, as your notifications page shows it."),
        covers={"notifications.Notification": ("recipient",)},
        build=_notifications,
    ),
    Section(
        key="from_the_moderators",
        title=gettext_lazy("From the moderators"),
        description=gettext_lazy("Their messages to you, and any warning or suspension."),
        covers={"moderation.ModeratorNotice": ("member",), "moderation.Sanction": ("member",)},
        build=_from_the_moderators,
    ),
    Section(
        key="to_the_moderators",
        title=gettext_lazy("To the moderators"),
        description=gettext_lazy(
            "Reports you made, your messages to them, and the check-ins you asked for."
        ),
        # reported_member: only the check-ins the member asked for on their own messages;
        # a report about the member is never exported (see _to_the_moderators).
        covers={"safety.QueueItem": ("reporter", "reported_member")},
        build=_to_the_moderators,
    ),
    Section(
        key="data_requests",
        title=gettext_lazy("Your data requests"),
        description=gettext_lazy("Archives you asked for, and a pending account deletion."),
        covers={"member_data.DataExport": ("member",), "member_data.AccountDeletion": ("member",)},
        build=_data_requests,
    ),
    Section(
        key="toolkit",
        title=gettext_lazy("Between sessions (your private toolkit)"),
        description=gettext_lazy(
            "Your journal, notes for your next session, coping plan, cards and breaks: only "
            "when you ask for them."
        ),
        covers=_ToolkitCovers(),
        build=_toolkit,
    ),
    Section(
        key="check_ins_from_members",
        title=gettext_lazy("Check-ins from members"),
        description=gettext_lazy(
            "Members you asked to check in with you during a therapist's break, and members "
            "who asked you: who, the answer and the days. Nothing from your toolkit."
        ),
        covers=PEER_CHECK_IN_COVERS,
        build=lambda source: peer_check_ins_export_for(source.member),
    ),
)

# Models with a member relation that no section exports, and why.
NOT_EXPORTED: dict[str, str] = {
    "search.SearchEntry": (
        "The search index: a plain-text copy of posts, made for searching. The posts "
        "themselves, Markdown and HTML, are in the export."
    ),
    "moderation.AuditEntry": (
        "The moderators' audit log: actions a moderator took on other members' posts and "
        "accounts, the community's record rather than the moderator's own data. What was "
        "decided about the member is exported from their sanctions and notices."
    ),
    "api.AccessToken": (
        "Personal access tokens for the API are sign-in credentials, like the password "
        "(which is not exported either): only a fingerprint of each is kept, and their "
        "names, scopes and dates are on Settings → API tokens, where they can be revoked."
    ),
    "admin.LogEntry": (
        "Changes an administrator made in the admin site: the operator's record of "
        "other members' accounts and the site's settings."
    ),
    "welcome.GuidelinesVersion": (
        "The community guidelines an administrator published: the community's text, the "
        "same for everyone and readable at /guidelines/. Which versions the member accepted "
        "is in their profile."
    ),
}

# Member relations ("label.field") of exported models whose rows no section follows.
RELATIONS_NOT_EXPORTED: dict[str, str] = {
    "accounts.MemberMute.muted": (
        "Who muted or blocked the member is private to them: they are never told (CARE.md)."
    ),
    "moderation.Sanction.created_by": (
        "Warnings and suspensions a moderator gave are the other members' records; on the "
        "member's own, which moderator decided is left out too."
    ),
    "notifications.Notification.actor": (
        "Notifications others received about what the member did belong to them."
    ),
    "safety.QueueItem.closed_by": (
        "Queue items a moderator closed are the moderators' work on other members' posts."
    ),
}


# --- Building --------------------------------------------------------------------------


def source_for(member: User, *, include_toolkit: bool, now: datetime) -> Source:
    """Whose data, seen as the member sees the community now (``viewer_for``)."""
    return Source(
        member=member,
        viewer=viewer_for(member, ignores_break=True),  # a break rests the forum, not their data
        include_toolkit=include_toolkit,
        now=now,
    )


def member_data(source: Source) -> JsonObject:
    """The archive's document: format, version, when, whose, then every section.

    Reads every row the member has, and every unexpired session: for the background task.
    """
    data: JsonObject = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "generated_at": source.now,
        "site": {"name": settings.HEARTH_SITE_NAME, "address": settings.SITE_URL},
        "member": source.member.username,
        "includes_toolkit": source.include_toolkit,
    }
    for section in SECTIONS:
        data[section.key] = section.build(source)
    return data


def build_archive(member: User, *, include_toolkit: bool, now: datetime) -> bytes:
    """The zip of the member's data (``data.json``, ``index.html``, the avatar), in their
    language and time zone."""
    source = source_for(member, include_toolkit=include_toolkit, now=now)
    with translation.override(member.language), timezone.override(member.time_zone):
        data = member_data(source)
        document = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        page = render_archive_page(source, data)
    folder = archive_folder(now)
    buffer = io.BytesIO()
    stamp = timezone.localtime(now, UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            (DATA_FILE, document.encode()),
            (HTML_FILE, page.encode()),
            *source.files.items(),
        ):
            entry = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            archive.writestr(entry, content)
    return buffer.getvalue()


def archive_folder(moment: datetime) -> str:
    """The archive's one folder, and the downloaded file's name without ``.zip``."""
    return f"hearth-data-{timezone.localtime(moment, UTC):%Y-%m-%d}"


def render_archive_page(source: Source, data: JsonObject) -> str:
    sections = [
        {
            "key": section.key,
            "title": section.title,
            "description": section.description,
            "template": section.template,
            "data": data[section.key],
            "html": "" if section.template else as_html(data[section.key]),
        }
        for section in SECTIONS
        if section.key != "toolkit" or source.include_toolkit
    ]
    return render_to_string(
        "member_data/export_archive.html",
        {
            "data": data,
            "member": source.member,
            "sections": sections,
            "site_name": settings.HEARTH_SITE_NAME,
            "generated_at": source.now,
            "avatar_data": _data_uri(data["profile"]["avatar"], source.files),
        },
    )


def _data_uri(name: str | None, files: Mapping[str, bytes]) -> str:
    """The avatar inside the page itself, so that the page loads no file at all."""
    if name is None or name not in files:
        return ""
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if not kind.startswith("image/"):
        return ""
    return f"data:{kind};base64,{base64.b64encode(files[name]).decode()}"


# --- The readable copy: any value as escaped HTML -----------------------------------------


def as_html(value: object) -> SafeString:
    """Render a section's data as nested lists; every value is escaped (member text is
    never marked safe here: only the post and message templates show stored, sanitised
    HTML)."""
    if value is None or value in ("", [], {}):
        return format_html('<span class="none">{}</span>', "\N{EM DASH}")
    if isinstance(value, dict):
        rows = ((_label(key), _link_or_html(key, item)) for key, item in value.items())
        return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))
    if isinstance(value, list):
        items = ((as_html(item),) for item in value)
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", items))
    if isinstance(value, date):
        return _moment(value)
    if isinstance(value, bool):
        return format_html("{}", _("yes") if value else _("no"))
    return format_html('<span class="text">{}</span>', value)


def _link_or_html(key: str, value: object) -> SafeString:
    """An address of the site as a link (only ours: ``_address`` made it); the rest as is."""
    if key.endswith("address") and isinstance(value, str) and value.startswith(_address("/")):
        return format_html('<a href="{}">{}</a>', value, value)
    return as_html(value)


def _moment(value: date) -> SafeString:
    """A date, or a time in the member's time zone (active while the archive is built)."""
    shown = long_datetime(value) if isinstance(value, datetime) else long_date(value)
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), shown)


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()
