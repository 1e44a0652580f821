"""Submission path through HTTP on PostgreSQL, against the same SQL driven directly by psycopg.

N applicants each have a ready draft of the residents' parking card; 16 client threads post
"send" (the check page with its idempotency key) to gunicorn; we print submissions per second
and p50/p95/p99 latency. The baseline runs the statements a submission makes (look-ups, insert
of the case, its event, notification and task, delete of the draft, in one transaction) with
psycopg from 16 threads, in the same run. Database: LOKET_BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/loket_submit_bench), dropped and recreated.
"""

from __future__ import annotations

import http.client
import itertools
import os
import statistics
import subprocess
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from queue import Empty, Queue
from typing import Any

import psycopg

from bench.common import (
    HOST,
    free_port,
    fresh_database,
    logged_in_session,
    result,
    serve_gunicorn,
    vehicle_holders,
)

URL = os.environ.get(
    "LOKET_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loket_submit_bench"
)
APPLICANTS = int(os.environ.get("LOKET_BENCH_APPLICANTS", "600"))
CLIENTS = int(os.environ.get("LOKET_BENCH_CLIENTS", "16"))


def ready_drafts(count: int) -> list[tuple[str, str]]:
    """(session key, idempotency key) for ``count`` applicants with a complete draft."""
    from loket.catalog.models import Procedure
    from loket.forms.actions import do_prefill, do_save_answers, get_or_start_draft
    from loket.forms.definitions import get_definition
    from loket.sources.base import Actor

    procedure = Procedure.objects.get(id="residents-parking-card")
    definition = get_definition(procedure.id)
    assert definition is not None
    ready = []
    for user, plate in vehicle_holders(count, "bench"):
        draft = get_or_start_draft(user, procedure, definition)
        do_prefill(draft, definition, Actor(user.pk, user.national_number or "", "self"))
        do_save_answers(draft, {"plate": plate, "start_date": time.strftime("%Y-%m-%d")})
        ready.append((logged_in_session(user), str(draft.idempotency_key)))
    return ready


def serve(port: int) -> subprocess.Popen[bytes]:
    return serve_gunicorn(port, URL, ["--workers", "4"], tries=100)


def post_submission(port: int, session: str, key: str) -> tuple[float, int]:
    csrf = "b" * 32
    body = f"csrfmiddlewaretoken={csrf}&idempotency_key={key}"
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "POST", "/en/procedures/residents-parking-card/apply/check/", body,
        {"Host": f"{HOST}:{port}", "Content-Type": "application/x-www-form-urlencoded",
         "Cookie": f"sessionid={session}; csrftoken={csrf}",
         "Referer": f"http://{HOST}:{port}/"},
    )  # fmt: skip
    status = connection.getresponse().status
    connection.close()
    return time.perf_counter() - started, status


def run_clients(work: list[Any], call: Any) -> tuple[float, list[float], Counter[Any]]:
    """``call(item)`` → (seconds, outcome) for every item, from ``CLIENTS`` threads: the time
    in all, each call's seconds, and how many calls had each outcome."""
    queue: Queue[Any] = Queue()
    for item in work:
        queue.put(item)
    latencies: list[float] = []
    outcomes: Counter[Any] = Counter()
    lock = threading.Lock()

    def client() -> None:
        while True:
            try:
                item = queue.get_nowait()
            except Empty:
                return
            elapsed, outcome = call(item)
            with lock:
                latencies.append(elapsed)
                outcomes[outcome] += 1

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, outcomes


_COLUMNS: dict[str, list[str]] = {}


def columns(connection: psycopg.Connection[Any], table: str) -> list[str]:
    """The columns of ``table`` except its id, read once (the schema evolves; the bench follows)."""
    if table not in _COLUMNS:
        rows = connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
            " AND column_name <> 'id' ORDER BY ordinal_position", [table],
        ).fetchall()  # fmt: skip
        _COLUMNS[table] = [str(r[0]) for r in rows]
    return _COLUMNS[table]


def copy_row(
    connection: psycopg.Connection[Any], table: str, model_id: int, changes: dict[str, Any]
) -> int:
    """INSERT a copy of row ``model_id`` of ``table`` with ``changes``: what the ORM inserts."""
    names = columns(connection, table)
    values = ", ".join("%s" if name in changes else f'"{name}"' for name in names)
    sql = (
        f"INSERT INTO {table} ({', '.join(f'{n!r}'.replace(chr(39), chr(34)) for n in names)})"  # noqa: S608
        f" SELECT {values} FROM {table} WHERE id = %s RETURNING id"
    )
    params = [changes[name] for name in names if name in changes] + [model_id]
    return int(connection.execute(sql, params).fetchone()[0])  # type: ignore[index]


def sample_rows(connection: psycopg.Connection[Any]) -> dict[str, int]:
    """Ids of the rows one HTTP submission wrote: the templates of the baseline's inserts."""
    case = connection.execute(
        "SELECT c.id, c.applicant_id FROM cases_case c JOIN core_user u ON u.id = c.applicant_id"
        " WHERE u.username LIKE 'bench-%%' ORDER BY c.id DESC LIMIT 1"
    ).fetchone()
    assert case is not None, "no case was submitted over HTTP"
    event = connection.execute(
        "SELECT id FROM cases_caseevent WHERE case_id = %s ORDER BY id LIMIT 1", [case[0]]
    )
    # A notice names its case in its topic; a case that awaits its fee has none yet, but a fee.
    notice = connection.execute(
        "SELECT n.id FROM notify_notification n JOIN cases_case c ON n.topic = 'case:' ||"
        " c.reference WHERE c.id = %s LIMIT 1", [case[0]],
    ).fetchone()  # fmt: skip
    notice_id = notice[0] if notice else 0
    task = connection.execute(
        "SELECT id FROM tasks_task WHERE dedupe_key LIKE %s", [f"%{notice_id}%"]
    ).fetchone() if notice_id else None  # fmt: skip
    fee = connection.execute("SELECT id FROM payments_casefee WHERE case_id = %s",
                             [case[0]]).fetchone()  # fmt: skip
    return {
        "case": case[0], "applicant": case[1],
        "event": event.fetchone()[0],  # type: ignore[index]
        "notification": notice_id, "task": task[0] if task else 0, "fee": fee[0] if fee else 0,
    }  # fmt: skip


