"""``hearth restore PATH``: check an archive, then put it in place of the current data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.operations.database_copy import DatabaseCopyError
from hearth.operations.progress import Progress
from hearth.operations.restore import RestoreRefusedError, restore_backup
from hearth.operations.sealing import PassphraseError, read_passphrase


class Command(BaseCommand):
    help = (
        "Restore a `hearth backup` archive into the configured database and data directory "
        "(checked first; stop the site before)."
    )
    # The system checks would read the database being replaced; init checks afterwards.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The archive `hearth backup` wrote.")
        parser.add_argument(
            "--passphrase-file",
            help="File holding the passphrase the keys were sealed with "
            "(or set HEARTH_BACKUP_PASSPHRASE).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds members.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = Progress(quiet=options["verbosity"] == 0)
        try:
            passphrase = read_passphrase(options["passphrase_file"])
            summary = restore_backup(
                Path(options["path"]),
                passphrase=passphrase,
                force=options["force"],
                progress=progress,
            )
        except (RestoreRefusedError, PassphraseError) as error:
            raise CommandError(f"Restore refused, nothing was changed: {error}") from error
        except DatabaseCopyError as error:
            raise CommandError(f"Restore failed: {error}") from error
        self.stdout.write(
            f"Restored: {summary.media_files} media files; "
            f"{summary.deletions_replayed} deletions replayed."
        )
        if summary.key_problem:
            raise CommandError(summary.key_problem)
