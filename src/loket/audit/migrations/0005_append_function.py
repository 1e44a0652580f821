"""The access log's append as one PostgreSQL function (see loket.audit.append_function)."""

from typing import Any

from django.db import migrations

from loket.audit.append_function import CREATE, DROP


def create_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_function(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_acting_grantor_actor_role")]

    operations = [migrations.RunPython(create_function, drop_function)]
