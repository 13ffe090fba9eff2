"""``hearth tick``: the periodic housekeeping, safe to run as often as you like.

It hands tasks a dead worker left "running" back to the queue, prunes finished
task results, enqueues the digests that are due, ends members' notification
breaks, deletes accounts whose waiting days are over and expired data exports
(``hearth.core.housekeeping``; each app registers its own jobs). ``hearth worker``
runs it every minute by itself; run it from cron or a systemd timer when no
worker is running.
"""

from typing import Any

from django.core.management.base import BaseCommand

from hearth.core.housekeeping import run_housekeeping


class Command(BaseCommand):
    help = "Periodic housekeeping (idempotent): tasks, digests, breaks, deletions, exports."

    def handle(self, *args: Any, **options: Any) -> None:
        done = run_housekeeping()
        if options["verbosity"]:
            for description, count in done.items():
                self.stdout.write(f"{description}: {count}")
