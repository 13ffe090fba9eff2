"""URL converters shared by every app's routes."""

from __future__ import annotations

from django.urls.converters import IntConverter


class IdConverter(IntConverter):
    """A row id: digits the database can hold. A longer number is a 404 like any missing
    id, never a 500 (SQLite refuses integers past 2**63 with OverflowError)."""

    regex = "[0-9]{1,18}"
