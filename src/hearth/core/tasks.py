"""Background work: Django's tasks framework on the database backend (django-tasks-db).

``hearth worker`` runs the tasks (``manage.py db_worker`` underneath). Tasks are
enqueued with an ORM insert, so one enqueued inside a transaction commits or
rolls back with it. django-tasks-db has no retries of its own:
``background_task`` adds them, with exponential backoff: a failing attempt is
recorded as failed (the administrator sees it, with its traceback, under
"Task results" in the admin) and the next attempt is enqueued to run later,
until ``max_attempts``. Task functions must be idempotent: a retry, or a
worker killed mid-task and its task re-run, runs them again.
"""

from __future__ import annotations

import functools
import logging
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.tasks import Task, task
from django.utils import timezone

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 6
# A task still "running" this long after it started lost its worker (killed, or the
# machine restarted): it is handed to another worker. Hearth's tasks take seconds.
ABANDONED_AFTER = timedelta(minutes=15)
FIRST_RETRY_AFTER = timedelta(seconds=15)
LONGEST_WAIT = timedelta(hours=1)


def retry_delay(attempt: int, first: timedelta = FIRST_RETRY_AFTER) -> timedelta:
    """How long to wait before attempt ``attempt + 1``: doubling, capped, with jitter so
    tasks that failed together (an SMTP outage) do not retry together."""
    base: timedelta = min(first * 2 ** (attempt - 1), LONGEST_WAIT)
    jitter = 0.75 + random.random() / 2  # noqa: S311 - spreading retries, not secrecy
    return base * jitter


def background_task(
    *, max_attempts: int = DEFAULT_MAX_ATTEMPTS, first_retry_after: timedelta = FIRST_RETRY_AFTER
) -> Callable[[Callable[..., Any]], Task[..., Any]]:
    """Make ``function`` a task that is retried with backoff when it raises.

    Its arguments must be JSON values. The attempt number travels as the
    ``attempt`` keyword, which the function itself never sees.
    """

    def decorate(function: Callable[..., Any]) -> Task[..., Any]:
        @functools.wraps(function)
        def run(*args: Any, attempt: int = 1, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except Exception:
                if attempt >= max_attempts:
                    logger.exception(
                        "%s failed for good after %s attempts", function.__qualname__, attempt
                    )
                    raise
                later = timezone.now() + retry_delay(attempt, first_retry_after)
                the_task.using(run_after=later).enqueue(*args, attempt=attempt + 1, **kwargs)
                logger.warning(
                    "%s failed (attempt %s of %s); trying again at %s",
                    function.__qualname__, attempt, max_attempts, later.isoformat(),
                )  # fmt: skip
                raise

        the_task: Task[..., Any] = task(run)
        return the_task

    return decorate


def run_due_tasks(limit: int = 1000) -> int:
    """Run the tasks that are due now, in this process, one by one; return how many ran.

    What ``hearth worker --batch`` does, without closing database connections
    between tasks, so tests (inside a transaction) can run what a write enqueued.
    """
    from django_tasks_db.management.commands.db_worker import Worker  # noqa: PLC0415
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="in-process",
        excluded_queue_names=[],
    )
    ran = 0
    while ran < limit:
        found = (
            DBTaskResult.objects.ready()
            .filter(backend_name="default")
            .order_by("-priority", "run_after", "enqueued_at")
            .first()
        )
        if found is None:
            break
        found.claim(worker.worker_id)
        worker.run_task(found)
        ran += 1
    return ran


def requeue_abandoned_tasks(older_than: timedelta = ABANDONED_AFTER) -> int:
    """Make tasks that a dead worker left "running" ready to run again; return how many.

    django-tasks-db marks a task running when a worker claims it and has no lease:
    a worker killed mid-task would leave it so forever. Tasks are idempotent, so
    running one again is safe.
    """
    from django.tasks import TaskResultStatus  # noqa: PLC0415
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    abandoned = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=timezone.now() - older_than
    )
    count = abandoned.update(status=TaskResultStatus.READY, started_at=None)
    if count:
        logger.warning("Handed %s abandoned task(s) to the next worker", count)
    return count


# Finished tasks keep their arguments (an email's address and text among them):
# kept only long enough to look into a failure, then pruned by housekeeping.
KEEP_SUCCESSFUL_TASKS = timedelta(days=1)
KEEP_FAILED_TASKS = timedelta(days=7)


def prune_finished_tasks() -> int:
    """Delete finished task results past their keeping time; return how many."""
    from django.tasks import TaskResultStatus  # noqa: PLC0415
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    now = timezone.now()
    successful = DBTaskResult.objects.filter(
        status=TaskResultStatus.SUCCESSFUL, finished_at__lt=now - KEEP_SUCCESSFUL_TASKS
    )
    failed = DBTaskResult.objects.filter(
        status=TaskResultStatus.FAILED, finished_at__lt=now - KEEP_FAILED_TASKS
    )
    return successful.delete()[0] + failed.delete()[0]
