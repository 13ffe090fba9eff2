"""Who is looking: the member (or nobody) and what they may moderate.

Built once per request, so permission functions can answer without queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils import timezone

from hearth.accounts.models import Role, User


@dataclass(frozen=True)
class Viewer:
    member: User | None
    is_administrator: bool = False
    moderates_everything: bool = False
    moderated_category_ids: frozenset[int] = field(default_factory=frozenset)
    # Read as if no break were in force: for what the member asks for themselves during
    # one (their data export), which must not lose what a break only rests.
    ignores_break: bool = False

    @property
    def is_member(self) -> bool:
        return self.member is not None

    member_id: int | None = field(init=False)
    # The member chose to take a break from the forum (``User.break_until``).
    is_on_break: bool = field(init=False)
    # The member reads nothing of the forum until it ends: fully suspended (a partial
    # suspension still lets them read), or taking a break -- two different things that
    # hide the forum alike. The visibility policy asks it.
    is_paused: bool = field(init=False)

    def __post_init__(self) -> None:
        # Asked for many times per page (once per post and rule): read it once.
        member = self.member
        now = timezone.now()
        object.__setattr__(self, "member_id", member.pk if member else None)
        on_break = member is not None and not self.ignores_break and member.is_on_break(now)
        suspended = (
            member is not None
            and member.suspended_until is not None
            and not member.suspension_is_partial
            and member.suspended_until > now
        )
        object.__setattr__(self, "is_on_break", on_break)
        object.__setattr__(self, "is_paused", suspended or on_break)

    @property
    def is_moderator(self) -> bool:
        """True if this viewer moderates at least one category."""
        return self.moderates_everything or bool(self.moderated_category_ids)

    def moderates(self, category_id: int) -> bool:
        return self.moderates_everything or category_id in self.moderated_category_ids


ANONYMOUS = Viewer(member=None)


def viewer_for(user: User | AnonymousUser, *, ignores_break: bool = False) -> Viewer:
    """Describe a user as a viewer; one query, and only for category moderators."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    if user.is_administrator:
        return Viewer(
            member=user,
            is_administrator=True,
            moderates_everything=True,
            ignores_break=ignores_break,
        )
    if user.role != Role.MODERATOR:
        return Viewer(member=user, ignores_break=ignores_break)
    from hearth.forum.models import CategoryModerator  # noqa: PLC0415 - models need apps ready

    category_ids = frozenset(
        CategoryModerator.objects.filter(member=user).values_list("category_id", flat=True)
    )
    # A moderator with no assigned categories moderates them all.
    return Viewer(
        member=user,
        moderates_everything=not category_ids,
        moderated_category_ids=category_ids,
        ignores_break=ignores_break,
    )


def get_viewer(request: HttpRequest) -> Viewer:
    """Return the request's viewer, computed once per request."""
    viewer: Viewer | None = getattr(request, "_hearth_viewer", None)
    if viewer is None:
        viewer = viewer_for(request.user)
        request._hearth_viewer = viewer  # type: ignore[attr-defined]  # a per-request cache
    return viewer
