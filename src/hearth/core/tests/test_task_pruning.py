"""Finished tasks keep their arguments (emails' addresses and text): housekeeping prunes
them once they are no longer needed to look into a failure."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hearth.core.mail_tasks import send_mail_message
from hearth.core.tasks import prune_finished_tasks

pytestmark = pytest.mark.django_db


def _task(status: TaskResultStatus, finished_ago: timedelta | None) -> None:
    result = send_mail_message.enqueue(
        subject="Hello", body="Text", from_email="a@example.org", to=["b@example.org"]
    )
    finished_at = None if finished_ago is None else timezone.now() - finished_ago
    DBTaskResult.objects.filter(pk=result.id).update(status=status, finished_at=finished_at)


def test_finished_tasks_are_pruned_after_their_keeping_time() -> None:
    hours, days = timedelta(hours=1), timedelta(days=1)
    _task(TaskResultStatus.SUCCESSFUL, 2 * days)  # pruned
    _task(TaskResultStatus.SUCCESSFUL, hours)
    _task(TaskResultStatus.FAILED, 8 * days)  # pruned
    _task(TaskResultStatus.FAILED, 2 * days)
    _task(TaskResultStatus.READY, None)

    assert prune_finished_tasks() == 2
    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == [
        TaskResultStatus.FAILED,
        TaskResultStatus.READY,
        TaskResultStatus.SUCCESSFUL,
    ]
