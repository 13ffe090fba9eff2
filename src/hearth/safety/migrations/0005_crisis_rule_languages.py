"""A crisis rule's language is any language members write in (Django's list), no longer
the interface languages Hearth offers: withdrawing a translation keeps every rule."""

from django.db import migrations, models

import hearth.safety.models


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0004_crisis_rule_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="crisisrule",
            name="language",
            field=models.CharField(
                choices=hearth.safety.models.crisis_rule_languages,
                default="en",
                max_length=8,
                verbose_name="language",
            ),
        ),
    ]
