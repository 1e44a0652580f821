"""My data with a large access log: a bulk load of other subjects' entries in SQL, the page's
server time, and the plan of each of its queries (run by bench/audit_log.py).

The load writes what ``loket.audit.log.append_many`` would (same leaves, same hashes, the stored
subtrees, a signed head), but computed by PostgreSQL from ``generate_series``: 5 million entries
in a few minutes instead of half an hour of Python, and ``loket audit verify`` still passes.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

# The leaf of ``loket.audit.models.leaf_bytes`` for the rows of bench.audit_log.row(), spelled in
# SQL: ``i`` is the row's number (its subject and actor pseudonym), ``leaf`` its index.
LEAF_SQL = """'{"acting_for":"","actor":"' || lpad(to_hex(i), 64, '0') || '","actor_role":"self",'
 || '"administration":"parking-brussels","attributes":["identity","address"],"case":"",'
 || '"format":"loket-access-log/v1","index":' || leaf || ',"legal_basis":'
 || '"residents-parking-card/identify-applicant","outcome":"answered",'
 || '"procedure":"residents-parking-card","purpose":"identify-applicant","source":"population",'
 || '"subject":"' || lpad(to_hex(i), 64, '0') || '","subject_kind":"person","time":"'
 || %(time)s || '"}'"""


def load_others(count: int) -> float:
    """Append ``count`` entries of other subjects under the log's lock; seconds taken."""
    from django.db import connection, transaction
    from django.utils import timezone

    from loket.audit import log
    from loket.audit.models import LogState

    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        start = log._locked_state().size
        # Only LEAF_SQL, a constant, is interpolated; the values travel as parameters.
        cursor.execute(
            "INSERT INTO audit_accesslogentry (leaf_index, created_at, subject_pseudonym,"  # noqa: S608
            " subject_kind, actor_pseudonym, actor_role, acting_for_pseudonym, administration_id,"
            " procedure_id, case_reference, source, attributes, purpose, legal_basis_id, outcome,"
            " leaf_hash)"
            " SELECT leaf, %(now)s, lpad(to_hex(i), 64, '0'), 'person', lpad(to_hex(i), 64, '0'),"
            " 'self', '', 'parking-brussels', 'residents-parking-card', '', 'population',"
            " '[\"identity\", \"address\"]'::jsonb, 'identify-applicant',"
            " 'residents-parking-card/identify-applicant', 'answered',"
            f" sha256('\\x00'::bytea || convert_to({LEAF_SQL}, 'UTF8'))"
            " FROM generate_series(0, %(count)s - 1) AS i,"
            " LATERAL (SELECT %(start)s + i AS leaf) AS l",
            {
                "now": now,
                "time": now.astimezone(UTC).isoformat(timespec="microseconds"),
                "count": count,
                "start": start,
            },
        )
        _store_subtrees(cursor, start, start + count)
        state = LogState(id=1, size=start + count)
        state.frontier = b"".join(log.node(*at) for at in log.perfect_subtrees(state.size))
        log._sign(state)
        state.save(force_update=True)
    return time.perf_counter() - started


def _store_subtrees(cursor: object, old: int, new: int) -> None:
    """Store every perfect subtree completed by leaves ``old`` .. ``new - 1``, level by level:
    node (level, k) is complete once ``(k + 1) * 2**level <= new``, and new if that exceeds
    ``old``; its children are stored already (an older subtree or one stored a level below)."""
    level = 1
    while (1 << level) <= new:
        first, last = old >> level, (new >> level) - 1
        if first <= last:
            children = (
                "SELECT leaf_index AS idx, leaf_hash AS hash FROM audit_accesslogentry"
                " WHERE leaf_index BETWEEN %(lo)s AND %(hi)s"
                if level == 1
                else "SELECT index AS idx, hash FROM audit_merklenode"
                " WHERE level = %(below)s AND index BETWEEN %(lo)s AND %(hi)s"
            )
            cursor.execute(  # type: ignore[attr-defined]
                "INSERT INTO audit_merklenode (level, index, hash)"  # noqa: S608 (constant children)
                " SELECT %(level)s, idx >> 1, sha256('\\x01'::bytea || previous || hash)"
                f" FROM (SELECT idx, hash, lag(hash) OVER (ORDER BY idx) AS previous"
                f" FROM ({children}) c) pairs WHERE idx %% 2 = 1",
                {"level": level, "below": level - 1, "lo": first * 2, "hi": last * 2 + 1},
            )
        level += 1


