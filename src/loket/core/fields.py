"""Model fields that keep identifiers and secrets encrypted at rest, identifiers findable
through a blind index.

``EncryptedIdentifierField`` stores ``v1:<key id>:<sealed text>`` (see ``core.crypto``) and reads
back the plain value, so ``user.national_number`` is the number in Python and ciphertext in the
database. ``BlindIndexField(source=...)`` holds the keyed HMAC of that value, recomputed on every
save; an exact lookup on the encrypted field (``filter(national_number=n)``, also across joins:
``grantor__national_number=n``) is translated into a lookup on its index, so no code path
silently compares a number with a ciphertext. Any other lookup (contains, in, startswith...) is
refused: it cannot work on ciphertext. ``EncryptedField`` (the base) seals a text that is never
looked up, such as a webhook endpoint's signing secret.

``QuerySet.update()`` bypasses ``save()`` and therefore the index: set encrypted values through
``save()``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection, models, transaction
from django.db.models.expressions import Col
from django.db.models.lookups import IsNull, Lookup

from loket.core import crypto


class EncryptedField(models.CharField):
    """A text sealed with AES-256-GCM, bound to its table and column (e.g. a webhook secret).

    It cannot be looked up by value (only ``isnull``): the ciphertext of the same text differs
    every time. Identifiers that must be found use :class:`EncryptedIdentifierField`.
    """

    description = "A text encrypted at rest"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    @property
    def context(self) -> str:
        """The associated data: a value only decrypts in the column it was written to."""
        return column_context(self.model._meta.db_table, str(self.column))

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value:
            return value
        return crypto.decrypt(value, self.context)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value  # absent stays visibly absent: nothing to protect
        return crypto.encrypt(str(value), self.context)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: only isnull works, "
            f"not {lookup_name!r}"
        )

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedIdentifierField(EncryptedField):
    """An identifier sealed with AES-256-GCM, found by exact value through its blind index."""

    description = "An identifier encrypted at rest"

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return BlindIndexExact
        if lookup_name == "isnull":
            return IsNull
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted: only exact lookups (through its "
            f"blind index) and isnull work, not {lookup_name!r}"
        )


class BlindIndexField(models.CharField):
    """The keyed HMAC of the encrypted field named ``source``, kept in step on every save."""

    def __init__(self, *args: Any, source: str = "", kind: str = "", **kwargs: Any) -> None:
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", crypto.INDEX_HEX_CHARS)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        if kwargs.get("max_length") == crypto.INDEX_HEX_CHARS:
            del kwargs["max_length"]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = getattr(model_instance, self.source)
        index = crypto.blind_index(self.kind, value) if value else None
        setattr(model_instance, self.attname, index)
        return index


class BlindIndexExact(Lookup):
    """``encrypted_field = value`` compiled as ``its_blind_index = hmac(value)``."""

    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not isinstance(self.lhs, Col) or hasattr(self.rhs, "resolve_expression"):
            raise FieldError("an encrypted field can only be compared with a plain value")
        index = index_field_for(self.lhs.target)
        sql, params = compiler.compile(Col(self.lhs.alias, index))
        return f"{sql} = %s", (*params, crypto.blind_index(index.kind, str(self.rhs)))


def column_context(table: str, column: str) -> str:
    return f"{table}.{column}"


def index_field_for(field: models.Field) -> BlindIndexField:
    """The blind index of an encrypted field, or a clear refusal if it has none."""
    for candidate in field.model._meta.concrete_fields:
        if isinstance(candidate, BlindIndexField) and candidate.source == field.name:
            return candidate
    raise FieldError(
        f"{field.model.__name__}.{field.name} is encrypted and has no blind index: "
        "it cannot be looked up by value"
    )


def with_blind_indexes(
    instance: models.Model, update_fields: Iterable[str] | None
) -> Iterable[str] | None:
    """``update_fields`` plus the index of every encrypted field in it (for ``Model.save``)."""
    if update_fields is None:
        return None
    names = set(update_fields)
    for candidate in instance._meta.concrete_fields:
        if isinstance(candidate, BlindIndexField) and candidate.source in names:
            names.add(candidate.name)
    return names


# --- walking the stored values (used by `loket keys` and the data migrations) ---


def encrypted_fields() -> list[EncryptedField]:
    """Every encrypted column of every installed model (identifiers and secrets alike)."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedField)
    ]


def stored_values(
    table: str, pk_column: str, column: str, batch_size: int = 500
) -> Iterator[list[tuple[Any, str]]]:
    """The raw (still sealed) non-empty values of a column, in batches ordered by primary key.

    Each batch is read in its own short query, so a long walk never holds a transaction open.
    """
    quote = connection.ops.quote_name
    last: Any = None
    while True:
        where = f"{quote(column)} IS NOT NULL AND {quote(column)} <> ''"
        params: list[Any] = []
        if last is not None:
            where += f" AND {quote(pk_column)} > %s"
            params.append(last)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {quote(pk_column)}, {quote(column)} FROM {quote(table)} "  # noqa: S608
                f"WHERE {where} ORDER BY {quote(pk_column)} LIMIT {int(batch_size)}",
                params,
            )
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def replace_stored_values(
    table: str, pk_column: str, column: str, changes: list[tuple[Any, str, dict[str, Any]]]
) -> int:
    """Write new values in one short transaction. ``changes``: (pk, value of ``column`` as read,
    {column: new value}). A row changes only if ``column`` still holds what was read, so a
    concurrent save by the running platform is never overwritten. Returns how many changed."""
    quote = connection.ops.quote_name
    changed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for pk, old, values in changes:
            assignments = ", ".join(f"{quote(name)} = %s" for name in values)
            cursor.execute(
                f"UPDATE {quote(table)} SET {assignments} "  # noqa: S608
                f"WHERE {quote(pk_column)} = %s AND {quote(column)} = %s",
                [*values.values(), pk, old],
            )
            changed += cursor.rowcount
    return changed


def encrypt_column_in_place(
    table: str, pk_column: str, column: str, index_column: str = "", kind: str = ""
) -> int:
    """Seal every plain value of a column and fill its blind index (data migrations).

    Values already sealed are left alone, so running it twice changes nothing.
    """
    ring = crypto.keyring()
    context = column_context(table, column)
    changed = 0
    for rows in stored_values(table, pk_column, column):
        changes = []
        for pk, plain in rows:
            if plain.startswith(f"{crypto.FORMAT_VERSION}:"):
                continue
            values = {column: ring.encrypt(plain, context)}
            if index_column:
                values[index_column] = ring.blind_index(kind, plain)
            changes.append((pk, plain, values))
        changed += replace_stored_values(table, pk_column, column, changes)
    return changed


def decrypt_column_in_place(
    table: str, pk_column: str, column: str, index_column: str = "", emptied_index: Any = None
) -> int:
    """Undo :func:`encrypt_column_in_place` (reverse data migrations)."""
    ring = crypto.keyring()
    context = column_context(table, column)
    changed = 0
    for rows in stored_values(table, pk_column, column):
        changes = []
        for pk, sealed in rows:
            if not sealed.startswith(f"{crypto.FORMAT_VERSION}:"):
                continue
            values: dict[str, Any] = {column: ring.decrypt(sealed, context)}
            if index_column:
                values[index_column] = emptied_index
            changes.append((pk, sealed, values))
        changed += replace_stored_values(table, pk_column, column, changes)
    return changed
