"""``hearth rotate_toolkit_key``: a new key for the private text encrypted at rest.

That is the toolkit's text and members' private conversations: every model
with an encrypted field (``hearth.core.encrypted_fields``). By default (key
file in the data directory): put a new key first in the file, then
re-encrypt every such row with it. Older keys stay in the file,
so anything not yet re-encrypted (or in a backup) stays readable.

With ``HEARTH_TOOLKIT_KEYS`` the operator owns the keys: print a new one with
``--generate``, put it first in the variable, restart, then run
``--reencrypt``. Remove old keys (``--retire-old-keys`` for the file) only
after every process has restarted and the re-encryption finished.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hearth.core import encryption
from hearth.core.encrypted_fields import EncryptedJSONField, EncryptedTextField

BATCH_SIZE = 500


class Command(BaseCommand):
    help = (
        "Rotate the key that encrypts private text (the toolkit, conversations) and re-encrypt "
        "every row. "
        "Old keys are kept, so nothing becomes unreadable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--generate",
            action="store_true",
            help="Print a new key for HEARTH_TOOLKIT_KEYS and change nothing.",
        )
        group.add_argument(
            "--reencrypt",
            action="store_true",
            help="Re-encrypt every row with the current key without adding a key.",
        )
        group.add_argument(
            "--retire-old-keys",
            action="store_true",
            help="Re-encrypt every row, then keep only the current key in the key file.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            self.stdout.write(encryption.generate_key())
            return
        try:
            if not options["reencrypt"] and not options["retire_old_keys"]:
                encryption.add_current_key_to_file()
                self.stdout.write(f"Added a new current key to {encryption.key_file_path()}.")
            rows = reencrypt_all_rows()
            self.stdout.write(f"Re-encrypted {rows} toolkit rows with the current key.")
            if options["retire_old_keys"]:
                removed = encryption.retire_old_keys_in_file()
                self.stdout.write(f"Removed {removed} old keys from the key file.")
        except encryption.ToolkitKeyError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS("Done. Back up the key file (or variable) now."))


def reencrypt_all_rows() -> int:
    """Read every encrypted row with any known key and write it back with the current one."""
    encryption.reset_cache()
    total = 0
    for model in apps.get_models():
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField | EncryptedJSONField)
        ]
        if not fields:
            continue  # nothing encrypted in this model (dates and flags only)
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    model._default_manager.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")[:BATCH_SIZE]
                )
                if not batch:
                    break
                model._default_manager.bulk_update(batch, fields)
            total += len(batch)
            last_pk = batch[-1].pk
    return total
