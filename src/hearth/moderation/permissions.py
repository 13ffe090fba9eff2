"""Who may moderate what. Anything a viewer may not moderate answers 404."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _

from hearth.forum.models import Post, Thread
from hearth.forum.viewer import Viewer
from hearth.safety.models import QueueItem, QueueKind


def why_cannot_moderate_thread(viewer: Viewer, thread: Thread) -> str | None:
    if viewer.member is None or not viewer.moderates(thread.category_id):
        return _("You don't moderate this category.")
    return None


def why_cannot_moderate_post(viewer: Viewer, post: Post) -> str | None:
    return why_cannot_moderate_thread(viewer, post.thread)


def why_cannot_moderate_members(viewer: Viewer) -> str | None:
    """Warnings and suspensions reach across the site: global moderators and admins only."""
    if viewer.member is None or not viewer.moderates_everything:
        return _("Only moderators of the whole community can warn or suspend members.")
    return None


def why_cannot_handle_item(viewer: Viewer, item: QueueItem) -> str | None:
    if viewer.member is None or not viewer.is_moderator:
        return _("Only moderators can see the queue.")
    if item.category_id is not None and not viewer.moderates(item.category_id):
        return _("You don't moderate this category.")
    if item.category_id is None and not viewer.moderates_everything:
        return _("Only moderators of the whole community handle this.")
    return None


def can_see_check_ins(viewer: Viewer) -> bool:
    return viewer.member is not None and viewer.member.receives_check_ins


def visible_queue_kinds(viewer: Viewer) -> list[str]:
    kinds = [QueueKind.REPORT, QueueKind.HELD_POST, QueueKind.MEMBER_MESSAGE]
    if can_see_check_ins(viewer):
        kinds.append(QueueKind.CHECK_IN)
    return [str(kind) for kind in kinds]


def require(reason: str | None) -> None:
    """Raise 404 for a refusal: moderation pages never confirm what a viewer can't act on."""
    if reason is not None:
        raise Http404(reason)
