"""Crisis rules get a name moderators read in the queue instead of the pattern; the
default rules are named here (rules an administrator added are named in the admin)."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def name_default_rules(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from hearth.safety.seeding import name_default_rules as name_them

    name_them(rules=apps.get_model("safety", "CrisisRule"))


class Migration(migrations.Migration):
    dependencies = [("safety", "0003_message_queue_items")]

    operations = [
        migrations.AddField(
            model_name="crisisrule",
            name="name",
            field=models.CharField(
                default="",
                help_text="A few plain words moderators see in the queue, e.g. 'Wanting to die'.",
                max_length=80,
                verbose_name="name",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(name_default_rules, migrations.RunPython.noop),
    ]
