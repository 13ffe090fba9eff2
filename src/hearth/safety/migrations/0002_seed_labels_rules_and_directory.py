"""Seed the default content-note labels, crisis rules and crisis directory (see data/)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from hearth.safety.data.seed_resources import (
        CHECKED_ON,
        CONTENT_NOTE_LABELS,
        EMERGENCY_NUMBERS,
        RESOURCES,
        STORED_COPY_NOTE,
    )
    from hearth.safety.default_crisis_rules import DEFAULT_RULES

    label_model = apps.get_model("safety", "ContentNoteLabel")
    for position, (slug, name, description) in enumerate(CONTENT_NOTE_LABELS):
        label_model.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    rule_model = apps.get_model("safety", "CrisisRule")
    for rule in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            language=rule.language,
            pattern=rule.pattern,
            defaults={"is_regex": rule.is_regex, "is_method": rule.is_method,
                      "description": rule.description},
        )
    number_model = apps.get_model("safety", "EmergencyNumber")
    for entry in EMERGENCY_NUMBERS:
        number_model.objects.get_or_create(
            country=entry["country"],
            defaults={"number": entry["number"], "source_url": entry["source_url"],
                      "verified_at": CHECKED_ON},
        )
    resource_model = apps.get_model("safety", "CrisisResource")
    for resource in RESOURCES:
        fields = {key: value for key, value in resource.items() if key not in {"country", "name"}}
        notes = " ".join(filter(None, [str(fields.pop("notes", "")), STORED_COPY_NOTE]))
        resource_model.objects.get_or_create(
            country=resource["country"],
            name=resource["name"],
            defaults={**fields, "notes": notes, "verified_at": CHECKED_ON},
        )


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
