"""Writes: publishing a version of the guidelines, accepting one, signing up, the welcome."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from hearth.accounts.models import User
from hearth.welcome.models import GuidelinesAcceptance, GuidelinesVersion, Welcome
from hearth.welcome.selectors import forget_current_number, render_guidelines


def publish_guidelines(
    *, body: str, what_changed: str, published_by: User | None
) -> GuidelinesVersion:
    """Publish a new version, which every member is then asked to accept; the administrator
    who wrote it has accepted it. Raises SourceTooLong (before any write) over the limit."""
    rendered = render_guidelines(body)
    with transaction.atomic():
        # Versions are numbered 1, 2, 3...; two administrators publishing at once meet the
        # unique number, and the second is refused rather than numbered out of order.
        newest = GuidelinesVersion.objects.aggregate(newest=Max("number"))["newest"] or 0
        version = GuidelinesVersion.objects.create(
            number=newest + 1,
            body=body,
            body_html=rendered.html,
            render_version=rendered.version,
            what_changed=what_changed.strip(),
            published_by=published_by,
        )
        if published_by is not None:
            accept_guidelines(member=published_by, version=version)
        transaction.on_commit(forget_current_number)
    forget_current_number()
    return version


def accept_guidelines(
    *, member: User, version: GuidelinesVersion, at_sign_up: bool = False
) -> GuidelinesAcceptance:
    """Record that the member read and accepted this version; accepting it again (a form
    sent twice) keeps the first record."""
    try:
        with transaction.atomic():
            acceptance, _created = GuidelinesAcceptance.objects.get_or_create(
                member=member,
                version=version,
                defaults={"accepted_at": timezone.now(), "at_sign_up": at_sign_up},
            )
    except IntegrityError:  # the same member accepting in two tabs at once
        acceptance = GuidelinesAcceptance.objects.get(member=member, version=version)
    return acceptance


@transaction.atomic
def record_sign_up(*, member: User, accepted: GuidelinesVersion | None) -> None:
    """A member signed up through the form: the version they accepted there (None when no
    guidelines are published yet), and a welcome page owed to them."""
    if accepted is not None:
        accept_guidelines(member=member, version=accepted, at_sign_up=True)
    Welcome.objects.get_or_create(member=member)


def mark_welcome_shown(*, member: User) -> bool:
    """The member has seen their welcome page; True the first time only."""
    return bool(
        Welcome.objects.filter(member=member, shown_at__isnull=True).update(shown_at=timezone.now())
    )
