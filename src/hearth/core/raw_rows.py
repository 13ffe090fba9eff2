"""Columns of a model read with hand-written SQL, converted the way the ORM converts them.

The busiest pages run the same few queries on every request. Building them
with the ORM costs more than running them (a thread page spent about a
millisecond compiling SQL), so those queries are written once as SQL; this
module keeps them portable: it names the columns from the model's metadata
and applies each field's own converters (time zones, booleans, JSON) exactly
as the ORM's compiler does, on SQLite and PostgreSQL alike. The queries run
on the database a router picks for reading their model (``fetch_rows``), with
named parameters, like the ORM's own reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model
from django.db.models.expressions import Col

Converter = Any  # (value, expression, connection) -> value, as the ORM calls them
Params = Mapping[str, Any]  # named parameters: %(name)s in the SQL


def read_alias(model: type[Model]) -> str:
    """The database the router picks for reading ``model`` (a replica, when one is set up)."""
    return router.db_for_read(model) or DEFAULT_DB_ALIAS


def fetch_rows(model: type[Model], sql: str, params: Params) -> tuple[list[tuple[Any, ...]], str]:
    """Run a hand-written read of ``model``'s table on the database the router picks for
    it; return the rows and that database's alias (for ``ModelColumns``' converters).

    Parameters are named (``%(thread)s``), so a query built from several parts
    cannot pass them in the wrong order.
    """
    alias = read_alias(model)
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall(), alias


def fetch_one(model: type[Model], sql: str, params: Params) -> tuple[tuple[Any, ...] | None, str]:
    """``fetch_rows`` for a query of at most one row."""
    rows, alias = fetch_rows(model, sql, params)
    return (rows[0] if rows else None), alias


class ModelColumns:
    """Some columns of one model, as ``alias.column`` SQL and as converted Python values."""

    def __init__(self, model: type[Model], field_names: Sequence[str], alias: str) -> None:
        self.model = model
        wanted = {model._meta.get_field(name) for name in field_names}
        # In the model's own field order: Model.from_db fills fields in that order.
        self.fields: list[Field[Any, Any]] = [
            field for field in model._meta.concrete_fields if field in wanted
        ]
        if len(self.fields) != len(wanted):
            raise ValueError(f"not concrete columns of {model.__name__}: {field_names}")
        self.alias = alias
        self.attnames = [field.attname for field in self.fields]
        self.sql = ", ".join(f'{alias}."{field.column}"' for field in self.fields)
        self._converters: dict[str, list[tuple[int, list[Converter], Col]]] = {}

    @classmethod
    def every(cls, model: type[Model], alias: str) -> ModelColumns:
        """All of the model's columns."""
        return cls(model, [field.name for field in model._meta.concrete_fields], alias)

    def __len__(self) -> int:
        return len(self.fields)

    def _converters_for(
        self, connection: BaseDatabaseWrapper
    ) -> list[tuple[int, list[Converter], Col]]:
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            for index, field in enumerate(self.fields):
                column = field.get_col(self.alias)
                converters = connection.ops.get_db_converters(column) + column.get_db_converters(
                    connection
                )
                if converters:
                    found.append((index, converters, column))
            self._converters[connection.alias] = found
        return found

    def values(self, row: Sequence[Any], start: int = 0, using: str = "default") -> list[Any]:
        """This model's values from ``row[start:]``, converted."""
        return self.values_of([row], start, using)[0]

    def values_of(
        self, rows: Sequence[Sequence[Any]], start: int = 0, using: str = "default"
    ) -> list[list[Any]]:
        """``values()`` of every row of a query (the connection and converters found once)."""
        connection = connections[using]
        converters = self._converters_for(connection)
        end = start + len(self.fields)
        converted = []
        for row in rows:
            values = list(row[start:end])
            for index, functions, column in converters:
                value = values[index]
                for function in functions:
                    value = function(value, column, connection)
                values[index] = value
            converted.append(values)
        return converted

    def instance(self, row: Sequence[Any], start: int = 0, using: str = "default") -> Any:
        """A model instance (the other fields deferred), as ``QuerySet.only()`` would build."""
        return self.model.from_db(using, self.attnames, self.values(row, start, using))
