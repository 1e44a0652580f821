"""`make bench`: run every benchmark and write bench/results/latest.md.

Each benchmark module runs in its own process (each sets Django up on its own database), with
``LOKET_BENCH_DATABASE_URL`` pointing at one PostgreSQL database: ``LOKET_BENCH_DATABASE_URL``,
else ``LOKET_TEST_DATABASE_URL``, else postgresql://postgres@127.0.0.1:5432/loket_bench, created
if missing. When PostgreSQL cannot be reached, the benchmarks that need it are listed as skipped
and the others run on SQLite; the report says so. The report has a header describing the
machine, a summary of the figures the modules printed as ``@bench`` lines (bench.common.result),
and one section per benchmark with its whole output (figures, baseline and ratio).

``python -m bench.run [module ...]`` runs only the named modules. Sizes come from each module's
environment variables (LOKET_BENCH_RESIDENTS, LOKET_BENCH_APPLICANTS, LOKET_BENCH_OTHERS, …).
A dated copy of the report is kept next to latest.md (ignored by git).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/loket_bench"

# (module, needs PostgreSQL, what it measures)
BENCHMARKS: list[tuple[str, bool, str]] = [
    ("submission", True, "Submissions through HTTP with concurrent clients vs psycopg"),
    ("journey", True, "Whole parking-card journeys through HTTP vs the same SQL with psycopg"),
    ("scale", True, "Scale out: 1, 2, 4 server processes and 1, 2 task workers, one PostgreSQL"),
    ("pages", True, "Page bytes, SQL statements and server times per door vs static files"),
    ("seeding", True, "Register generation speed (`loket seed --residents N`)"),
    ("audit_log", True, "Access log: appends, consultations, My data, verify"),
    ("memory", True, "Memory per worker process (gunicorn workers, task worker)"),
    ("foundation", False, "Generator scaling and catalogue search (SQLite)"),
    ("opendata_publish", True, "Open-data publication"),
    ("certificates", True, "Certificates: seal and timestamp vs rendering, concurrent issuing"),
    ("geo_search", False, "Address search (SQLite)"),
    ("geo_import", False, "Address register import (SQLite)"),
    ("assist", False, "Incident classifier: training time and suggestion server time (SQLite)"),
    ("finder", False, "Procedure finder: build time and search page time vs word search (SQLite)"),
]


@dataclass
class Outcome:
    module: str
    title: str
    seconds: float = 0.0
    status: str = "ok"
    output: str = ""
    figures: list[dict[str, Any]] = field(default_factory=list)


def database_url() -> str:
    return (
        os.environ.get("LOKET_BENCH_DATABASE_URL")
        or os.environ.get("LOKET_TEST_DATABASE_URL")
        or DEFAULT_URL
    )


def postgres_server(url: str) -> str | None:
    """The server version after making sure the database exists; None if unreachable."""
    base, name = url.rsplit("/", 1)
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5) as admin:
            version = str(admin.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
            if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                admin.execute(f'CREATE DATABASE "{name}"')
            return version
    except psycopg.OperationalError:
        return None


def _read(path: str, prefix: str, separator: str = ":") -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(separator, 1)[1].strip().strip('"')
    except OSError:
        pass
    return "unknown"


def machine(pg_version: str | None) -> list[tuple[str, str]]:
    memory_kb = _read("/proc/meminfo", "MemTotal")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    sizes = ", ".join(
        f"{name}={value}"
        for name, value in sorted(os.environ.items())
        if name.startswith("LOKET_BENCH_") and not name.endswith("DATABASE_URL")
    )
    return [
        ("Date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", _read("/proc/cpuinfo", "model name")),
        ("Cores", str(os.cpu_count())),
        (
            "RAM",
            f"{int(memory_kb.split()[0]) / 2**20:.1f} GiB" if memory_kb[:1].isdigit() else "?",
        ),
        (
            "OS",
            f"{platform.system()} {platform.release()}"
            f" ({_read('/etc/os-release', 'PRETTY_NAME=', '=')})",
        ),
        ("Python", platform.python_version()),
        ("PostgreSQL", pg_version or "unreachable: the PostgreSQL benchmarks were skipped"),
        ("Git commit", (commit or "unknown") + (" with uncommitted changes" if dirty else "")),
        ("Sizes", sizes or "each module's defaults"),
    ]


def run_module(module: str, title: str, url: str | None, timeout: float) -> Outcome:
    outcome = Outcome(module, title)
    environment = {**os.environ, "LOKET_ENV": "test"}
    if url:
        environment["LOKET_BENCH_DATABASE_URL"] = url
    started = time.perf_counter()
    try:
        process = subprocess.run(
            [sys.executable, "-m", f"bench.{module}"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        output, error, code = process.stdout, process.stderr, process.returncode
    except subprocess.TimeoutExpired as expired:
        output = (expired.stdout or b"").decode() if isinstance(expired.stdout, bytes) else ""
        error, code = f"timed out after {timeout:.0f} s", -1
    outcome.seconds = time.perf_counter() - started
    lines = []
    for line in output.splitlines():
        if line.startswith("@bench "):
            outcome.figures.append(json.loads(line[len("@bench ") :]))
        else:
            lines.append(line)
    outcome.output = "\n".join(lines)
    if code != 0:
        outcome.status = f"failed (exit {code})"
        outcome.output += "\n" + "\n".join(error.strip().splitlines()[-15:])
    print(f"  {module}: {outcome.status} in {outcome.seconds:.0f} s", flush=True)
    return outcome


def _figure(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def write_report(header: list[tuple[str, str]], outcomes: list[Outcome], note: str) -> str:
    lines = ["# Loket benchmarks", "", "Produced by `make bench` (bench/run.py). " + note, ""]
    lines += ["| Machine | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in header] + [""]
    lines += [
        "## Summary",
        "",
        "| Figure | Value | Baseline | Ratio | Target |",
        "|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        for f in outcome.figures:
            lines.append(
                f"| {f['name']} | {_figure(f['value'])} {f['unit']}"
                f" | {_figure(f.get('baseline', ''))}"
                f" | {_figure(f.get('ratio', ''))} | {f.get('target', '')} |"
            )
    lines.append("")
    for outcome in outcomes:
        lines += [f"## {outcome.title} (`bench.{outcome.module}`)", ""]
        lines += [f"{outcome.status}, {outcome.seconds:.0f} s.", ""]
        if outcome.output.strip():
            lines += ["```", outcome.output.strip(), "```", ""]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    wanted = set(argv)
    url = database_url()
    version = postgres_server(url)
    if version:
        note = f"PostgreSQL benchmarks ran on `{url.rsplit('@', 1)[-1]}`."
    else:
        note = (
            f"**PostgreSQL was unreachable at `{url.rsplit('@', 1)[-1]}`: only the SQLite"
            " benchmarks ran.** Set LOKET_BENCH_DATABASE_URL to a PostgreSQL server."
        )
        print("bench: " + note.replace("**", ""), file=sys.stderr)
    header = machine(version)
    timeout = float(os.environ.get("LOKET_BENCH_TIMEOUT", "3600"))
    outcomes = []
    for module, needs_postgres, title in BENCHMARKS:
        if wanted and module not in wanted:
            continue
        if needs_postgres and not version:
            outcomes.append(Outcome(module, title, status="skipped: PostgreSQL unreachable"))
            continue
        outcomes.append(run_module(module, title, url if version else None, timeout))
    report = write_report(header, outcomes, note)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(report + "\n")
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%M")
    (RESULTS / f"{stamp}.md").write_text(report + "\n")
    print(f"bench: report written to {RESULTS / 'latest.md'}")
    if any(o.status.startswith("failed") for o in outcomes):
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
