"""The toolkit's *Export and delete* page says what deleting the account does to the
toolkit, and the account deletion does exactly that (issue 18: "Deleting your account
also deletes all of it" did not say how, or when).

Like the other apps' tests, this one never imports the toolkit (CARE.md): it fills one
through ``toolkit_filler`` and counts its rows through the app registry.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from hearth.core.testing import ClientFor, FillToolkit, MakeMember
from hearth.member_data.deletion import delete_due_accounts, request_deletion
from hearth.member_data.models import AccountDeletion, PostsChoice

pytestmark = pytest.mark.django_db


def toolkit_rows_of(member_id: int) -> int:
    return sum(
        model._default_manager.filter(owner_id=member_id).count()
        for model in apps.get_app_config("between_sessions").get_models()
        if any(field.name == "owner" for field in model._meta.concrete_fields)
    )


@pytest.mark.parametrize(("grace_days", "when"), [(7, "7 days after you ask"), (1, "one day")])
def test_the_page_says_when_deleting_the_account_deletes_the_toolkit_and_it_does(
    make_member: MakeMember,
    client_for: ClientFor,
    toolkit_filler: FillToolkit,
    settings: Settings,
    grace_days: int,
    when: str,
) -> None:
    settings.HEARTH_ACCOUNT_DELETION_GRACE_DAYS = grace_days
    owner = make_member()
    toolkit_filler(owner, marker="mine")
    filled = toolkit_rows_of(owner.pk)

    page = client_for(owner).get(reverse("between_sessions:export")).content.decode()
    deletion = request_deletion(owner, posts=PostsChoice.KEEP)
    waited = deletion.due_at - deletion.requested_at
    # The days pass.
    AccountDeletion.objects.filter(pk=deletion.pk).update(due_at=timezone.now())
    delete_due_accounts()

    assert f'<a href="{reverse("member_data_deletion:delete_account")}">' in page
    assert "your toolkit is deleted with it" in page
    assert when in page
    assert abs(waited - timedelta(days=grace_days)) < timedelta(minutes=1)
    assert filled > 5
    assert toolkit_rows_of(owner.pk) == 0
