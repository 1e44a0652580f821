"""Append-only triggers on the log tables, and the single row that serialises appends."""

from typing import Any

from django.db import migrations

from loket.audit.immutability import create_triggers_sql, drop_triggers_sql


def create_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in create_triggers_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop_triggers(apps: Any, schema_editor: Any) -> None:
    for statement in drop_triggers_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def create_state(apps: Any, schema_editor: Any) -> None:
    apps.get_model("audit", "LogState").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(create_state, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
