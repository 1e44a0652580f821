"""Scale out, shown: the whole-journey benchmark with 1, 2 and 4 server processes, then with 1 and
2 task workers running beside the servers, all against one PostgreSQL.

Each run gives ``LOKET_BENCH_SCALE_JOURNEYS`` (default 96) complete parking-card journeys
(bench.journey's steps, 16 applicants at once from 4 client processes) to gunicorn with 1, 2 or
4 sync worker processes. For each it prints journeys per second, in all and per server process,
and what each part of the machine used in that window, read from /proc: CPU seconds of the
server processes, of PostgreSQL's processes and of the rest (the load generator), the machine's
CPU busy share (both cores), transactions and WAL bytes per journey (pg_stat_database,
pg_current_wal_lsn) and lock waits, sampled every 10 ms from pg_stat_activity: the share of
samples in which a session waited on a lock, and in which one waited on the access log's state
row (the log's sequencer, audit_logstate). What saturates first is the resource nearest to 100 %
of what this machine has.

The task-worker runs repeat the 2-process run with ``loket worker`` processes sending the
journeys' notices by SMTP to a real SMTP server (aiosmtpd) in this process: tasks run per second
and the backlog left when the last journey ends. Database: ``LOKET_BENCH_DATABASE_URL`` (default
loket_scale_bench), dropped and recreated.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bench.common import ROOT, free_port, fresh_database, result, serve_gunicorn

URL = os.environ.get(
    "LOKET_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loket_scale_bench"
)
JOURNEYS = int(os.environ.get("LOKET_BENCH_SCALE_JOURNEYS", "96"))
SERVER_PROCESSES = (1, 2, 4)
TASK_WORKERS = (1, 2)
TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


def _stat(pid: int) -> tuple[str, int, float] | None:
    """(command, parent pid, CPU seconds used) of a live process, None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    command = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return command, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS


def process_table() -> dict[int, tuple[str, int, float]]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                found[int(entry.name)] = stat
    return found


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


@dataclass
class Usage:
    """CPU seconds per group of processes at one moment."""

    server: float
    database: float
    workers: float
    busy: float
    total: float


def usage(server_pid: int, worker_pids: list[int]) -> Usage:
    table = process_table()
    server = sum(cpu for pid, (_command, parent, cpu) in table.items()
                 if server_pid in (pid, parent))  # fmt: skip
    database = sum(cpu for command, _parent, cpu in table.values() if command == "postgres")
    workers = sum(table[p][2] for p in worker_pids if p in table)
    busy, total = machine_busy()
    return Usage(server, database, workers, busy, total)


def database_counters(connection: psycopg.Connection[Any]) -> tuple[int, int, int]:
    """(commits, WAL bytes written, access-log entries) so far."""
    row = connection.execute(
        "SELECT xact_commit, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint,"
        " (SELECT size FROM audit_logstate WHERE id = 1)"
        " FROM pg_stat_database WHERE datname = current_database()"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2] or 0)


class LockSampler(threading.Thread):
    """Every 10 ms: is any session waiting on a lock, and on the access log's state row?"""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples = self.waiting = self.on_log = 0
        self.stop = threading.Event()

    def run(self) -> None:
        with psycopg.connect(URL, autocommit=True) as connection:
            while not self.stop.is_set():
                row = connection.execute(
                    "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'),"
                    " count(*) FILTER (WHERE wait_event_type = 'Lock'"
                    " AND query ILIKE '%audit_logstate%')"
                    " FROM pg_stat_activity WHERE datname = current_database()"
                ).fetchone()
                assert row is not None
                self.samples += 1
                self.waiting += 1 if row[0] else 0
                self.on_log += 1 if row[1] else 0
                time.sleep(0.01)


@dataclass
class Run:
    label: str
    processes: int
    workers: int
    journeys: int
    failed: int
    seconds: float
    server_cpu: float
    database_cpu: float
    worker_cpu: float
    other_cpu: float
    busy_share: float
    commits: int
    wal_bytes: int
    lock_share: float
    log_lock_share: float
    appends: int = 0
    tasks_done: int = 0
    backlog: int = 0

    @property
    def rate(self) -> float:
        return self.journeys / self.seconds


