"""``hearth replay_deletions``: delete again the accounts deleted since a backup.

Run it after restoring a backup (``hearth restore`` does): the list of deleted
accounts lives outside the database (``HEARTH_DELETED_ACCOUNTS_FILE``), so a
restored database that still holds an account deleted since is cleaned again,
with the choice its member made for their posts. Safe to run any time.
"""

from typing import Any

from django.core.management.base import BaseCommand

from hearth.member_data.deletion import replay_deletions
from hearth.member_data.tombstones import recorded_deletions


class Command(BaseCommand):
    help = "Delete again every deleted account a restored database holds (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        recorded = len(recorded_deletions())
        deleted = replay_deletions()
        if options["verbosity"]:
            self.stdout.write(
                f"{recorded} deleted account(s) on record; {deleted} found again and deleted."
            )
