"""What becomes of a departing member's posts when their account is deleted.

The member chose (``member_data.models.PostsChoice``): their posts are removed --
threads nobody else wrote in go entirely, every other post keeps its place in its
thread, marked "deleted by its author", as when they delete one post -- or kept
under "Former member". Either way, others' @mentions and quotes of them stop
naming them. The account row itself is deleted afterwards (``member_data.deletion``);
these functions only change what would otherwise still show the member.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hearth.accounts.models import User
from hearth.core import page_cache
from hearth.core.text.anonymising import FORMER_MEMBER, DepartedName
from hearth.forum.counters import synchronise_category, synchronise_thread
from hearth.forum.models import Draft, Post, PostRevision, Reaction, Thread
from hearth.forum.text import render_post_body

# A removed original post's thread stays for the replies others wrote; its title
# was the member's words too.
REMOVED_THREAD_TITLE = "Removed by its author"


@dataclass
class ForumDeparture:
    """What changed, for the other apps' part of the deletion (notifications, audit)."""

    removed_post_ids: list[int] = field(default_factory=list)
    deleted_thread_ids: list[int] = field(default_factory=list)


def remove_posts_of(member: User) -> ForumDeparture:
    """Remove every post the member wrote, anonymous ones too. Call in a transaction."""
    page_cache.site_changed()  # their posts are on pages shared with visitors
    departure = ForumDeparture()
    others_wrote = Post.objects.filter(thread=OuterRef("pk")).exclude(author=member)
    alone = Thread.objects.filter(author=member).exclude(Exists(others_wrote))
    solitary = list(alone.values_list("pk", "category_id"))
    departure.deleted_thread_ids = [thread_id for thread_id, _category in solitary]
    if solitary:
        Thread.objects.filter(pk__in=departure.deleted_thread_ids).delete()

    posts = Post.objects.filter(author=member)
    departure.removed_post_ids = list(posts.values_list("pk", flat=True))
    thread_ids = set(posts.values_list("thread_id", flat=True))
    posts.filter(is_deleted=False).update(
        is_deleted=True,
        deleted_at=timezone.now(),
        body="",
        body_html="",
        hug_count=0,
        heart_count=0,
        thanks_count=0,
        me_too_count=0,
        mentioned_member_ids=[],
    )
    posts.filter(is_anonymous=False).update(author_name=FORMER_MEMBER, edited_by_name="")
    PostRevision.objects.filter(post_id__in=departure.removed_post_ids).delete()
    Reaction.objects.filter(post_id__in=departure.removed_post_ids).delete()
    # A moderator's unsaved edit of one of them holds the member's words too.
    Draft.objects.filter(post_id__in=departure.removed_post_ids).delete()
    Thread.objects.filter(author=member).update(title=REMOVED_THREAD_TITLE)
    _threads_started_in_their_name(member).update(author_name=FORMER_MEMBER)
    for thread_id in sorted(thread_ids):
        synchronise_thread(thread_id)
    for category_id in sorted({category for _thread, category in solitary}):
        synchronise_category(category_id)
    return departure


def keep_posts_of(member: User, name: DepartedName) -> None:
    """Keep the member's posts under "Former member". Anonymous posts keep their
    pseudonym; the account behind it goes with the account. Call in a transaction."""
    page_cache.site_changed()  # their name is on pages shared with visitors
    named = Post.objects.filter(author=member, is_anonymous=False)
    thread_ids = set(Post.objects.filter(author=member).values_list("thread_id", flat=True))
    named.update(author_name=FORMER_MEMBER)
    PostRevision.objects.filter(post__in=named, author_name=name.display_name).update(
        author_name=FORMER_MEMBER
    )
    edited_by_them = Q(author=member, is_anonymous=False)
    if member.is_moderator_or_administrator:
        edited_by_them |= ~Q(author=member)  # a moderator edits others' posts in their name
        PostRevision.objects.filter(author_name=name.display_name).exclude(
            post__author=member, post__is_anonymous=True
        ).update(author_name=FORMER_MEMBER)
    Post.objects.filter(edited_by_them, edited_by_name=name.display_name).update(
        edited_by_name=FORMER_MEMBER
    )
    _threads_started_in_their_name(member).update(author_name=FORMER_MEMBER)
    for thread_id in sorted(thread_ids):
        synchronise_thread(thread_id)


def _threads_started_in_their_name(member: User) -> QuerySet[Thread]:
    """The member's threads that show their name (not an anonymous pseudonym)."""
    return Thread.objects.filter(author=member, posts__position=1, posts__is_anonymous=False)


def anonymise_mentions_of(name: DepartedName) -> int:
    """Rewrite others' posts (and their earlier versions) that @mention the member or
    quote them by name; return how many posts changed. Runs through every post that
    contains the name, once, in the deletion task (never in a request)."""
    naming = Q()
    for term in name.search_terms():
        naming |= Q(body__icontains=term)
    changed = 0
    for post_id, body in Post.objects.filter(naming, is_deleted=False).values_list("pk", "body"):
        anonymised = name.anonymise(body)
        if anonymised == body:
            continue
        rendered = render_post_body(anonymised)
        changed += Post.objects.filter(pk=post_id, body=body).update(
            body=anonymised,
            body_html=rendered.html,
            render_version=rendered.version,
            mentioned_member_ids=list(rendered.mentioned_member_ids),
        )
    for revision_id, body in PostRevision.objects.filter(naming).values_list("pk", "body"):
        anonymised = name.anonymise(body)
        if anonymised != body:
            PostRevision.objects.filter(pk=revision_id).update(body=anonymised)
    return changed
