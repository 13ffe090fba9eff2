"""What a viewer may do in the forum.

Each rule is one ``why_cannot_*`` function returning a reason (or None),
exposed as ``can_*`` for templates and ``check_can_*`` for services. None of
them runs a query: objects arrive with what the rule needs already loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hearth.forum.models import Category, Post, Thread, Visibility
from hearth.forum.viewer import Viewer


def why_cannot_view_category(viewer: Viewer, category: Category) -> str | None:
    if category.visibility == Visibility.PUBLIC:
        return None
    if not viewer.is_member:
        return _("Please sign in to read this.")
    if category.visibility == Visibility.MODERATORS and not viewer.moderates(category.pk):
        return _("This category is for moderators.")
    return None


def why_cannot_view_thread(viewer: Viewer, thread: Thread) -> str | None:
    return why_cannot_view_category(viewer, thread.category)


def why_cannot_start_thread(viewer: Viewer, category: Category) -> str | None:
    if reason := why_cannot_view_category(viewer, category):
        return reason
    if not viewer.is_member:
        return _("Please sign in to write.")
    return None


def why_cannot_reply(viewer: Viewer, thread: Thread) -> str | None:
    if reason := why_cannot_view_thread(viewer, thread):
        return reason
    if not viewer.is_member:
        return _("Please sign in to reply.")
    if thread.is_locked and not viewer.moderates(thread.category_id):
        return _("This thread is closed to new replies.")
    return None


def why_cannot_edit_post(viewer: Viewer, post: Post) -> str | None:
    if reason := why_cannot_view_thread(viewer, post.thread):
        return reason
    if post.is_deleted:
        return _("This post was deleted.")
    if viewer.moderates(post.thread.category_id):
        return None
    if viewer.member_id is None or viewer.member_id != post.author_id:
        return _("Only the author can edit this post.")
    if post.thread.is_locked:
        return _("This thread is closed, so its posts can no longer be edited.")
    return None


def why_cannot_delete_post(viewer: Viewer, post: Post) -> str | None:
    if reason := why_cannot_view_thread(viewer, post.thread):
        return reason
    if post.is_deleted:
        return _("This post was already deleted.")
    if viewer.member_id is None or viewer.member_id != post.author_id:
        return _("Only the author can delete this post.")
    return None


def why_cannot_react(viewer: Viewer, post: Post) -> str | None:
    if reason := why_cannot_view_thread(viewer, post.thread):
        return reason
    if not viewer.is_member:
        return _("Please sign in to react.")
    if post.is_deleted:
        return _("This post was deleted.")
    if viewer.member_id == post.author_id:
        return _("You can't react to your own post.")
    return None


def _as_bool[**P](
    rule: Callable[Concatenate[Viewer, P], str | None],
) -> Callable[Concatenate[Viewer, P], bool]:
    def allowed(viewer: Viewer, /, *args: P.args, **kwargs: P.kwargs) -> bool:
        return rule(viewer, *args, **kwargs) is None

    return allowed


def _as_check[**P](
    rule: Callable[Concatenate[Viewer, P], str | None],
) -> Callable[Concatenate[Viewer, P], None]:
    def check(viewer: Viewer, /, *args: P.args, **kwargs: P.kwargs) -> None:
        if (reason := rule(viewer, *args, **kwargs)) is not None:
            raise PermissionDenied(reason)

    return check


can_view_category = _as_bool(why_cannot_view_category)
can_view_thread = _as_bool(why_cannot_view_thread)
can_start_thread = _as_bool(why_cannot_start_thread)
can_reply = _as_bool(why_cannot_reply)
can_edit_post = _as_bool(why_cannot_edit_post)
can_delete_post = _as_bool(why_cannot_delete_post)
can_react = _as_bool(why_cannot_react)

check_can_start_thread = _as_check(why_cannot_start_thread)
check_can_reply = _as_check(why_cannot_reply)
check_can_edit_post = _as_check(why_cannot_edit_post)
check_can_delete_post = _as_check(why_cannot_delete_post)
check_can_react = _as_check(why_cannot_react)
