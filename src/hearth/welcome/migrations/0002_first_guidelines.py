"""Publish the first version of the community guidelines (data/first_guidelines.md)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from hearth.welcome.seeding import seed_first_guidelines

    seed_first_guidelines(versions=apps.get_model("welcome", "GuidelinesVersion"))


class Migration(migrations.Migration):
    dependencies = [("welcome", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
