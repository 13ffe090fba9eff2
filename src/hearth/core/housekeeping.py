"""Periodic housekeeping (``hearth tick``, and every minute inside ``hearth worker``).

Apps register idempotent jobs in their ``AppConfig.ready`` (the digest, the end
of a member's break); ``run_housekeeping`` runs them all. Each returns how many
things it did, for the command's report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from hearth.core.cache_retention import forget_expired_cache_entries
from hearth.core.rate_counters import forget_expired_counters
from hearth.core.tasks import prune_finished_tasks, requeue_abandoned_tasks

logger = logging.getLogger(__name__)

Job = Callable[[], int]
_jobs: dict[str, Job] = {
    "requeued abandoned tasks": requeue_abandoned_tasks,
    "finished tasks pruned": prune_finished_tasks,
    "rate-limit counters forgotten": forget_expired_counters,
    "expired cache entries forgotten": forget_expired_cache_entries,
}


def register_housekeeping(description: str, job: Job) -> None:
    _jobs[description] = job


def run_housekeeping() -> dict[str, int]:
    """Run every job; one that fails is logged and the others still run."""
    done = {}
    for description, job in list(_jobs.items()):
        try:
            done[description] = job()
        except Exception:
            logger.exception("Housekeeping failed: %s", description)
    return done
