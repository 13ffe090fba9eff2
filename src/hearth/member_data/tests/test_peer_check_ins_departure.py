"""Account deletion and check-ins from peers: a request is between two members and goes
with either account, and what the other was told of it leaves their bell."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.accounts.models import User
from hearth.between_sessions.peer_check_ins.export import peer_check_ins_export_for
from hearth.between_sessions.peer_check_ins.services import Arrangement, arrange_peer_check_ins
from hearth.conversations.testing import open_to_everyone
from hearth.core.testing import FillToolkit, MakeMember
from hearth.member_data.deletion import delete_account
from hearth.member_data.models import PostsChoice
from hearth.notifications.models import Kind, Notification
from hearth.notifications.testing import deliver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tombstones_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.HEARTH_DELETED_ACCOUNTS_FILE = tmp_path / "deleted_accounts.jsonl"


@pytest.fixture
def asked(make_member: MakeMember, toolkit_filler: FillToolkit) -> tuple[User, User]:
    """Willow asked Fern to check in during her break; Fern was told."""
    willow = make_member(username="willow", display_name="Willow")
    fern = make_member(username="fern", display_name="Fern")
    open_to_everyone(fern)
    toolkit = toolkit_filler(willow, marker="departure-marker")
    arrange_peer_check_ins(
        asker=willow,
        therapist_break=getattr(toolkit, "therapist_break"),  # noqa: B009 - typed as object
        arrangement=Arrangement(names=("fern",), days=(timezone.localdate() + timedelta(days=2),)),
    )
    deliver()
    assert Notification.objects.filter(recipient=fern, kind=Kind.PEER_CHECK_IN).exists()
    return willow, fern


@pytest.mark.parametrize("posts", [PostsChoice.KEEP, PostsChoice.REMOVE])
def test_deleting_the_askers_account_deletes_the_request_and_what_the_helper_was_told(
    asked: tuple[User, User], posts: PostsChoice
) -> None:
    willow, fern = asked

    assert delete_account(willow.pk, posts=posts)

    assert peer_check_ins_export_for(fern) == {"you_asked": [], "you_were_asked": []}
    assert not Notification.objects.filter(recipient=fern, kind=Kind.PEER_CHECK_IN).exists()


def test_deleting_the_helpers_account_deletes_the_request_from_the_askers_data(
    asked: tuple[User, User],
) -> None:
    willow, fern = asked

    assert delete_account(fern.pk, posts=PostsChoice.KEEP)

    assert peer_check_ins_export_for(willow) == {"you_asked": [], "you_were_asked": []}
