"""Only languages with a complete catalogue are offered (docs/translating.md): Spanish,
French and Dutch are withdrawn until they have one. Their members read the site's
default language, as they mostly did (those pages were half English), and may choose
again in their settings. The choices become a callable, so the list of languages lives
in the settings, never in a migration."""

from django.apps.registry import Apps
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

import hearth.accounts.models

WITHDRAWN = ["es", "fr", "nl"]


def move_withdrawn_languages_to_the_default(
    apps: Apps, schema_editor: BaseDatabaseSchemaEditor
) -> None:
    members = apps.get_model("accounts", "User")
    members.objects.filter(language__in=WITHDRAWN).update(language=settings.LANGUAGE_CODE)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_time_to_reconsider"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="language",
            field=models.CharField(
                choices=hearth.accounts.models.language_choices,
                default="en",
                max_length=8,
                verbose_name="language",
            ),
        ),
        # Nothing to undo: the members' earlier choice is not kept.
        migrations.RunPython(move_withdrawn_languages_to_the_default, migrations.RunPython.noop),
    ]
