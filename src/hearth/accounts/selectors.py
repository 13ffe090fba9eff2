"""Reads about members that feed pages."""

from django.http import Http404

from hearth.accounts.models import MemberMute, User
from hearth.core.raw_rows import fetch_rows


def get_member_for_viewer_or_404(viewer: User, username: str) -> User:
    """Return an active member's public profile; inactive or unknown members are 404."""
    try:
        return User.objects.only(
            "username", "display_name", "bio", "avatar", "date_joined", "is_active"
        ).get(username=username, is_active=True)
    except User.DoesNotExist as error:
        raise Http404 from error


# SQL: it runs on every thread page, where compiling the ORM's query cost more than running it.
_MUTED_IDS_SQL = f'SELECT muted_id FROM "{MemberMute._meta.db_table}" WHERE member_id = %(member)s'  # noqa: S608


def muted_member_ids(member: User) -> frozenset[int]:
    """Ids of the members this member has muted or blocked (one query)."""
    rows, _using = fetch_rows(MemberMute, _MUTED_IDS_SQL, {"member": member.pk})
    return frozenset(muted_id for (muted_id,) in rows)


def list_mutes(member: User) -> list[MemberMute]:
    return list(
        MemberMute.objects.filter(member=member)
        .select_related("muted")
        .only("is_block", "created_at", "muted__username", "muted__display_name")
        .order_by("muted__display_name")
    )


def get_mute(member: User, target: User) -> MemberMute | None:
    return MemberMute.objects.filter(member=member, muted=target).first()
