"""Helpers for notification tests: run the worker's tasks, read what a member was told."""

from __future__ import annotations

from hearth.accounts.models import User
from hearth.core.tasks import run_due_tasks
from hearth.notifications.models import Notification


def deliver() -> None:
    """Run everything the worker would (fan-out, then the emails it enqueued)."""
    run_due_tasks()


def told(member: User, kind: str | None = None) -> list[Notification]:
    found = Notification.objects.filter(recipient=member).order_by("pk")
    if kind is not None:
        found = found.filter(kind=kind)
    return list(found)


def bell(member: User) -> int:
    member.refresh_from_db(fields=["unread_notifications"])
    return member.unread_notifications
