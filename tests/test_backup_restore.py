"""A pg_dump of a live Loket database restores into a new database whose access log verifies.

The drill of docs/operations.md ("Backups and restore"), run for real: a scratch database is
migrated and seeded through the `loket` command (demo history: applications whose prefill made
consultations), its tree head is signed, `pg_dump -Fc` dumps it, `pg_restore` loads the dump into
a NEW database, and `loket audit verify` passes there with the same tree size and root. Then one
restored entry is changed by the superuser with the append-only triggers disabled, and verify
fails naming it: a restore is only trusted once the log verifies. PostgreSQL only (pg_dump):
skipped on SQLite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from django.conf import settings

DATABASE = settings.DATABASES["default"]
ON_POSTGRESQL = str(DATABASE["ENGINE"]).endswith("postgresql")
CLIENT_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")

pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="backup and restore use pg_dump/pg_restore: run with LOKET_TEST_DATABASE_URL=postgresql://…",
)


def tool(name: str) -> str:
    found = shutil.which(name) or next(
        (f"{d}/{name}" for d in CLIENT_DIRS if Path(f"{d}/{name}").exists()), None
    )
    if found is None:
        pytest.skip(f"{name} is not installed (postgresql-client)")
    return found


def url(name: str) -> str:
    credentials = quote(str(DATABASE.get("USER") or ""), safe="")
    if DATABASE.get("PASSWORD"):
        credentials += ":" + quote(str(DATABASE["PASSWORD"]), safe="")
    host = f"{DATABASE.get('HOST') or '127.0.0.1'}:{DATABASE.get('PORT') or 5432}"
    return f"postgresql://{credentials}@{host}/{name}"


def admin() -> psycopg.Connection[Any]:
    return psycopg.connect(url("postgres"), autocommit=True)


def loket(database: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The `loket` command in its own process, on ``database``."""
    environment = {**os.environ, "LOKET_ENV": "test", "LOKET_TEST_DATABASE_URL": url(database)}
    return subprocess.run(
        [sys.executable, "-m", "loket.cli", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def latest_head(database: str) -> tuple[int, bytes, int]:
    """(tree size, root hash) of the newest signed tree head, and the number of entries."""
    with psycopg.connect(url(database)) as connection:
        size, root = connection.execute(
            "SELECT tree_size, root_hash FROM audit_treehead ORDER BY tree_size DESC LIMIT 1"
        ).fetchone()  # type: ignore[misc]
        entries = connection.execute("SELECT count(*) FROM audit_accesslogentry").fetchone()
    return int(size), bytes(root), int(entries[0])  # type: ignore[index]


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """A scratch original and the name of the new database to restore into; both dropped after."""
    base = str(DATABASE["NAME"])[:40]
    original, restored = f"{base}_backup_original", f"{base}_backup_restored"
    with admin() as connection:
        for name in (original, restored):
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{original}"')
    yield original, restored
    with admin() as connection:
        for name in (original, restored):
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_dump_verifies_and_a_tampered_restore_does_not(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    original, restored = databases
    for step in (("migrate", "--verbosity", "0"), ("seed", "--residents", "200")):
        done = loket(original, *step)
        assert done.returncode == 0, done.stderr
    signed = loket(original, "audit", "sign")
    assert signed.returncode == 0, signed.stderr
    before = loket(original, "audit", "verify")
    assert before.returncode == 0, before.stderr
    size, root, entries = latest_head(original)
    assert entries > 0 and size == entries  # consultations were logged and all are signed

    dump = tmp_path / "loket.dump"
    subprocess.run(
        [tool("pg_dump"), "-Fc", "--no-owner", "-f", str(dump), url(original)], check=True
    )
    with admin() as connection:
        connection.execute(f'CREATE DATABASE "{restored}"')
    subprocess.run(
        [tool("pg_restore"), "--no-owner", "--exit-on-error", "-d", url(restored), str(dump)],
        check=True,
    )

    after = loket(restored, "audit", "verify")
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout
    assert f"access log OK: {entries} entries" in after.stdout
    assert latest_head(restored) == (size, root, entries)

    with psycopg.connect(url(restored), autocommit=True) as connection:  # the superuser
        connection.execute("ALTER TABLE audit_accesslogentry DISABLE TRIGGER USER")
        connection.execute(
            "UPDATE audit_accesslogentry SET purpose = 'tampered' WHERE leaf_index = 0"
        )
        connection.execute("ALTER TABLE audit_accesslogentry ENABLE TRIGGER USER")
    tampered = loket(restored, "audit", "verify")
    assert tampered.returncode != 0
    assert "access log verification FAILED" in tampered.stderr
    assert "entry #0 was changed" in tampered.stderr