def page_times(rounds: int = 60) -> list[float]:
    """Server time of /en/my-data/ for the demo resident, ``rounds`` times after one warm-up."""
    from django.test import Client

    from loket.core.models import User

    client = Client(HTTP_HOST="127.0.0.1")  # a host the demo doors answer
    client.force_login(User.objects.get(username="demo-resident"))
    client.get("/en/my-data/")
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get("/en/my-data/")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def summary(label: str, times: list[float]) -> str:
    return f"{label}: p50 {statistics.median(times) * 1000:.1f} ms, p95 {p95(times) * 1000:.1f} ms"


def page_plans() -> list[tuple[str, str]]:
    """Each SQL statement of one My data request, with its EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from loket.core.models import User

    client = Client(HTTP_HOST="127.0.0.1")  # a host the demo doors answer
    client.force_login(User.objects.get(username="demo-resident"))
    with CaptureQueriesContext(connection) as captured:
        client.get("/en/my-data/")
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH", "(")):
                plans.append((sql, "(not a read: not explained)"))
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plans.append((sql, "\n".join(row[0] for row in cursor.fetchall())))
    return plans


def print_plans(title: str, plans: list[tuple[str, str]], report: list[str]) -> None:
    """The access log's plans on standard output, every plan into the report."""
    print(f"  plans of the page's access-log queries, {title}:")
    report += [f"## {title}", ""]
    for number, (sql, plan) in enumerate(plans, 1):
        report += [f"{number}. `{sql[:300]}`", "", "```", plan, "```", ""]
        if "audit_accesslogentry" in sql:
            print("    " + sql[:400])
            print("\n".join("      " + line for line in plan.splitlines()))


def measure(others: int) -> None:
    """The page with a small log, then with ``others`` entries of other subjects right after
    their load (statistics of the small log), then after ANALYZE."""
    from django.db import connection

    small = page_times()
    with connection.cursor() as cursor:
        # What autovacuum does on a small log; then it is held off, so that the measurement
        # right after the load meets the statistics of the small log, whatever its timing.
        cursor.execute("ANALYZE audit_accesslogentry")
        cursor.execute("ALTER TABLE audit_accesslogentry SET (autovacuum_enabled = false)")
    report = [f"# My data: the page's queries with {others:,} entries of others", ""]
    print_plans("small log", page_plans(), report)
    seconds = load_others(others)
    print(f"  ({others:,} entries of other subjects loaded in SQL in {seconds:.0f} s)")
    stale = page_times()
    print_plans(f"{others:,} others, right after the load (stale statistics)", page_plans(), report)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_accesslogentry")
        cursor.execute("ALTER TABLE audit_accesslogentry RESET (autovacuum_enabled)")
    analyzed = page_times()
    print_plans(f"{others:,} others, after ANALYZE", page_plans(), report)
    (RESULTS / "my-data-plans.md").write_text("\n".join(report) + "\n")
    print("My data page (server time, 60 requests each):")
    print("  " + summary("small log", small))
    print("  " + summary(f"{others:,} others, right after the load", stale))
    print("  " + summary(f"{others:,} others, after ANALYZE", analyzed))
    worst = max(p95(stale), p95(analyzed))
    print(f"  ratio worst p95 with others / small log: {worst / p95(small):.2f}"
          " (target p95 < 50 ms)")  # fmt: skip
    from bench.common import result

    result("My data p95, small log", p95(small) * 1000, "ms")
    result(f"My data p95, {others:,} others, stale statistics", p95(stale) * 1000, "ms",
           baseline=f"small log {p95(small) * 1000:.1f} ms",
           ratio=round(p95(stale) / p95(small), 2), target="< 50 ms")  # fmt: skip
    result(f"My data p95, {others:,} others, after ANALYZE", p95(analyzed) * 1000, "ms",
           baseline=f"small log {p95(small) * 1000:.1f} ms",
           ratio=round(p95(analyzed) / p95(small), 2), target="< 50 ms")  # fmt: skip
