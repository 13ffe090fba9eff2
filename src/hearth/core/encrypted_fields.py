"""Model fields whose values are encrypted before they reach the database.

The database column holds a Fernet token (see ``encryption.py``); the model
attribute holds the plain value. Tokens differ on every save, so these
fields cannot be searched, filtered or indexed - by design: nothing should
ever look inside a member's toolkit except the member.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Combinable, Expression
from django.db.models.lookups import IsNull, Lookup

from hearth.core.encryption import decrypt_text, encrypt_text


class EncryptedTextField(models.TextField[str | Combinable, str]):
    """Text encrypted at rest. The empty string is stored as is (it reveals no text)."""

    _pyi_private_set_type: str | Combinable
    _pyi_private_get_type: str

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> str | None:
        if not value:
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value or not isinstance(value, str):
            return value
        return encrypt_text(value)

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        # Only "is it empty?" makes sense for a value that is never stored in the clear.
        return IsNull if lookup_name == "isnull" else None


class EncryptedJSONField(models.TextField[Any, Any]):
    """A JSON value (list or dict) encrypted at rest, stored as one token."""

    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None:
            return None
        if not value:
            return self._empty()
        return json.loads(decrypt_text(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return encrypt_text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))

    def value_to_string(self, obj: models.Model) -> str:
        return json.dumps(self.value_from_object(obj))

    def get_lookup(self, lookup_name: str) -> type[Lookup[Any]] | None:
        return IsNull if lookup_name == "isnull" else None

    def _empty(self) -> Any:
        return self.get_default()
