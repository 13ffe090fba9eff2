"""Fan-out: from an event to the members it concerns (``hearth.notifications.delivery``).

Each task is enqueued with its event, in the transaction that published it, and
runs in ``hearth worker``. It reads the current state -- the post may have been
hidden, moved or deleted since -- and asks the visibility policy's audience
form who may see it now. Every task is idempotent (see ``delivery.tell``).
"""

from __future__ import annotations

import re

from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from hearth.accounts.models import User
from hearth.between_sessions.peer_check_ins.selectors import is_accepted, is_waiting_for_an_answer
from hearth.core.tasks import background_task
from hearth.forum.models import CategoryFollowing, FollowLevel, Post, Reaction, ThreadFollowing
from hearth.forum.visibility import moderators_of, post_audience, thread_audience
from hearth.notifications.delivery import Tell, recount_unread, tell, who_muted, withdraw
from hearth.notifications.models import Kind, Notification
from hearth.notifications.wording import PEER_CHECK_IN_ASKED, PEER_CHECK_IN_DUE
from hearth.safety.models import QueueItem

# A link to a post in the text -- what the quote button writes ("**Fern** [wrote](…/p/12/):").
LINKED_POST = re.compile(r"\]\(<?(?:https?://[^\s/>)]+)?/p/(\d+)/?>?\)")
MOST_LINKED_POSTS = 10


def _load_post(post_id: int) -> Post | None:
    return Post.objects.select_related("thread__category").filter(pk=post_id).first()


def _author_is_paused(post: Post) -> bool:
    author = post.author
    return (
        author is None
        or not author.is_active
        or (author.suspension_in_force(timezone.now()) and not author.suspension_is_partial)
    )


def _post_key(post: Post) -> str:
    return f"post:{post.pk}"


def _about_post(post: Post, recipient_id: int, kind: str) -> Tell:
    return Tell(
        recipient_id=recipient_id,
        kind=kind,
        key=_post_key(post),
        target_url=reverse("forum:permalink", kwargs={"post_id": post.pk}),
        from_member_id=post.author_id,
        actor_id=None if post.is_anonymous else post.author_id,
        actor_name=post.author_name,
        thread_id=post.thread_id,
        post_id=post.pk,
    )


def linked_post_authors(post: Post) -> set[int]:
    """Authors of the posts this post quotes or links to."""
    linked = {int(found) for found in LINKED_POST.findall(post.body)}
    linked.discard(post.pk)
    if not linked:
        return set()
    wanted = sorted(linked)[:MOST_LINKED_POSTS]
    return {
        author_id
        for author_id in Post.objects.filter(pk__in=wanted, is_deleted=False).values_list(
            "author_id", flat=True
        )
        if author_id is not None
    }


def who_hears_of(post: Post, mentioned: set[int]) -> list[Tell]:
    """Whom a newly readable post concerns, and as what (the levels of ``FollowLevel``).

    Without a choice of their own, members track threads they started or posted in,
    and follow the rest as their category says (watching or muted) or normally.
    """
    thread = post.thread
    chosen = dict(
        ThreadFollowing.objects.filter(thread_id=thread.pk).values_list("member_id", "level")
    )
    by_category = dict(
        CategoryFollowing.objects.filter(category_id=thread.category_id).values_list(
            "member_id", "level"
        )
    )
    participants: set[int | None] = set(
        Post.objects.filter(thread_id=thread.pk, is_deleted=False)
        .exclude(pk=post.pk)
        .order_by()
        .values_list("author_id", flat=True)
        .distinct()
    )
    participants.add(thread.author_id)
    quoted = linked_post_authors(post)
    is_new_thread = post.position == 1

    def level_of(member_id: int) -> str:
        if member_id in chosen:
            return chosen[member_id]
        if member_id in participants:
            return FollowLevel.TRACKING
        category_level = by_category.get(member_id)
        if category_level in (FollowLevel.WATCHING, FollowLevel.MUTED):
            return category_level
        return FollowLevel.NORMAL

    candidates = set(chosen) | set(by_category) | participants | quoted | mentioned
    tells = []
    for member_id in candidates:
        if member_id is None or member_id == post.author_id:
            continue
        level = level_of(member_id)
        following = level in (FollowLevel.WATCHING, FollowLevel.TRACKING)
        if level == FollowLevel.MUTED:
            continue
        if member_id in mentioned:
            kind = Kind.MENTION
        elif member_id in quoted and following:
            kind = Kind.REPLY_TO_ME
        elif is_new_thread and by_category.get(member_id) in (
            FollowLevel.WATCHING,
            FollowLevel.TRACKING,
        ):
            kind = Kind.NEW_THREAD
        elif not is_new_thread and (
            level == FollowLevel.WATCHING or (member_id == thread.author_id and following)
        ):
            kind = Kind.REPLY
        else:
            continue
        tells.append(_about_post(post, member_id, kind))
    return tells


