"""Benchmark of ``loket opendata publish`` on PostgreSQL with a million cases.

Builds a fresh database (``LOKET_BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/loket_opendata_bench, dropped and recreated), inserts
``LOKET_BENCH_CASES`` cases (default 1,000,000) over two years with their events (70 % decided)
and half as many access-log entries, all with generate_series, then times ``publish()`` and its
peak memory beside the bare aggregation SQL run in the same process (the baseline: what the
database alone needs). ``LOKET_BENCH_REUSE=1`` reuses the previous run's database.
Targets: publish < 30 s and < 500 MB. Run: ``.venv/bin/python -m bench.opendata_publish``.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time
import tracemalloc

from bench.common import fresh_database, result, setup_django

URL = os.environ.get(
    "LOKET_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loket_opendata_bench"
)
CASES = int(os.environ.get("LOKET_BENCH_CASES", "1000000"))

CASES_SQL = """
WITH procs AS (SELECT id, administration_id, row_number() OVER (ORDER BY id) - 1 AS i
               FROM catalog_procedure),
     munis AS (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i
               FROM core_administration WHERE kind = 'municipality')
INSERT INTO cases_case (reference, procedure_id, definition_version, applicant_id,
                        administration_id, status, facts, answers, declared_instead, language,
                        idempotency_key, submitted_at, updated_at, channel)
SELECT 'B-' || g, p.id, 1, %(applicant)s, coalesce(p.administration_id, m.id),
       CASE WHEN g %% 10 < 7 THEN 'approved' ELSE 'submitted' END,
       jsonb_build_object('population', jsonb_build_object(
           'identity', '{"last_name": "x", "first_name": "y"}'::jsonb,
           'address', jsonb_build_object('nis_code', m.id, 'street', 'Rue x'))),
       CASE WHEN g %% 5 = 0 THEN '{"plate": "1-ABC-123", "start_date": "2026-01-01",
            "population.address": "typed"}'::jsonb
            ELSE '{"plate": "1-ABC-123", "start_date": "2026-01-01"}'::jsonb END,
       '[]'::jsonb, 'fr', gen_random_uuid(), t.at, t.at, 'online'
FROM generate_series(1, %(cases)s) AS g
JOIN procs p ON p.i = (g::bigint * 7919) %% (SELECT count(*) FROM procs)
JOIN munis m ON m.i = (g::bigint * 104729 / 13) %% (SELECT count(*) FROM munis)
CROSS JOIN LATERAL (SELECT timestamptz '2024-11-01 08:00+01'
                    + (g::float8 / %(cases)s) * interval '730 days' AS at) AS t
"""
EVENTS_SQL = """
INSERT INTO cases_caseevent (case_id, at, status, note)
SELECT id, submitted_at, 'submitted', '' FROM cases_case
UNION ALL
SELECT id, submitted_at + ((id %% 45) + 1) * interval '1 day' + (id %% 600) * interval '1 minute',
       status, '' FROM cases_case WHERE status = 'approved'
"""
LOG_SQL = """
INSERT INTO audit_accesslogentry (leaf_index, created_at, subject_pseudonym, subject_kind,
  actor_pseudonym, actor_role, acting_for_pseudonym, administration_id, procedure_id,
  case_reference, source, attributes, purpose, legal_basis_id, outcome, leaf_hash)
SELECT g + 1000000000, timestamptz '2024-11-01' + (g::float8 / %(n)s) * interval '730 days',
       md5(g::text), 'person', md5((g + 1)::text), 'self', '',
       (ARRAY['parking-brussels', '21004', '21009', 'brussels-environment', '21015'])[1 + g %% 5],
       'residents-parking-card', '',
       (ARRAY['population', 'vehicle', 'enterprise', 'social'])[1 + (g / 3) %% 4],
       '["identity"]'::jsonb, 'identify-applicant', 'x', 'answered', '\\x00'::bytea
FROM generate_series(1, %(n)s) AS g
"""


def insert_cases() -> None:
    from django.db import connection

    from loket.core.models import User

    applicant = User.objects.get(username="demo-resident").pk
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(CASES_SQL, {"applicant": applicant, "cases": CASES})
        cursor.execute(EVENTS_SQL, [])
        cursor.execute(LOG_SQL, {"n": CASES // 2})
        cursor.execute("ANALYZE")
    print(
        f"inserted {CASES:,} cases, their events and {CASES // 2:,} log entries "
        f"in {time.perf_counter() - started:.1f}s"
    )


def bare_aggregation() -> float:
    """The baseline: the same GROUP BY queries, results discarded, no protection or files."""
    from django.db import connection
    from django.utils import timezone

    from loket.opendata import aggregate
    from loket.opendata.publish import start_of_month

    period = aggregate.Period(start_of_month(timezone.now()))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for sql in (aggregate.HANDLING_SQL, aggregate.FIELDS_SQL):
            cursor.execute(sql, [period.until])
            cursor.fetchall()
    aggregate.submitted_counts(period)
    aggregate.decided_counts(period)
    aggregate.consultation_counts(period)
    return time.perf_counter() - started


def bench_publish() -> None:
    from django.test import override_settings

    from loket.opendata.models import ReleasedDataset
    from loket.opendata.publish import publish

    baseline = bare_aggregation()
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        tracemalloc.start()
        started = time.perf_counter()
        release = publish()
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for dataset in ReleasedDataset.objects.filter(release=release):
        print(f"  {dataset.dataset}: {dataset.rows:,} rows, {dataset.suppressed:,} withheld")
    print(
        f"publish: {elapsed:.1f}s (target < 30 s); bare aggregation SQL: {baseline:.1f}s; "
        f"ratio {elapsed / baseline:.2f}"
    )
    print(
        f"  peak Python memory during publish {peak / 2**20:.0f} MB (tracemalloc); "
        f"process max RSS {rss:.0f} MB (target < 500 MB)"
    )
    result(f"open-data publish ({CASES:,} cases)", elapsed, "s", ratio=round(elapsed / baseline, 2),
           baseline=f"bare SQL {baseline:.1f} s", target="< 30 s for 1 M cases")  # fmt: skip


def main() -> None:
    if os.environ.get("LOKET_BENCH_REUSE"):  # the database of a previous run, as it is
        setup_django(URL)
    else:
        fresh_database(URL, residents=200)
        insert_cases()
    bench_publish()


if __name__ == "__main__":
    main()
