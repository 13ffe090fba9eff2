"""The default labels, crisis rules and crisis directory (see data/), as one function.

The data migration calls it with historical models; tests call it with the
real ones to restore the defaults after a transactional test flushed them.
"""

from __future__ import annotations

from typing import Any

from hearth.safety.data.seed_resources import (
    CHECKED_ON,
    CONTENT_NOTE_LABELS,
    EMERGENCY_NUMBERS,
    RESOURCES,
    STORED_COPY_NOTE,
)
from hearth.safety.default_crisis_rules import DEFAULT_RULES


def seed_defaults(*, labels: Any, rules: Any, numbers: Any, resources: Any) -> None:
    """Create whatever of the defaults is missing; existing rows are left alone."""
    for position, (slug, name, description) in enumerate(CONTENT_NOTE_LABELS):
        labels.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    # Migration 0002 runs this before rules had a name (0004 adds it and names them).
    has_names = any(field.name == "name" for field in rules._meta.get_fields())
    for rule in DEFAULT_RULES:
        rules.objects.get_or_create(
            language=rule.language,
            pattern=rule.pattern,
            defaults={
                "is_regex": rule.is_regex,
                "is_method": rule.is_method,
                "description": rule.description,
                **({"name": rule.name} if has_names else {}),
            },
        )
    for entry in EMERGENCY_NUMBERS:
        numbers.objects.get_or_create(
            country=entry["country"],
            defaults={
                "number": entry["number"],
                "source_url": entry["source_url"],
                "verified_at": CHECKED_ON,
            },
        )
    for resource in RESOURCES:
        fields = {key: value for key, value in resource.items() if key not in {"country", "name"}}
        notes = " ".join(filter(None, [str(fields.pop("notes", "")), STORED_COPY_NOTE]))
        resources.objects.get_or_create(
            country=resource["country"],
            name=resource["name"],
            defaults={**fields, "notes": notes, "verified_at": CHECKED_ON},
        )


def name_default_rules(*, rules: Any) -> None:
    """Give the default rules their names where an administrator has not named them."""
    for rule in DEFAULT_RULES:
        rules.objects.filter(language=rule.language, pattern=rule.pattern, name="").update(
            name=rule.name
        )
