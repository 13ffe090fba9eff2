"""What a viewer may do in the forum.

Reasons are lazy translations: most checks only need yes or no (``can_*``),
so a reason is translated only when someone is shown it.

Each rule is one ``why_cannot_*`` function returning a reason (or None),
exposed as ``can_*`` for templates and ``check_can_*`` for services. None of
them runs a query: objects arrive with what the rule needs already loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Concatenate, Protocol

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from hearth.forum.models import Category, Thread, Visibility
from hearth.forum.viewer import Viewer
from hearth.safety.time_words import day_and_time

Reason = str | StrPromise  # a lazy translation until someone is shown it


class PostFacts(Protocol):
    """What the post rules read: a ``Post``, or the lighter record a thread page loads."""

    @property
    def thread(self) -> Thread: ...
    @property
    def author_id(self) -> int | None: ...
    @property
    def is_deleted(self) -> bool: ...
    @property
    def is_hidden(self) -> bool: ...
    @property
    def is_held(self) -> bool: ...


def why_cannot_view_category(viewer: Viewer, category: Category) -> Reason | None:
    if category.visibility == Visibility.PUBLIC:
        return None
    if not viewer.is_member:
        return _("Please sign in to read this.")
    if category.visibility == Visibility.MODERATORS and not viewer.moderates(category.pk):
        return _("This category is for moderators.")
    return None


def why_cannot_view_thread(viewer: Viewer, thread: Thread) -> Reason | None:
    if (reason := why_cannot_view_category(viewer, thread.category)) is not None:
        return reason
    is_author = viewer.member_id is not None and viewer.member_id == thread.author_id
    if thread.is_held and not (is_author or viewer.moderates(thread.category_id)):
        return _("This thread is waiting for a moderator.")
    return None


def why_cannot_write(viewer: Viewer) -> Reason | None:
    """Reasons a member may not write in public at all: signed out, or suspended."""
    member = viewer.member
    if member is None:
        return _("Please sign in to write.")
    if member.suspension_in_force(timezone.now()) and member.suspended_until is not None:
        until = day_and_time(member.suspended_until)
        return _(
            "Your account can't post or react until %(until)s. "
            "The moderators' message explains why."
        ) % {"until": until}
    return None


def why_cannot_start_thread(viewer: Viewer, category: Category) -> Reason | None:
    if (reason := why_cannot_view_category(viewer, category)) is not None:
        return reason
    return why_cannot_write(viewer)


def why_cannot_post_anonymously(viewer: Viewer, category: Category) -> Reason | None:
    if not category.allow_anonymous:
        return _("This category doesn't take anonymous posts.")
    return None


def why_cannot_reply(viewer: Viewer, thread: Thread) -> Reason | None:
    if (reason := why_cannot_view_thread(viewer, thread)) is not None:
        return reason
    if (reason := why_cannot_write(viewer)) is not None:
        return reason
    if thread.is_locked and not viewer.moderates(thread.category_id):
        return _("This thread is closed to new replies.")
    return None


class ThreadRules:
    """The rules for one viewer about the posts of one thread.

    The thread-level answers (may the viewer read it, moderate it, write at
    all?) are worked out once: a page asks about twenty posts. The
    ``why_cannot_*_post`` functions below are these rules for a single post.
    """

    def __init__(self, viewer: Viewer, thread: Thread) -> None:
        self.viewer = viewer
        self.thread = thread
        self.thread_refusal = why_cannot_view_thread(viewer, thread)
        self.moderates = viewer.moderates(thread.category_id)

    @cached_property
    def write_refusal(self) -> Reason | None:
        return why_cannot_write(self.viewer)

    def is_author(self, post: PostFacts) -> bool:
        return self.viewer.member_id is not None and self.viewer.member_id == post.author_id

    def why_cannot_see(self, post: PostFacts) -> Reason | None:
        """Held posts exist only for their author and moderators until approved. (In a
        held thread, which only its author and the moderators see, the author reads the
        replies too: a moderator may answer them there.)"""
        if self.thread_refusal is not None:
            return self.thread_refusal
        if post.is_held and not (self.moderates or self.is_author(post)):
            return _("This post is waiting for a moderator.")
        return None

    def why_cannot_read_hidden(self, post: PostFacts) -> Reason | None:
        """Hidden posts stay readable, marked, for their author and moderators."""
        if post.is_hidden and not (self.moderates or self.is_author(post)):
            return _("A moderator hid this post.")
        return None

    def why_cannot_edit(self, post: PostFacts) -> Reason | None:
        if self.thread_refusal is not None:
            return self.thread_refusal
        if post.is_deleted:
            return _("This post was deleted.")
        if self.moderates:
            return None
        return self._why_author_cannot_edit(post)

    def _why_author_cannot_edit(self, post: PostFacts) -> Reason | None:
        if not self.is_author(post):
            return _("Only the author can edit this post.")
        if self.write_refusal is not None:
            return self.write_refusal
        if self.thread.is_locked:
            return _("This thread is closed, so its posts can no longer be edited.")
        return None

    def why_cannot_delete(self, post: PostFacts) -> Reason | None:
        if self.thread_refusal is not None:
            return self.thread_refusal
        if post.is_deleted:
            return _("This post was already deleted.")
        if not self.is_author(post):
            return _("Only the author can delete this post.")
        return None

    def why_cannot_react(self, post: PostFacts) -> Reason | None:
        if self.thread_refusal is not None:
            return self.thread_refusal
        if self.write_refusal is not None:
            return self.write_refusal
        if post.is_deleted or post.is_hidden or post.is_held:
            return _("This post was deleted.")
        if self.is_author(post):
            return _("You can't react to your own post.")
        return None


def why_cannot_see_post(viewer: Viewer, post: PostFacts) -> Reason | None:
    return ThreadRules(viewer, post.thread).why_cannot_see(post)


def why_cannot_read_hidden_post(viewer: Viewer, post: PostFacts) -> Reason | None:
    return ThreadRules(viewer, post.thread).why_cannot_read_hidden(post)


def why_cannot_edit_post(viewer: Viewer, post: PostFacts) -> Reason | None:
    return ThreadRules(viewer, post.thread).why_cannot_edit(post)


def why_cannot_delete_post(viewer: Viewer, post: PostFacts) -> Reason | None:
    return ThreadRules(viewer, post.thread).why_cannot_delete(post)


def why_cannot_react(viewer: Viewer, post: PostFacts) -> Reason | None:
    return ThreadRules(viewer, post.thread).why_cannot_react(post)


def _as_bool[**P](
    rule: Callable[Concatenate[Viewer, P], Reason | None],
) -> Callable[Concatenate[Viewer, P], bool]:
    def allowed(viewer: Viewer, /, *args: P.args, **kwargs: P.kwargs) -> bool:
        return rule(viewer, *args, **kwargs) is None

    return allowed


def _as_check[**P](
    rule: Callable[Concatenate[Viewer, P], Reason | None],
) -> Callable[Concatenate[Viewer, P], None]:
    def check(viewer: Viewer, /, *args: P.args, **kwargs: P.kwargs) -> None:
        if (reason := rule(viewer, *args, **kwargs)) is not None:
            raise PermissionDenied(str(reason))

    return check


can_view_category = _as_bool(why_cannot_view_category)
can_view_thread = _as_bool(why_cannot_view_thread)
can_start_thread = _as_bool(why_cannot_start_thread)
can_reply = _as_bool(why_cannot_reply)
can_edit_post = _as_bool(why_cannot_edit_post)
can_delete_post = _as_bool(why_cannot_delete_post)
can_react = _as_bool(why_cannot_react)
can_see_post = _as_bool(why_cannot_see_post)
can_read_hidden_post = _as_bool(why_cannot_read_hidden_post)
can_post_anonymously = _as_bool(why_cannot_post_anonymously)

check_can_start_thread = _as_check(why_cannot_start_thread)
check_can_reply = _as_check(why_cannot_reply)
check_can_edit_post = _as_check(why_cannot_edit_post)
check_can_delete_post = _as_check(why_cannot_delete_post)
check_can_react = _as_check(why_cannot_react)
check_can_post_anonymously = _as_check(why_cannot_post_anonymously)
