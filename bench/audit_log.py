"""Benchmarks of the access log on PostgreSQL. Ratios are against baselines in the same run.

1. appends: consultations logged per second by one process (hash, Merkle nodes, lock, periodic
   signature), against the same rows inserted plainly (no hash, no tree, no lock).
2. consult(): whole consultations per second through the one door (checks, demo register read,
   logged append), against a plain ORM read of the same person plus a plain single-row INSERT
   (its own commit), in alternating blocks in the same process.
3. verify: entries per second that ``loket audit verify`` recomputes.
4. My data: server time of the page for one resident, with the log empty of others, then right
   after a bulk load of ``LOKET_BENCH_OTHERS`` entries of other subjects (with the small log's
   statistics), then after ANALYZE (p50 and p95), with the plans (bench/my_data.py).

Database: ``LOKET_BENCH_DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432/loket_bench),
dropped and recreated. Sizes: ``LOKET_BENCH_OTHERS`` (default 5,000,000). Run `make bench`.
``python -m bench.audit_log consult`` (or ``my-data``) measures only that, on the database of an
earlier run, so that runs can be repeated and alternated.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from typing import Any

from bench import my_data
from bench.common import fresh_database, result, setup_django

URL = os.environ.get("LOKET_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loket_bench")
OTHERS = int(os.environ.get("LOKET_BENCH_OTHERS", "5000000"))


def row(i: int, subject: str) -> dict[str, Any]:
    return {
        "subject_pseudonym": subject,
        "subject_kind": "person",
        "source": "population",
        "attributes": ["identity", "address"],
        "procedure_id": "residents-parking-card",
        "purpose": "identify-applicant",
        "legal_basis_id": "residents-parking-card/identify-applicant",
        "actor_pseudonym": f"{i:064x}",
        "actor_role": "self",
        "administration_id": "parking-brussels",
        "outcome": "answered",
    }


def bench_appends(count: int = 5000) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from loket.audit.actions import do_record_consultation
    from loket.audit.log import ENTRY_COLUMNS
    from loket.audit.models import AccessLogEntry

    started = time.perf_counter()
    for i in range(count):
        do_record_consultation(**row(i, "a" * 64))
    logged = count / (time.perf_counter() - started)

    # The baseline: the same rows, one INSERT per transaction, no hash, tree, lock or signature.
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_plain (LIKE audit_accesslogentry "
            "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
    fields = [f for f in AccessLogEntry._meta.concrete_fields if not f.primary_key]
    sql = (
        f"INSERT INTO bench_plain ({', '.join(ENTRY_COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    started = time.perf_counter()
    for i in range(count):
        entry = AccessLogEntry(
            leaf_index=i, created_at=timezone.now(), leaf_hash=b"", **row(i, "a" * 64)
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                sql, [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
            )
    plain = count / (time.perf_counter() - started)
    print(f"appends: {logged:,.0f}/s logged (hash, tree, lock, signing); {plain:,.0f}/s plain rows")
    print(f"  ratio logged / plain: {logged / plain:.2f}  (target >= 0.5, and >= 2,000/s)")
    result("access-log appends", logged, "/s", baseline=f"plain rows {plain:,.0f}/s",
           ratio=round(logged / plain, 2), target=">= 2,000/s and ratio >= 0.5")  # fmt: skip


def bench_consult(count: int = 3000, blocks: int = 10) -> None:
    """Consultations through the door against their baseline: the same person read with a plain
    ORM query plus one plain single-row INSERT (autocommit: its own durable commit), in
    alternating blocks, since the machine is shared and noisy."""
    from django.db import connection

    from loket.core.models import User
    from loket.registers.models import Resident
    from loket.sources.base import Actor, Purpose, Subject
    from loket.sources.door import consult

    user = User.objects.get(username="demo-resident")
    subject = Subject("person", user.national_number or "")
    actor = Actor(user.pk, user.national_number or "", "self")
    purpose = Purpose("residents-parking-card", "identify-applicant")
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_plain_read; CREATE TABLE bench_plain_read "
            "(LIKE audit_accesslogentry INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES)"
        )
    fields = {**row(0, "a" * 64), "acting_for_pseudonym": "", "case_reference": ""}
    sql = (
        f"INSERT INTO bench_plain_read (leaf_index, created_at, leaf_hash, {', '.join(fields)}) "  # noqa: S608
        f"VALUES (%s, now(), '', {', '.join(['%s'] * len(fields))})"
    )
    values = [json.dumps(v) if isinstance(v, list) else v for v in fields.values()]
    numbers = itertools.count()

    def plain() -> None:
        Resident.objects.select_related("address").get(national_number=user.national_number)
        with connection.cursor() as cursor:
            cursor.execute(sql, [next(numbers), *values])

    door_seconds = plain_seconds = 0.0
    per_block = count // blocks
    for _ in range(blocks):
        started = time.perf_counter()
        for _ in range(per_block):
            consult(subject, ["population.identity"], purpose, actor)
        door_seconds += time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(per_block):
            plain()
        plain_seconds += time.perf_counter() - started
    rate, baseline = per_block * blocks / door_seconds, per_block * blocks / plain_seconds
    print(f"consult(): {rate:,.0f} consultations/s through the one door, logged; plain ORM read"
          f" + single-row INSERT {baseline:,.0f}/s; ratio {rate / baseline:.2f}"
          " (target >= 0.5)")  # fmt: skip
    result("consultations through the door", rate, "/s",
           baseline=f"plain read + insert {baseline:,.0f}/s", ratio=round(rate / baseline, 2),
           target="ratio >= 0.5")  # fmt: skip


def bench_verify() -> None:
    from loket.audit.verify import verify_log

    started = time.perf_counter()
    report = verify_log()
    elapsed = time.perf_counter() - started
    assert report.ok, report.problems
    print(
        f"verify: {report.entries:,} entries in {elapsed:.1f}s = {report.entries / elapsed:,.0f}/s"
        "  (target >= 100,000/s)"
    )
    result("audit verify", report.entries / elapsed, "entries/s", target=">= 100,000/s")


def main(argv: list[str]) -> None:
    if argv in (["consult"], ["my-data"]):  # on the database of an earlier run: repeated runs
        setup_django(URL)
        if argv == ["consult"]:
            bench_consult()
        else:
            print(my_data.summary("My data page", my_data.page_times()))
        return
    fresh_database(URL, residents=500)
    bench_appends()
    bench_consult()
    my_data.measure(OTHERS)
    bench_verify()


if __name__ == "__main__":
    main(sys.argv[1:])
