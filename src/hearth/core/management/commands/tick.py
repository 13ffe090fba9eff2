"""``hearth tick``: the periodic housekeeping, safe to run as often as you like.

Today it hands tasks a dead worker left "running" back to the queue. ``hearth
worker`` runs it every minute by itself; run it from cron or a systemd timer
when no worker is running.
"""

from typing import Any

from django.core.management.base import BaseCommand

from hearth.core.tasks import requeue_abandoned_tasks


class Command(BaseCommand):
    help = "Periodic housekeeping (idempotent): requeue tasks abandoned by a dead worker."

    def handle(self, *args: Any, **options: Any) -> None:
        requeued = requeue_abandoned_tasks()
        if options["verbosity"]:
            self.stdout.write(f"Requeued {requeued} abandoned task(s).")