_NUMBERS = itertools.count(1)


def baseline_statement_set(connection: psycopg.Connection[Any], rows: dict[str, int]) -> None:
    """The statements of one submission, with fresh values, in one transaction.

    The look-ups the view and do_submit_case make, then copies of the rows one real submission
    wrote (case, its fee and status when it has one, event, notification and mail task when
    there are some) and the draft's deletion.
    """
    reference = f"BENCH-{next(_NUMBERS):09d}"  # unique, as the server's retry makes its own
    key = uuid.uuid4()
    now = datetime.now(UTC)
    applicant = rows["applicant"]
    with connection.transaction():
        connection.execute("SELECT session_data FROM django_session LIMIT 1")
        connection.execute("SELECT id FROM core_user WHERE id = %s", [applicant])
        connection.execute(
            "SELECT id FROM loket_forms_draft WHERE user_id = %s LIMIT 1", [applicant]
        )
        connection.execute("SELECT id FROM catalog_procedure WHERE id = 'residents-parking-card'")
        connection.execute("SELECT id FROM cases_case WHERE applicant_id = %s AND "
                           "idempotency_key = %s", [applicant, key])  # fmt: skip
        connection.execute("SELECT id FROM core_administration WHERE id = 'parking-brussels'")
        connection.execute("SELECT 1 FROM cases_case WHERE reference = %s", [reference])
        case_id = copy_row(
            connection, "cases_case", rows["case"],
            {"reference": reference, "idempotency_key": key, "submitted_at": now,
             "updated_at": now},
        )  # fmt: skip
        if rows["fee"]:
            # A fee's reserved transfer communication is unique: the copy reserves none.
            copy_row(connection, "payments_casefee", rows["fee"],
                     {"case_id": case_id, "created_at": now, "transfer_reference": ""})  # fmt: skip
            connection.execute("UPDATE cases_case SET status = status WHERE id = %s", [case_id])
        copy_row(connection, "cases_caseevent", rows["event"], {"case_id": case_id, "at": now})
        notification = copy_row(
            connection, "notify_notification", rows["notification"],
            {"topic": f"case:{reference}", "event_key": f"{case_id}:submitted", "created_at": now},
        ) if rows["notification"] else 0  # fmt: skip
        if rows["task"]:
            copy_row(connection, "tasks_task", rows["task"],
                     {"dedupe_key": f"mail:{notification}", "created_at": now})  # fmt: skip
        connection.execute("DELETE FROM loket_forms_draft WHERE id = -1")


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    fresh_database(URL, residents=3000)
    drafts = ready_drafts(APPLICANTS)
    port = free_port()
    server = serve(port)
    try:
        post_submission(port, *drafts[0])  # warm up the workers
        elapsed, latencies, statuses = run_clients(
            drafts[1:], lambda draft: post_submission(port, *draft)
        )
    finally:
        server.terminate()
        server.wait()
    http_rate = len(latencies) / elapsed
    failures = len(latencies) - statuses[302]
    connections = [psycopg.connect(URL, autocommit=True) for _ in range(CLIENTS)]
    local = threading.local()
    pool: Queue[psycopg.Connection[Any]] = Queue()
    for c in connections:
        pool.put(c)

    def baseline(rows: dict[str, int]) -> tuple[float, None]:
        if not hasattr(local, "connection"):
            local.connection = pool.get()
        started = time.perf_counter()
        baseline_statement_set(local.connection, rows)
        return time.perf_counter() - started, None

    rows = sample_rows(connections[0])
    columns(connections[0], "cases_case")  # read the schema outside the measure
    for table in ("cases_caseevent", "notify_notification", "tasks_task", "payments_casefee"):
        columns(connections[0], table)
    base_elapsed, base_latencies, _ = run_clients([rows] * len(latencies), baseline)
    base_rate = len(base_latencies) / base_elapsed
    print(
        f"submissions over HTTP ({CLIENTS} clients, gunicorn 4 workers, {len(latencies)} cases,"
        f" {failures} failed; statuses {dict(statuses)}): {http_rate:,.0f}/s;"
        f" p50 {percentile(latencies, 50):.0f} ms,"
        f" p95 {percentile(latencies, 95):.0f} ms, p99 {percentile(latencies, 99):.0f} ms"
    )
    print(
        f"same SQL with psycopg ({CLIENTS} threads): {base_rate:,.0f}/s; p50"
        f" {percentile(base_latencies, 50):.1f} ms, p95 {percentile(base_latencies, 95):.1f} ms"
    )
    print(f"  ratio HTTP / direct SQL: {http_rate / base_rate:.2f}")
    result(
        "submissions over HTTP", http_rate, "/s", baseline=f"psycopg {base_rate:,.0f}/s",
        ratio=round(http_rate / base_rate, 3), clients=CLIENTS, failed=failures,
    )  # fmt: skip
    result("submission latency over HTTP (p95)", percentile(latencies, 95), "ms",
           baseline=f"psycopg p95 {percentile(base_latencies, 95):.1f} ms",
           p50=round(percentile(latencies, 50), 1),
           p99=round(percentile(latencies, 99), 1))  # fmt: skip


if __name__ == "__main__":
    main()
