"""Refuse to run with keys that cannot read the private text already stored.

A lost key file used to be replaced silently by a new key: every page that
showed private text answered 500, and text written meanwhile was encrypted
with a key the restored one could not read. Now a new key is only made when the
database holds no encrypted value at all (a fresh install, normally by
``hearth init``), and ``hearth serve``, ``live`` and ``worker`` check at start
that the configured keys decrypt a sample of what is stored: the newest value
of every encrypted column, so a wrong key file or ``HEARTH_TOOLKIT_KEYS`` is
found before the first member meets it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core import checks
from django.core.management.base import CommandError
from django.db import DatabaseError, connections, models, router, transaction

from hearth.core import encryption
from hearth.core.encrypted_fields import EncryptedJSONField, EncryptedTextField


def encrypted_columns() -> list[tuple[type[models.Model], models.Field[Any, Any]]]:
    """Every (model, field) whose values are encrypted at rest."""
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField | EncryptedJSONField)
    ]


def _newest_tokens() -> list[tuple[str, str]]:
    """The newest stored token of each encrypted column, as (label, token).

    Raw column values (nothing is decrypted here); a table that does not exist
    yet (before ``migrate``) has none. Each read is in its own savepoint, so a
    missing table never spoils a transaction this runs inside.
    """
    tokens = []
    for model, field in encrypted_columns():
        database = router.db_for_read(model)
        connection = connections[database]
        quote = connection.ops.quote_name
        column = quote(field.column or field.name)
        primary_key = quote((model._meta.pk.column if model._meta.pk else None) or "id")
        sql = (
            f"SELECT {column} FROM {quote(model._meta.db_table)} "  # noqa: S608 - names from models
            f"WHERE {column} IS NOT NULL AND {column} <> '' ORDER BY {primary_key} DESC LIMIT 1"
        )
        try:
            with transaction.atomic(using=database), connection.cursor() as cursor:
                cursor.execute(sql)
                row = cursor.fetchone()
        except DatabaseError:
            continue
        if row is not None:
            tokens.append((f"{model._meta.label}.{field.name}", str(row[0])))
    return tokens


def database_holds_encrypted_text() -> bool:
    """Whether any encrypted column holds a value (a lost key would lose it)."""
    return bool(_newest_tokens())


def why_keys_cannot_serve() -> str | None:
    """Say why the configured keys cannot read what is stored, or None when they can."""
    tokens = _newest_tokens()
    if not tokens:
        return None
    if not encryption.keys_come_from_environment() and not encryption.key_file_path().exists():
        return encryption.missing_key_file_message()
    try:
        keys = encryption.current_keys()
    except encryption.ToolkitKeyError as error:
        return str(error)
    for label, token in tokens:
        if not encryption.can_decrypt(token, keys):
            source = (
                "HEARTH_TOOLKIT_KEYS"
                if encryption.keys_come_from_environment()
                else f"the key file {encryption.key_file_path()}"
            )
            return (
                f"The toolkit keys in {source} cannot decrypt the private text stored in "
                f"{label}: they are not the keys this database was written with. Put the "
                "right keys back (from the backup made with this database); Hearth will not "
                "start with keys that would make members' private text unreadable."
            )
    return None


@checks.register(checks.Tags.database)
def check_keys_read_stored_text(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Error when the keys cannot read the stored private text (``check --database``)."""
    if not kwargs.get("databases"):
        return []
    problem = why_keys_cannot_serve()
    if problem is None:
        return []
    return [
        checks.Error(
            problem,
            hint="See docs/deploying.md, 'Backups', for restoring the key file.",
            id="core.E101",
        )
    ]


def refuse_to_start_with_unreadable_keys() -> None:
    """Raise CommandError with the reason when the keys cannot read stored private text.

    Called first by ``hearth serve``, ``live`` and ``worker``: failing at start
    with a message beats a 500 on every private page and text written with a
    key nothing else has.
    """
    if (problem := why_keys_cannot_serve()) is not None:
        raise CommandError(problem)
