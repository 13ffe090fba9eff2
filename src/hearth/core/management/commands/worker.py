"""``hearth worker``: run background tasks (django-tasks-db's worker, every queue).

Runs until stopped (SIGTERM or Ctrl-C finish the task in hand first);
``--batch`` runs what is due and exits. Several workers may run at once: each
claims a task with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a write lock on SQLite).
Every minute it also runs ``hearth tick``'s housekeeping, so a task left "running"
by a worker that was killed is run again.
"""

import logging
import threading
from argparse import ArgumentParser
from typing import Any

from django.db import DatabaseError, connection
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from hearth.core.housekeeping import run_housekeeping
from hearth.core.key_safety import refuse_to_start_with_unreadable_keys

logger = logging.getLogger(__name__)
TICK_SECONDS = 60


class Command(DatabaseWorkerCommand):
    help = "Run Hearth's background tasks (notifications, mail, ...) until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Every queue, and no code reloading, unless asked.
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        refuse_to_start_with_unreadable_keys()
        if not options.get("batch"):
            threading.Thread(target=_tick_every_minute, name="hearth-tick", daemon=True).start()
        super().handle(*args, **options)


def _tick_every_minute() -> None:
    stop = threading.Event()
    while not stop.wait(TICK_SECONDS):
        try:
            run_housekeeping()
        except DatabaseError:
            logger.warning("The worker's housekeeping could not reach the database")
        finally:
            connection.close()  # this thread's own connection; a new one next minute