@background_task()
def notify_about_post(*, post_id: int, mentioned_member_ids: list[int], **_event: object) -> None:
    """A post became readable: tell who follows the thread, whom it quotes or mentions."""
    post = _load_post(post_id)
    if post is None or post.is_deleted or post.is_held or post.is_hidden or _author_is_paused(post):
        return
    tell(who_hears_of(post, set(mentioned_member_ids)), audience=post_audience(post))


@background_task()
def notify_about_edit(
    *, post_id: int, editor_id: int, mentioned_member_ids: list[int], **_event: object
) -> None:
    """An edit that names new members mentions them (once per post, like a new post)."""
    post = _load_post(post_id)
    if (
        post is None
        or editor_id != post.author_id
        or post.is_held
        or post.is_hidden
        or post.is_deleted
    ):
        return
    if _author_is_paused(post):
        return
    mentioned = [_about_post(post, member_id, Kind.MENTION) for member_id in mentioned_member_ids]
    tell(mentioned, audience=post_audience(post))


@background_task()
def notify_about_reactions(*, post_id: int, member_id: int, is_on: bool, **_event: object) -> None:
    """Keep one grouped notification per post of who reacted ("Fern and 3 others sent
    hugs"), leaving out members the author muted or blocked."""
    post = _load_post(post_id)
    if post is None or post.author_id is None or post.is_deleted:
        return
    author_id = post.author_id
    key = f"reactions:{post.pk}"
    silenced = {muted for _member, muted in who_muted([author_id], _reactors(post))}
    reactions = (
        Reaction.objects.filter(post_id=post.pk)
        .exclude(member_id__in=silenced | {author_id})
        .values("member_id")
        .annotate(latest=Max("created_at"))
        .order_by("-latest")
    )
    reactor_ids = [row["member_id"] for row in reactions]
    kinds = sorted(
        set(
            Reaction.objects.filter(post_id=post.pk, member_id__in=reactor_ids).values_list(
                "kind", flat=True
            )
        )
    )
    existing = Notification.objects.filter(recipient_id=author_id, key=key)
    if not reactor_ids:
        withdraw(existing)
        return
    latest = User.objects.only("display_name").get(pk=reactor_ids[0])
    detail = ",".join(kinds)
    grouped = {
        "actor_id": latest.pk,
        "actor_name": latest.display_name[:50],
        "others_count": len(reactor_ids) - 1,
        "detail": detail,
    }
    fresh = is_on and member_id not in silenced
    if existing.exists():
        changes = dict(grouped, updated_at=timezone.now())
        if fresh:
            changes["read_at"] = None  # a new hug brings it back to the top, unread
        existing.update(**changes)
        recount_unread([author_id])
        return
    if not fresh:
        return
    created = tell(
        [
            Tell(
                recipient_id=author_id,
                kind=Kind.REACTION,
                key=key,
                target_url=reverse("forum:permalink", kwargs={"post_id": post.pk}),
                from_member_id=member_id,
                thread_id=post.thread_id,
                post_id=post.pk,
                actor_id=latest.pk,
                actor_name=latest.display_name,
                detail=detail,
            )
        ],
        audience=post_audience(post),
    )
    Notification.objects.filter(pk__in=[each.pk for each in created]).update(
        others_count=grouped["others_count"]
    )


def _reactors(post: Post) -> set[int]:
    return set(Reaction.objects.filter(post_id=post.pk).values_list("member_id", flat=True))


@background_task()
def notify_about_held_post(*, post_id: int, author_id: int, **_event: object) -> None:
    post = _load_post(post_id)
    if post is None or not post.is_held or post.is_deleted:
        return
    tell(
        [
            Tell(
                recipient_id=author_id,
                kind=Kind.MODERATION,
                key=f"held:{post.pk}",
                target_url=reverse("forum:permalink", kwargs={"post_id": post.pk}),
                thread_id=post.thread_id,
                post_id=post.pk,
                detail="held",
            )
        ],
        audience=post_audience(post),
    )


