"""A break now pauses the whole forum, so every request must know of it without a
query: it moves from the notification settings to the member's row
(``User.break_until``). Breaks in force are carried over; ended ones are dropped."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone


def carry_breaks_over(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    settings_model = apps.get_model("notifications", "NotificationSettings")
    member_model = apps.get_model("accounts", "User")
    in_force = settings_model.objects.filter(paused_until__gt=timezone.now())
    for member_id, until in in_force.values_list("member_id", "paused_until"):
        member_model.objects.filter(pk=member_id).update(break_until=until)


def carry_breaks_back(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    settings_model = apps.get_model("notifications", "NotificationSettings")
    member_model = apps.get_model("accounts", "User")
    resting = member_model.objects.filter(break_until__gt=timezone.now())
    for member_id, until in resting.values_list("pk", "break_until"):
        settings_model.objects.update_or_create(
            member_id=member_id, defaults={"paused_until": until}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_muted_words_and_breaks"),
        ("notifications", "0003_alter_notification_kind_peer_check_in"),
    ]

    operations = [
        migrations.RunPython(carry_breaks_over, carry_breaks_back),
        migrations.RemoveField(model_name="notificationsettings", name="paused_until"),
    ]
