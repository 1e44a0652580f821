"""Insert a row unless a unique constraint already holds it, in one statement.

"Once per event" rows (a notice per event key, a task per dedupe key) used to be inserted in a
savepoint so that the unique constraint's refusal could be caught without aborting the
request's transaction: three round trips (``SAVEPOINT``, ``INSERT``, ``RELEASE``) and the
exception machinery for one row. ``INSERT … ON CONFLICT (key) DO NOTHING RETURNING pk`` says
the same in one statement on PostgreSQL and on SQLite (3.35+), and only a conflict on that one
key is let through: another unique column's conflict, a missing value or a failed check still
raises, as ``save()`` would.

The SQL is the ORM's own insert (defaults, ``pre_save`` such as ``auto_now_add``, the fields'
conversions to the database), with the conflict clause put before its ``RETURNING``. As with
``bulk_create``, no ``pre_save``/``post_save`` signal is sent.
"""

from __future__ import annotations

from django.db import connections
from django.db.models import Field, Model
from django.db.models.sql import InsertQuery


def insert_unless_taken(instance: Model, key: str, using: str = "default") -> bool:
    """Insert ``instance`` (not saved yet) and set its primary key: True. When a row already
    holds its value of the unique field ``key``, insert nothing: False. A conflict on any other
    unique column (the primary key, say, after a restore left its sequence behind) still
    raises ``IntegrityError``, as ``save()`` would."""
    meta = instance._meta
    field = meta.get_field(key)
    if not isinstance(field, Field) or not field.unique or field.primary_key:
        raise ValueError(f"insert_unless_taken: {meta.label}.{key} is not a unique field")
    if not instance._state.adding:
        raise ValueError(f"insert_unless_taken: this {meta.label} is already saved")
    connection = connections[using]
    # One table, and nothing but the primary key for the database to give back: a model with
    # parents (several tables) or with values the database computes is saved by save().
    if meta.parents or meta.db_returning_fields != [meta.pk]:
        raise NotImplementedError(f"insert_unless_taken: {meta.label} needs save()")
    columns = [
        column
        for column in meta.local_concrete_fields
        if not column.generated and not (column is meta.auto_field and instance.pk is None)
    ]
    query = InsertQuery(meta.model)
    query.insert_values(columns, [instance])
    compiler = query.get_compiler(using=using)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    returning, _ = connection.ops.return_insert_columns([meta.pk])  # type: ignore[attr-defined]
    if not returning or not sql.endswith(returning):
        raise NotImplementedError(f"insert_unless_taken: no RETURNING on {connection.vendor}")
    target = connection.ops.quote_name(field.column or key)
    sql = f"{sql[: -len(returning)]}ON CONFLICT ({target}) DO NOTHING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    [pk] = row
    pk_column = meta.pk.get_col(meta.db_table)
    for convert in [
        *connection.ops.get_db_converters(pk_column),
        *meta.pk.get_db_converters(connection),
    ]:
        pk = convert(pk, pk_column, connection)
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using
    return True
