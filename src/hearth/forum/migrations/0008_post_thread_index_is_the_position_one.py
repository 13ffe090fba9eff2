"""Post.thread loses its own index: unique_post_position (thread, position) serves every
lookup by thread, and with both PostgreSQL read a page of a long thread by scanning all
its posts. Only the index is dropped (SQLite would otherwise copy the whole table)."""

import django.db.models.deletion
from django.db import migrations, models

THREAD_INDEX = "forum_post_thread_id_f9fa0a56"  # the name Django gave it (0001)


class Migration(migrations.Migration):
    dependencies = [
        ("forum", "0007_edit_drafts_and_revision_titles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="post",
                    name="thread",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="posts",
                        to="forum.thread",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{THREAD_INDEX}"',
                    reverse_sql=f'CREATE INDEX "{THREAD_INDEX}" ON "forum_post" ("thread_id")',
                ),
            ],
        ),
    ]
