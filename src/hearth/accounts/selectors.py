"""Reads about members that feed pages."""

from django.http import Http404

from hearth.accounts.models import User


def get_member_for_viewer_or_404(viewer: User, username: str) -> User:
    """Return an active member's public profile; inactive or unknown members are 404."""
    try:
        return User.objects.only(
            "username", "display_name", "bio", "avatar", "date_joined", "is_active"
        ).get(username=username, is_active=True)
    except User.DoesNotExist as error:
        raise Http404 from error
