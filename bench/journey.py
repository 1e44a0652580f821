"""The whole parking-card journey over HTTP on PostgreSQL, against the same SQL sent by psycopg.

N applicants (``LOKET_BENCH_JOURNEYS``, default 160) each make a complete residents' parking card
journey against gunicorn (``LOKET_BENCH_WORKERS`` sync workers, default 4): procedure page →
start → consent (the registers are consulted through the door and each consultation logged) →
facts → each question page, GET then POST → check → send → confirmation. 16 applicants
(``LOKET_BENCH_CLIENTS``) run at once, from 4 client processes (``LOKET_BENCH_PROCESSES``) of
threads with the standard library's HTTP client, so the load generator does not share a GIL with
itself more than it must, nor with the server.

Per step it prints the server time p50/p95 (the ``Server-Timing`` header) and the number of SQL
statements (``X-SQL-Statements``; both headers exist only with ``LOKET_ENV=test``,
loket.web.cost). The baseline is the same SQL sent with psycopg in the same run: one more
journey per client is made in-process, each of another applicant, with its statements captured
(in a transaction rolled back, so the database is left as it was); then each step's statements
are replayed with the same parameters,
with the same clients and concurrency, each step in one transaction that is rolled back (so the
replays never collide on a reference, a leaf index or a draft), followed by one durable commit
(a one-row insert) for each step that wrote, and for each access-log append, after which the
replay, like the server, ends its transaction and so releases the log's lock. The baseline thus
pays at most as many commits as the server, and its later steps update rows that earlier steps
rolled back: it is, if anything, faster than the SQL really is, and the ratio errs low.
Database: ``LOKET_BENCH_DATABASE_URL`` (default loket_journey_bench), dropped and recreated
(``LOKET_BENCH_KEEP_DATABASE=1``: used as it is, e.g. a copy of a seeded one, to compare two
commits or gunicorn settings back to back). ``LOKET_BENCH_WORKER_CLASS`` and
``LOKET_BENCH_THREADS`` choose gunicorn's worker model (sync, 1 thread by default).
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import re
import statistics
import subprocess
import threading
import time
from collections import defaultdict
from datetime import date
from typing import Any

import psycopg

from bench.common import (
    HOST,
    free_port,
    fresh_database,
    logged_in_session,
    result,
    serve_gunicorn,
    setup_django,
    vehicle_holders,
)

URL = os.environ.get(
    "LOKET_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loket_journey_bench"
)
JOURNEYS = int(os.environ.get("LOKET_BENCH_JOURNEYS", "160"))
CLIENTS = int(os.environ.get("LOKET_BENCH_CLIENTS", "16"))
PROCESSES = int(os.environ.get("LOKET_BENCH_PROCESSES", "4"))
WORKERS = int(os.environ.get("LOKET_BENCH_WORKERS", "4"))
WORKER_CLASS = os.environ.get("LOKET_BENCH_WORKER_CLASS", "sync")
THREADS = int(os.environ.get("LOKET_BENCH_THREADS", "1"))
PROCEDURE = "residents-parking-card"
BASE = f"/en/procedures/{PROCEDURE}/"
CSRF = "b" * 32
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f-]{36})"')

# A step: (name, method, path or None for "where the last answer pointed", form fields).
Step = tuple[str, str, str | None, dict[str, str]]


def steps(plate: str) -> list[Step]:
    """The requests of one journey, in order."""
    return [
        ("procedure page", "GET", BASE, {}),
        ("start", "GET", BASE + "apply/", {}),
        ("consent (consultations)", "POST", BASE + "apply/", {"use_registers": "yes"}),
        ("facts", "GET", BASE + "apply/facts/", {}),
        ("question vehicle GET", "GET", BASE + "apply/q/vehicle/", {}),
        ("question vehicle POST", "POST", BASE + "apply/q/vehicle/", {"plate": plate}),
        ("question start GET", "GET", BASE + "apply/q/start/", {}),
        ("question start POST", "POST", BASE + "apply/q/start/",
         {"start_date": date.today().isoformat()}),
        ("check", "GET", BASE + "apply/check/", {}),
        ("send", "POST", BASE + "apply/check/", {"idempotency_key": ""}),
        ("confirmation", "GET", None, {}),
    ]  # fmt: skip


EXPECTED = {"GET": 200, "POST": 302}


def applicants(count: int) -> list[tuple[str, str]]:
    """(session key, plate) for ``count`` residents holding a vehicle, logged in, no draft."""
    return [(logged_in_session(user), plate)
            for user, plate in vehicle_holders(count, "journey")]  # fmt: skip


# One measured request: (step, client seconds, server ms, SQL statements, answered as expected).
Sample = tuple[str, float, float, int, bool]


def journey(port: int, session: str, plate: str) -> list[Sample]:
    samples: list[Sample] = []
    location = ""
    key = ""
    for name, method, path, fields in steps(plate):
        if name == "send":
            fields = {"idempotency_key": key}
        target = path or location.replace(f"http://{HOST}:{port}", "")
        body = "&".join(f"{k}={v}" for k, v in {"csrfmiddlewaretoken": CSRF, **fields}.items())
        headers = {"Host": f"{HOST}:{port}", "Cookie": f"sessionid={session}; csrftoken={CSRF}",
                   "Referer": f"http://{HOST}:{port}/"}  # fmt: skip
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(method, target, body if method == "POST" else None, headers)
        response = connection.getresponse()
        page = response.read()
        elapsed = time.perf_counter() - started
        connection.close()
        timing = response.getheader("Server-Timing", "app;dur=0").split("dur=")[-1]
        statements = int(response.getheader("X-SQL-Statements", "0"))
        location = response.getheader("Location", "") or location
        if name == "check":
            found = KEY.search(page.decode())
            key = found.group(1) if found else ""
        ok = response.status == EXPECTED[method]
        samples.append((name, elapsed, float(timing), statements, ok))
        if not ok:
            break
    return samples


def _run_threads(threads: int, work: list[Any], call: Any) -> list[Any]:
    """Run ``call(item)`` for every item of ``work`` from ``threads`` threads; the results."""
    results: list[Any] = []
    lock = threading.Lock()
    pending = list(work)

    def client() -> None:
        while True:
            with lock:
                if not pending:
                    return
                item = pending.pop()
            outcome = call(item)
            with lock:
                results.append(outcome)

    running = [threading.Thread(target=client) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return results


def http_client(arguments: tuple[int, int, list[tuple[str, str]]]) -> list[list[Sample]]:
    port, threads, work = arguments
    return _run_threads(threads, work, lambda item: journey(port, *item))


def spread(work: list[Any]) -> list[list[Any]]:
    """``work`` dealt over the client processes."""
    return [work[i::PROCESSES] for i in range(PROCESSES)]


def serve(port: int) -> subprocess.Popen[bytes]:
    options = ["--workers", str(WORKERS), "--worker-class", WORKER_CLASS, "--threads", str(THREADS)]
    return serve_gunicorn(port, URL, options)


# ---- the baseline: the statements of one journey, captured in-process, replayed with psycopg


def captured_journey(session: str, plate: str) -> list[tuple[str, list[tuple[str, Any]]]]:
    """Make one journey in-process and return, per step, its SQL statements with parameters.

    Everything runs in a transaction that is rolled back: the database is left as it was. The
    savepoints that the outer transaction turns the server's transactions into are left out.
    """
    from django.db import connection, transaction
    from django.test import Client

    client = Client(enforce_csrf_checks=False, HTTP_HOST=HOST)
    client.cookies["sessionid"] = session
    captured: list[tuple[str, list[tuple[str, Any]]]] = []
    current: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO")):
            # Django binds on the client side: the server receives this very text.
            compose = connection.ops.compose_sql  # type: ignore[attr-defined]
            for one in params if many else [params]:
                current.append((compose(sql, one), None))
        return execute(sql, params, many, context)

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic(), connection.execute_wrapper(capture):
            location, key = "", ""
            for name, method, path, fields in steps(plate):
                current = []
                if name == "send":
                    fields = {"idempotency_key": key}
                target = path or location
                response = (client.post(target, fields) if method == "POST"
                            else client.get(target))  # fmt: skip
                assert response.status_code == EXPECTED[method], (
                    name, response.status_code, response.content[:400])  # fmt: skip
                location = response.get("Location", "") or location
                if name == "check":
                    found = KEY.search(response.content.decode())
                    key = found.group(1) if found else ""
                captured.append((name, current))
            raise Rollback
    except Rollback:
        pass
    return captured


WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|WITH\b.*\b(INSERT|UPDATE|DELETE)\b)|FOR UPDATE",
                    re.IGNORECASE | re.DOTALL)  # fmt: skip


APPEND = "INSERT INTO audit_accesslogentry"


def replay(
    connection: psycopg.Connection[Any], captured: list[tuple[str, list[tuple[str, Any]]]]
) -> list[tuple[str, float]]:
    """One journey's statements, step by step: (step, seconds)."""
    timings = []
    cursor = connection.cursor()
    for name, statements in captured:
        started = time.perf_counter()
        for sql, params in statements:
            cursor.execute(sql.encode(), params)  # bytes: taken as is, no placeholders
            if APPEND in sql:
                # The server commits each access-log append on its own, releasing the log's
                # lock: so does the replay (rolled back, then one durable commit for it).
                connection.rollback()
                connection.execute("INSERT INTO bench_journey_commit DEFAULT VALUES")
                connection.commit()
        connection.rollback()
        if any(WRITES.search(sql) and APPEND not in sql for sql, _params in statements):
            connection.execute("INSERT INTO bench_journey_commit DEFAULT VALUES")
            connection.commit()
        timings.append((name, time.perf_counter() - started))
    return timings


