"""``loket keys``: see and rotate the keys that encrypt identifiers and secrets at rest.

See docs/operations.md, "Keys".

- ``status``: per encrypted column, how many values each key id seals;
- ``rotate``: re-encrypt, batch by batch in short transactions, every value not under the active
  key (``LOKET_ENCRYPTION_KEY_ID``); safe while the platform runs, since readers open a value with
  any key of the ring and a row saved meanwhile is left alone (it is already under the active key);
- ``retire KEY_ID``: refuses while a value still uses the key, otherwise says what to remove;
- ``reindex``: recompute every blind index with ``LOKET_BLIND_INDEX_KEY`` after that key changed
  (platform stopped: until it finishes, lookups by national number would miss).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from loket.core import crypto
from loket.core.fields import (
    BlindIndexField,
    EncryptedField,
    column_context,
    encrypted_fields,
    replace_stored_values,
    stored_values,
)


def _where(field: EncryptedField) -> tuple[str, str, str]:
    meta = field.model._meta
    return meta.db_table, str(meta.pk.column), str(field.column)


def key_usage() -> dict[str, Counter[str]]:
    """``{"table.column": {key id: number of values}}`` for every encrypted column."""
    usage = {}
    for field in encrypted_fields():
        table, pk_column, column = _where(field)
        counts: Counter[str] = Counter()
        for rows in stored_values(table, pk_column, column):
            counts.update(crypto.key_id_of(sealed) for _pk, sealed in rows)
        usage[column_context(table, column)] = counts
    return usage


def rotate(batch_size: int = 500) -> int:
    """Re-encrypt every value not sealed with the active key; returns how many changed."""
    ring = crypto.keyring()
    changed = 0
    for field in encrypted_fields():
        table, pk_column, column = _where(field)
        context = column_context(table, column)
        for rows in stored_values(table, pk_column, column, batch_size):
            changes = [
                (pk, sealed, {column: ring.encrypt(ring.decrypt(sealed, context), context)})
                for pk, sealed in rows
                if crypto.key_id_of(sealed) != ring.active_id
            ]
            changed += replace_stored_values(table, pk_column, column, changes)
    return changed


def reindex(batch_size: int = 500) -> int:
    """Recompute every blind index with the configured blind index key; returns rows written."""
    ring = crypto.keyring()
    changed = 0
    for field in encrypted_fields():
        indexes = [
            f
            for f in field.model._meta.concrete_fields
            if isinstance(f, BlindIndexField) and f.source == field.name
        ]
        if not indexes:
            continue
        table, pk_column, column = _where(field)
        context = column_context(table, column)
        for rows in stored_values(table, pk_column, column, batch_size):
            changes = []
            for pk, sealed in rows:
                plain = ring.decrypt(sealed, context)
                values = {str(i.column): ring.blind_index(i.kind, plain) for i in indexes}
                changes.append((pk, sealed, values))
            changed += replace_stored_values(table, pk_column, column, changes)
    return changed


class Command(BaseCommand):
    help = "Show, rotate and retire the keys that encrypt identifiers and secrets at rest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "rotate", "retire", "reindex"])
        parser.add_argument("key_id", nargs="?", default="", help="for retire: the key to retire")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self._status()
        elif action == "rotate":
            changed = rotate(options["batch_size"])
            self.stdout.write(
                f"{changed} values re-encrypted under {settings.LOKET_ENCRYPTION_KEY_ID}"
            )
            self._status()
        elif action == "retire":
            self._retire(options["key_id"])
        else:
            self.stdout.write(f"{reindex(options['batch_size'])} blind index rows recomputed")

    def _status(self) -> None:
        active = settings.LOKET_ENCRYPTION_KEY_ID
        totals: Counter[str] = Counter()
        for context, counts in key_usage().items():
            totals.update(counts)
            detail = ", ".join(f"{key_id}: {n}" for key_id, n in sorted(counts.items()))
            self.stdout.write(f"{context}: {detail or 'no values'}")
        for key_id in sorted(set(settings.LOKET_ENCRYPTION_KEYS) | set(totals)):
            marks = []
            if key_id == active:
                marks.append("active")
            if key_id not in settings.LOKET_ENCRYPTION_KEYS:
                marks.append("NOT IN THE RING: these values cannot be read")
            suffix = f" ({', '.join(marks)})" if marks else ""
            self.stdout.write(f"key {key_id}: {totals[key_id]} values{suffix}")

    def _retire(self, key_id: str) -> None:
        if not key_id:
            raise CommandError("name the key to retire: loket keys retire KEY_ID")
        if key_id == settings.LOKET_ENCRYPTION_KEY_ID:
            raise CommandError(
                f"{key_id} is the active key (LOKET_ENCRYPTION_KEY_ID): "
                "make another key active and rotate first"
            )
        in_use = sum(counts[key_id] for counts in key_usage().values())
        if in_use:
            raise CommandError(
                f"{in_use} values are still sealed with {key_id}: run `loket keys rotate` first"
            )
        remaining = sorted(k for k in settings.LOKET_ENCRYPTION_KEYS if k != key_id)
        self.stdout.write(
            f"No value uses {key_id} any more. Remove it from LOKET_ENCRYPTION_KEYS "
            f"(keep: {', '.join(remaining)}), restart, and destroy it where it is kept."
        )
