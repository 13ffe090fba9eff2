"""Reads: the guidelines in force, what a member has accepted, whether their welcome is due."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils.safestring import SafeString, mark_safe

from hearth.accounts.models import User
from hearth.core.text import RENDER_VERSION, RenderedText, render_markdown
from hearth.welcome.models import GuidelinesAcceptance, GuidelinesVersion, Welcome

# How long a process trusts the number of the newest version it read. A version published
# in another process reaches this one's members within this time; this process's own
# publications at once. Members whose session already holds that number cost no query.
CURRENT_NUMBER_SECONDS = 30.0


def render_guidelines(body: str) -> RenderedText:
    """The posts' pipeline (raw HTML off, sanitised); raises SourceTooLong over the limit."""
    return render_markdown(body, id_prefix="guidelines-")


def current_guidelines() -> GuidelinesVersion | None:
    """The version in force: the newest published."""
    return GuidelinesVersion.objects.order_by("-number").first()


def guidelines_html(version: GuidelinesVersion) -> SafeString:
    """The version's stored HTML; rendered again in memory if the pipeline has changed."""
    html = version.body_html
    if version.render_version != RENDER_VERSION:
        html = render_guidelines(version.body).html
    return mark_safe(html)  # noqa: S308 - sanitised by the text pipeline (nh3 allow-list)


@dataclass(frozen=True)
class Change:
    number: int
    published_at: datetime
    what_changed: str


def changes_after(number: int) -> list[Change]:
    """What changed in each version after ``number``, newest first."""
    rows = (
        GuidelinesVersion.objects.filter(number__gt=number)
        .order_by("-number")
        .values_list("number", "published_at", "what_changed")
    )
    return [Change(*row) for row in rows]


def accepted_number(member: User) -> int:
    """The newest version the member stands by (0: none).

    That is the newest they accepted. A member who never accepted any -- an account made
    by an administrator or an import rather than the sign-up form, or one made before any
    guidelines were published -- stands by the version that was in force when their account
    was made, and so by none if it was made before the first.
    """
    accepted = GuidelinesAcceptance.objects.filter(member=member).aggregate(
        newest=Max("version__number")
    )["newest"]
    if accepted is not None:
        return int(accepted)
    in_force = GuidelinesVersion.objects.filter(published_at__lte=member.date_joined).aggregate(
        newest=Max("number")
    )["newest"]
    return int(in_force or 0)


class _RememberedNumber:
    """The newest version's number, as this process last read it, and when."""

    def __init__(self) -> None:
        self.number: int | None = None
        self.read_at = 0.0

    def get(self, *, fresh: bool) -> int:
        now = time.monotonic()
        if fresh or self.number is None or now - self.read_at >= CURRENT_NUMBER_SECONDS:
            newest = GuidelinesVersion.objects.aggregate(newest=Max("number"))["newest"]
            self.number, self.read_at = int(newest or 0), now
        return self.number

    def forget(self) -> None:
        self.number = None


_remembered = _RememberedNumber()


def current_number(*, fresh: bool = False) -> int:
    """The number of the version in force (0: none yet), remembered for a few seconds;
    ``fresh`` reads it from the database."""
    return _remembered.get(fresh=fresh)


def forget_current_number() -> None:
    """Read the number again on next use (this process published a version)."""
    _remembered.forget()


def is_welcome_due(member: User) -> bool:
    """The member signed up through the form and has not seen the welcome page yet."""
    return Welcome.objects.filter(member=member, shown_at__isnull=True).exists()


def guidelines_record_of(member: User) -> dict[str, object]:
    """For the member's data export: which versions they accepted, when, and when they
    were shown the welcome page."""
    acceptances = (
        GuidelinesAcceptance.objects.filter(member=member)
        .order_by("accepted_at")
        .values_list("version__number", "accepted_at", "at_sign_up")
    )
    welcome = Welcome.objects.filter(member=member).first()
    return {
        "community_guidelines_accepted": [
            {"version": number, "accepted_at": accepted_at, "at_sign_up": at_sign_up}
            for number, accepted_at, at_sign_up in acceptances
        ],
        "welcome_page_shown_at": welcome.shown_at if welcome else None,
    }