def _baseline_client(
    arguments: tuple[int, list[Any]],
) -> list[list[tuple[str, float]]]:
    threads, work = arguments
    local = threading.local()

    def call(captured: Any) -> list[tuple[str, float]]:
        if not hasattr(local, "connection"):
            local.connection = psycopg.connect(URL, prepare_threshold=None)
        return replay(local.connection, captured)

    return _run_threads(threads, work, call)


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    if os.environ.get("LOKET_BENCH_KEEP_DATABASE"):  # iterating on the bench: reuse the data
        setup_django(URL)
    else:
        fresh_database(URL, residents=3000)
    people = applicants(JOURNEYS + 1 + CLIENTS)
    threads = max(1, CLIENTS // PROCESSES)
    port = free_port()
    server = serve(port)
    context = multiprocessing.get_context("spawn")
    try:
        journey(port, *people[0])  # warm up
        started = time.perf_counter()
        with context.Pool(PROCESSES) as pool:
            outcomes = pool.map(
                http_client, [(port, threads, part) for part in spread(people[1:-CLIENTS])]
            )
        http_elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait()
    journeys = [samples for part in outcomes for samples in part]
    complete = [s for s in journeys if len(s) == len(steps("")) and all(x[4] for x in s)]
    failed = len(journeys) - len(complete)
    http_rate = len(complete) / http_elapsed

    # One captured journey per concurrent client, each of another applicant: replays running at
    # once then contend only where real journeys do (the access log's state row), not on one
    # applicant's draft or rate counter.
    captured_set = [captured_journey(*person) for person in people[-CLIENTS:]]
    captured = captured_set[0]
    with psycopg.connect(URL, autocommit=True) as admin:
        admin.execute("CREATE TABLE IF NOT EXISTS bench_journey_commit (id bigserial PRIMARY KEY)")
    started = time.perf_counter()
    with context.Pool(PROCESSES) as pool:
        base_outcomes = pool.map(
            _baseline_client,
            [
                (threads, part)
                for part in spread([captured_set[i % CLIENTS] for i in range(len(journeys))])
            ],
        )
    base_elapsed = time.perf_counter() - started
    base_rate = len(journeys) / base_elapsed

    by_step: dict[str, list[Sample]] = defaultdict(list)
    for samples in complete:
        for sample in samples:
            by_step[sample[0]].append(sample)
    base_by_step: dict[str, list[float]] = defaultdict(list)
    for part in base_outcomes:
        for timings in part:
            for name, seconds in timings:
                base_by_step[name].append(seconds * 1000)
    print(
        f"whole journeys over HTTP ({CLIENTS} applicants from {PROCESSES} client processes,"
        f" gunicorn {WORKERS} {WORKER_CLASS} workers x {THREADS} threads, {len(journeys)}"
        f" journeys of {len(steps(''))} requests, {failed} failed): {http_rate:,.1f} journeys/s"
    )
    print(f"same SQL with psycopg (same clients): {base_rate:,.1f} journeys/s")
    print(f"  ratio HTTP / direct SQL: {http_rate / base_rate:.2f}")
    print()
    columns = ("server p50", "p95", "SQL", "psycopg p50", "client p95")
    print(
        f"{'step':<26} "
        + " ".join(f"{c:>{w}}" for c, w in zip(columns, (10, 8, 4, 12, 11), strict=True))
    )
    total_sql = 0
    for name, *_rest in steps(""):
        samples = by_step[name]
        if not samples:
            continue
        server_ms = [s[2] for s in samples]
        client_ms = [s[1] * 1000 for s in samples]
        sql = round(statistics.median([s[3] for s in samples]))
        total_sql += sql
        print(
            f"{name:<26} {percentile(server_ms, 50):8.1f}ms {percentile(server_ms, 95):6.1f}ms"
            f" {sql:>4} {percentile(base_by_step[name], 50):10.1f}ms"
            f" {percentile(client_ms, 95):9.1f}ms"
        )
    print(f"SQL statements per journey: {total_sql}"
          f" (baseline: {sum(len(s) for _n, s in captured)} captured in-process)")  # fmt: skip
    result(
        "whole journeys over HTTP", http_rate, "journeys/s",
        baseline=f"psycopg {base_rate:,.1f}/s", ratio=round(http_rate / base_rate, 3),
        target=">= 0.25", clients=CLIENTS, failed=failed, statements=total_sql,
    )  # fmt: skip


if __name__ == "__main__":
    main()