def pending_mail(connection: psycopg.Connection[Any]) -> tuple[int, int]:
    """(tasks done, tasks waiting) of the queue."""
    row = connection.execute(
        "SELECT count(*) FILTER (WHERE state = 'done'),"
        " count(*) FILTER (WHERE state IN ('queued', 'running'))"
        " FROM tasks_task"
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def start_workers(count: int, smtp_port: int) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ, "LOKET_ENV": "test", "LOKET_TEST_DATABASE_URL": URL,
        "LOKET_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}", "PYTHONPATH": str(ROOT / "src"),
    }  # fmt: skip
    return [
        subprocess.Popen(
            [sys.executable, "-m", "loket.cli", "worker", "--idle", "0.2"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def measure(label: str, server_processes: int, people: list[tuple[str, str]], workers: int,
            smtp_port: int) -> Run:  # fmt: skip
    from bench import journey

    port = free_port()
    server = serve_gunicorn(port, URL, ["--workers", str(server_processes)])
    task_workers = start_workers(workers, smtp_port) if workers else []
    context = multiprocessing.get_context("spawn")
    threads = max(1, journey.CLIENTS // journey.PROCESSES)
    try:
        for person in people[:server_processes]:  # each process answers once before the measure
            journey.journey(port, *person)
        work = people[server_processes:]
        with psycopg.connect(URL, autocommit=True) as connection:
            if workers:  # the earlier runs' notices, which no worker sent, are not this run's
                connection.execute("DELETE FROM tasks_task WHERE state = 'queued'")
            done_before, _ = pending_mail(connection)
            commits_before, wal_before, log_before = database_counters(connection)
            sampler = LockSampler()
            sampler.start()
            before = usage(server.pid, [w.pid for w in task_workers])
            started = time.perf_counter()
            with context.Pool(journey.PROCESSES) as pool:
                outcomes = pool.map(
                    journey.http_client,
                    [(port, threads, part) for part in journey.spread(work)],
                )
            seconds = time.perf_counter() - started
            after = usage(server.pid, [w.pid for w in task_workers])
            sampler.stop.set()
            sampler.join()
            commits_after, wal_after, log_after = database_counters(connection)
            done_after, backlog = pending_mail(connection)
    finally:
        server.terminate()
        server.wait()
        for worker in task_workers:
            worker.terminate()
            worker.wait()
    journeys = [samples for part in outcomes for samples in part]
    steps = len(journey.steps(""))
    complete = [s for s in journeys if len(s) == steps and all(x[4] for x in s)]
    busy = after.busy - before.busy
    server_cpu, database_cpu = after.server - before.server, after.database - before.database
    worker_cpu = after.workers - before.workers
    return Run(
        label, server_processes, workers, len(complete), len(journeys) - len(complete), seconds,
        server_cpu, database_cpu, worker_cpu,
        max(0.0, busy - server_cpu - database_cpu - worker_cpu),
        # The sampler's own queries are transactions too: not the journeys'.
        busy / (after.total - before.total), commits_after - commits_before - sampler.samples - 1,
        wal_after - wal_before, sampler.waiting / max(1, sampler.samples),
        sampler.on_log / max(1, sampler.samples), log_after - log_before,
        done_after - done_before, backlog,
    )  # fmt: skip


class SmtpSink:
    """A real SMTP server (aiosmtpd) that accepts and counts every message."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                sink.received += 1
                return "250 OK"

        self.received = 0
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


def report(runs: list[Run]) -> None:
    single = runs[0].rate
    print(f"{CORES} cores; {JOURNEYS} journeys of 11 requests per run, 16 applicants at once\n")
    print(f"{'run':<28}{'journeys/s':>11}{'per proc':>9}{'vs 1':>6}{'CPU busy':>9}"
          f"{'server':>8}{'postgres':>9}{'workers':>8}{'clients':>8}"
          f"{'xacts/j':>10}{'WAL kB/j':>9}{'log/j':>6}{'lock wait':>10}{'on log':>7}{'tasks/s':>8}"
          f"{'backlog':>8}")  # fmt: skip
    for run in runs:
        per_j = max(1, run.journeys)
        print(
            f"{run.label:<28}{run.rate:>11.2f}{run.rate / run.processes:>9.2f}"
            f"{run.rate / single:>6.2f}{run.busy_share:>9.0%}"
            f"{run.server_cpu / per_j * 1000:>6.0f}ms{run.database_cpu / per_j * 1000:>7.0f}ms"
            f"{run.worker_cpu / per_j * 1000:>6.0f}ms{run.other_cpu / per_j * 1000:>6.0f}ms"
            f"{run.commits / per_j:>10.1f}{run.wal_bytes / per_j / 1024:>9.1f}"
            f"{run.appends / per_j:>6.1f}"
            f"{run.lock_share:>10.1%}{run.log_lock_share:>7.1%}"
            f"{run.tasks_done / run.seconds:>8.1f}{run.backlog:>8}"
        )
    print("\nCPU columns: CPU time per journey. xacts/j: transactions committed per journey"
          " (each statement outside a transaction is one; only those that wrote flush the WAL)."
          "\n'lock wait': share of 10 ms samples in which a session waited on a lock, 'on log':"
          " on the access log's state row. log/j: access-log entries appended per journey."
          " tasks/s: background tasks run (the notices' e-mails,"
          " sent by SMTP to applicants who gave an address).")  # fmt: skip
    for run in runs:
        result(
            f"scale-out, {run.label}", run.rate, "journeys/s", baseline=f"1 process {single:.2f}/s",
            ratio=round(run.rate / single, 3), per_process=round(run.rate / run.processes, 2),
            cpu_busy=round(run.busy_share, 3), failed=run.failed,
            lock_wait=round(run.lock_share, 4), log_lock_wait=round(run.log_lock_share, 4),
            tasks_per_s=round(run.tasks_done / run.seconds, 2), backlog=run.backlog,
            log_appends_per_journey=round(run.appends / max(1, run.journeys), 2),
        )  # fmt: skip


def main() -> None:
    fresh_database(URL, residents=3000)
    from bench.journey import applicants

    plans = [(f"{p} server process{'es' if p > 1 else ''}", p, 0) for p in SERVER_PROCESSES]
    plans += [(f"2 processes + {w} task worker{'s' if w > 1 else ''}", 2, w) for w in TASK_WORKERS]
    each = JOURNEYS + max(p for _l, p, _w in plans)
    people = applicants(each * len(plans))
    assert len(people) == each * len(plans), "not enough residents with a vehicle"
    runs = []
    with SmtpSink() as smtp:
        for number, (label, server_processes, workers) in enumerate(plans):
            chunk = people[number * each : number * each + server_processes + JOURNEYS]
            runs.append(measure(label, server_processes, chunk, workers, smtp.port))
        received = smtp.received
    report(runs)
    print(f"messages received by the SMTP server: {received}")


if __name__ == "__main__":
    main()