@background_task()
def notify_about_notice(
    *, notice_id: int, member_id: int, post_id: int | None, **_event: object
) -> None:
    """A moderator's message: what they did to the member's post and why, or a reply."""
    from hearth.moderation.models import ModeratorNotice  # noqa: PLC0415 - a higher layer

    notice = ModeratorNotice.objects.filter(pk=notice_id).first()
    if notice is None:
        return
    reason = notice.body.split("\n", 1)[0]
    tell(
        [
            Tell(
                recipient_id=member_id,
                kind=Kind.MODERATION if post_id else Kind.NOTICE,
                key=f"notice:{notice_id}",
                target_url=f"{reverse('moderation:notices')}#notice-{notice_id}",
                detail=f"{notice.subject}\n{reason}" if post_id else notice.subject,
            )
        ]
    )


@background_task()
def notify_about_check_in_answer(
    *, item_id: int, post_id: int | None, asked_for_check_in: bool, **_event: object
) -> None:
    """The writer who asked for a check-in hears that a moderator answered (for a post,
    its author; for a private message, the writer the item names)."""
    # The item as it is now: the writer may have asked after the event's snapshot.
    item = QueueItem.objects.filter(pk=item_id).first()
    if item is None or not (item.asked_for_check_in or asked_for_check_in):
        return
    if post_id is not None:
        writer_id = Post.objects.filter(pk=post_id).values_list("author_id", flat=True).first()
    elif item.message_id is not None:
        writer_id = item.reported_member_id
    else:
        return
    if writer_id is None:
        return
    tell(
        [
            Tell(
                recipient_id=writer_id,
                kind=Kind.CHECK_IN,
                key=f"check-in:{item_id}",
                target_url=reverse("moderation:notices"),
            )
        ]
    )


def _to_moderators(
    *, item_id: int, category_id: int | None, kind: str, key: str, leave_out: int | None = None
) -> None:
    moderators = moderators_of(category_id)
    if kind == Kind.CHECK_IN_REQUEST:
        moderators = moderators.filter(receives_check_ins=True)
    recipients = moderators.exclude(pk=leave_out) if leave_out else moderators
    target = f"{reverse('moderation:queue')}#item-{item_id}"
    tell(
        [
            Tell(recipient_id=pk, kind=kind, key=key, target_url=target)
            for pk in recipients.values_list("pk", flat=True)
        ],
        audience=recipients,
    )


@background_task()
def notify_moderators_of_check_in_request(
    *, item_id: int, category_id: int | None, **_event: object
) -> None:
    _to_moderators(
        item_id=item_id,
        category_id=category_id,
        kind=Kind.CHECK_IN_REQUEST,
        key=f"check-in-request:{item_id}",
    )


@background_task()
def notify_moderators_of_report(
    *, item_id: int, category_id: int | None, reporter_id: int, **_event: object
) -> None:
    _to_moderators(
        item_id=item_id,
        category_id=category_id,
        kind=Kind.REPORT,
        key=f"report:{item_id}",
        leave_out=reporter_id,
    )


@background_task()
def withdraw_for_post(*, post_id: int, **_event: object) -> None:
    """A post was hidden, rejected or deleted: whoever can no longer read it loses its
    notifications (its author and the moderators keep theirs)."""
    post = _load_post(post_id)
    if post is None:
        return
    withdraw(
        Notification.objects.filter(post_id=post.pk).exclude(recipient__in=post_audience(post))
    )


@background_task()
def withdraw_for_thread(*, thread_id: int, **_event: object) -> None:
    """A thread moved: who can no longer see it in its new category loses its notifications."""
    from hearth.forum.models import Thread  # noqa: PLC0415

    thread = Thread.objects.select_related("category").filter(pk=thread_id).first()
    if thread is None:
        return
    withdraw(
        Notification.objects.filter(thread_id=thread.pk).exclude(
            recipient__in=thread_audience(thread)
        )
    )


