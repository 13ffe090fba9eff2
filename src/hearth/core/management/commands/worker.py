"""``hearth worker``: run background tasks (django-tasks-db's worker, every queue).

Runs until stopped (SIGTERM or Ctrl-C finish the task in hand first);
``--batch`` runs what is due and exits. Several workers may run at once: each
claims a task with ``SELECT ... FOR UPDATE SKIP LOCKED`` (a write lock on SQLite).
"""

from argparse import ArgumentParser

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run Hearth's background tasks (notifications, mail, ...) until stopped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Every queue, and no code reloading, unless asked.
        parser.set_defaults(queue_name="*", reload=False)
