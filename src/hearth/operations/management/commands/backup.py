"""``hearth backup PATH``: one archive of the database, media, tombstones and sealed keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hearth.operations.backup import create_backup
from hearth.operations.database_copy import DatabaseCopyError
from hearth.operations.progress import Progress
from hearth.operations.sealing import PassphraseError, read_passphrase


class Command(BaseCommand):
    help = (
        "Back up the database (consistent while serving), media, deleted-account list and "
        "toolkit keys (sealed with a passphrase) into one archive."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The archive to write, e.g. hearth-2026-12-05.tar.gz.")
        parser.add_argument(
            "--passphrase-file",
            help="File holding the passphrase that seals the keys "
            "(or set HEARTH_BACKUP_PASSPHRASE). Without one the keys are left out.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = Progress(quiet=options["verbosity"] == 0)
        try:
            passphrase = read_passphrase(options["passphrase_file"])
            summary = create_backup(Path(options["path"]), passphrase=passphrase, progress=progress)
        except (PassphraseError, DatabaseCopyError, OSError) as error:
            raise CommandError(f"Backup failed, no archive written: {error}") from error
        keys = "keys sealed" if summary.keys_included else "keys NOT included"
        self.stdout.write(
            f"{summary.path} ({summary.size:,} bytes; {summary.media_files} media files; {keys})"
        )