@background_task()
def notify_about_message(
    *, conversation_id: int, message_id: int, author_id: int, **_event: object
) -> None:
    """One notification per conversation while it has unread messages ("Fern sent you 3
    messages"), for its current participants who did not mute it; never the text."""
    from hearth.conversations.models import Message, Participant  # noqa: PLC0415
    from hearth.conversations.visibility import conversation_audience  # noqa: PLC0415

    message = Message.objects.select_related("conversation", "author").filter(pk=message_id).first()
    if message is None or message.is_deleted or message.author is None:
        return
    author = message.author
    if not author.is_active:
        return
    listening = Participant.objects.filter(
        conversation_id=conversation_id, left_at__isnull=True, is_muted=False
    ).exclude(member_id=author_id)
    key = f"conversation:{conversation_id}"
    target = reverse("conversations:conversation", kwargs={"conversation_id": conversation_id})
    for participant in listening:
        unread = max(message.conversation.last_position - participant.last_read_position, 1)
        existing = Notification.objects.filter(recipient_id=participant.member_id, key=key)
        if who_muted([participant.member_id], [author_id]):
            continue
        if existing.exists():
            existing.update(
                actor_id=author.pk,
                actor_name=author.display_name[:50],
                others_count=unread - 1,
                updated_at=timezone.now(),
                read_at=None,
                target_url=f"{target}#message-{message.pk}",
            )
            recount_unread([participant.member_id])
            continue
        tell(
            [
                Tell(
                    recipient_id=participant.member_id,
                    kind=Kind.MESSAGE,
                    key=key,
                    target_url=f"{target}#message-{message.pk}",
                    from_member_id=author_id,
                    actor_id=author.pk,
                    actor_name=author.display_name,
                )
            ],
            audience=conversation_audience(message.conversation),
        )


@background_task()
def withdraw_for_conversation(*, member_id: int, conversation_id: int, **_event: object) -> None:
    """A member left a conversation: its notification leaves their bell."""
    withdraw(
        Notification.objects.filter(recipient_id=member_id, key=f"conversation:{conversation_id}")
    )


def _peer_check_in_key(check_in_id: int) -> str:
    return f"peer-check-in:{check_in_id}"


def _tell_about_peer_check_in(
    *, check_in_id: int, asker_id: int, helper_id: int, key: str, target_url: str, detail: str
) -> None:
    asker = User.objects.filter(pk=asker_id, is_active=True).only("display_name").first()
    if asker is None:
        return
    tell(
        [
            Tell(
                recipient_id=helper_id,
                kind=Kind.PEER_CHECK_IN,
                key=key,
                target_url=target_url,
                from_member_id=asker_id,
                actor_id=asker_id,
                actor_name=asker.display_name,
                detail=detail,
            )
        ]
    )


@background_task()
def notify_about_peer_check_in(
    *, check_in_id: int, asker_id: int, helper_id: int, **_event: object
) -> None:
    """A member asked another to check in while their therapist is away: the helper is
    told who asked, and nothing else (never anything from the asker's toolkit)."""
    if not is_waiting_for_an_answer(check_in_id):
        return  # withdrawn (or answered) before the worker got here
    _tell_about_peer_check_in(
        check_in_id=check_in_id,
        asker_id=asker_id,
        helper_id=helper_id,
        key=_peer_check_in_key(check_in_id),
        target_url=reverse("peer_check_ins:detail", kwargs={"check_in_id": check_in_id}),
        detail=PEER_CHECK_IN_ASKED,
    )


@background_task()
def notify_about_peer_check_in_day(
    *, check_in_id: int, asker_id: int, helper_id: int, day: str, **_event: object
) -> None:
    """One of the chosen days: "Willow asked you to check in this week", linking to the
    conversation between the two (once per day: the key names it)."""
    if not is_accepted(check_in_id):
        return
    _tell_about_peer_check_in(
        check_in_id=check_in_id,
        asker_id=asker_id,
        helper_id=helper_id,
        key=f"{_peer_check_in_key(check_in_id)}:{day}",
        target_url=reverse("peer_check_ins:message", kwargs={"check_in_id": check_in_id}),
        detail=PEER_CHECK_IN_DUE,
    )


@background_task()
def withdraw_for_peer_check_in(*, check_in_id: int, helper_id: int, **_event: object) -> None:
    """A request to check in ended: what its helper was told of it leaves their bell."""
    key = _peer_check_in_key(check_in_id)
    withdraw(
        Notification.objects.filter(recipient_id=helper_id, kind=Kind.PEER_CHECK_IN).filter(
            Q(key=key) | Q(key__startswith=f"{key}:")
        )
    )
