"""Database triggers that make the log tables append-only, on PostgreSQL and SQLite.

UPDATE and DELETE on an access-log entry, a stored subtree or a signed tree head are refused by
the database itself, whatever code runs. On SQLite the trigger consults a function registered on
Django's connections, so that the test runner can empty a test database between browser tests
(``maintenance()``); any other client (the sqlite3 shell) lacks the function and is refused.
PostgreSQL's TRUNCATE is not a row change: revoke it from the application's role (operations).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ImproperlyConfigured

PROTECTED_TABLES = ("audit_accesslogentry", "audit_merklenode", "audit_treehead")
MESSAGE = "the access log is append-only"

_maintenance = {"on": False}


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "loket_log_maintenance", 0, lambda: int(_maintenance["on"])
        )


def set_maintenance(on: bool) -> None:
    """Let the test runner empty the SQLite test database. Never used by the application."""
    _maintenance["on"] = on


@contextmanager
def maintenance() -> Iterator[None]:
    set_maintenance(True)
    try:
        yield
    finally:
        set_maintenance(False)


def create_triggers_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        statements = [
            f"""CREATE OR REPLACE FUNCTION loket_refuse_log_change() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION USING MESSAGE =
                '{MESSAGE} (' || TG_OP || ' refused on ' || TG_TABLE_NAME || ')';
            END;
            $$ LANGUAGE plpgsql"""
        ]
        for table in PROTECTED_TABLES:
            statements.append(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION loket_refuse_log_change()"
            )
        return statements
    if vendor == "sqlite":
        statements = []
        for table in PROTECTED_TABLES:
            for operation in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}') WHERE loket_log_maintenance() = 0; END"
                )
        return statements
    raise ImproperlyConfigured(
        f"Loket runs on PostgreSQL or SQLite; it cannot protect the access log on {vendor}"
    )


def drop_triggers_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in PROTECTED_TABLES]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_{operation}"
        for table in PROTECTED_TABLES
        for operation in ("update", "delete")
    ]
