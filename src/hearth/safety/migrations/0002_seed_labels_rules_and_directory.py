"""Seed the default content-note labels, crisis rules and crisis directory (see data/)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from hearth.safety.seeding import seed_defaults

    seed_defaults(
        labels=apps.get_model("safety", "ContentNoteLabel"),
        rules=apps.get_model("safety", "CrisisRule"),
        numbers=apps.get_model("safety", "EmergencyNumber"),
        resources=apps.get_model("safety", "CrisisResource"),
    )


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
