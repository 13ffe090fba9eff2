from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from hearth.core.cache_table import make_unlogged


def counters_unlogged(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # A counter's commit need not wait for the disk (core/rate_counters.py).
    make_unlogged(schema_editor.connection, "core_ratelimitcounter")


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="RateLimitCounter",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("count", models.PositiveIntegerField()),
                ("window_end", models.BigIntegerField(db_index=True)),
            ],
        ),
        migrations.RunPython(counters_unlogged, migrations.RunPython.noop, elidable=True),
    ]
