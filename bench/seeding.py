"""Register generation speed: `loket seed --residents N` on PostgreSQL, as an operator runs it.

A fresh database (``LOKET_BENCH_DATABASE_URL``, default
postgresql://postgres@127.0.0.1:5432/loket_bench, dropped and recreated) is migrated, and the
real command runs in a subprocess: the baseline `loket seed --residents 0` (all a seed does
besides generating the population: reference data, catalogue, address samples, the demo people,
their history), then on a fresh database again `loket seed --residents N`
(``LOKET_BENCH_RESIDENTS``, default 100,000). Generation time is the difference;
residents per second projects the time for the region's 1,200,000 residents against the target
of 180 s.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.common import result

URL = os.environ.get("LOKET_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/loket_bench")
RESIDENTS = int(os.environ.get("LOKET_BENCH_RESIDENTS", "100000"))
REGION = 1_200_000
TARGET_SECONDS = 180


CPU: list[float] = []  # CPU seconds of each command's process: a loaded machine stretches wall time


def loket(*arguments: str) -> float:
    """Seconds one `loket …` command takes in its own process, on the bench database."""
    environment = {**os.environ, "LOKET_ENV": "test", "LOKET_TEST_DATABASE_URL": URL}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).parent / "loket"), *arguments],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return elapsed


def fresh_migrated() -> None:
    base, name = URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    loket("migrate", "--verbosity", "0")


def main() -> None:
    fresh_migrated()
    baseline = loket("seed", "--residents", "0")  # everything but the population: the baseline
    fresh_migrated()
    total = loket("seed", "--residents", str(RESIDENTS))
    generation = max(total - baseline, 1e-9)
    rate = RESIDENTS / generation
    projected = REGION / rate
    verdict = "met" if projected <= TARGET_SECONDS else "NOT met"
    print(f"baseline `loket seed --residents 0` (reference data, demo people): {baseline:.1f} s")
    print(f"`loket seed --residents {RESIDENTS:,}`: {total:.1f} s, generation {generation:.1f} s")
    print(f"  {rate:,.0f} residents/s; projected for {REGION:,}: {projected:.0f} s"
          f" (target {TARGET_SECONDS} s: {verdict})")  # fmt: skip
    cpu = max(CPU[-1] - CPU[-3], 1e-9)  # the seed with residents minus the baseline seed
    print(f"  CPU of the loket process for the generation: {cpu:.1f} s ({RESIDENTS / cpu:,.0f}"
          " residents per CPU second; the rest is PostgreSQL and waiting)")  # fmt: skip
    result(
        "register generation", rate, "residents/s",
        baseline=f"seed --residents 0: {baseline:.1f} s",
        target=f"1.2 M in <= {TARGET_SECONDS} s (projected {projected:.0f} s)",
    )  # fmt: skip


if __name__ == "__main__":
    main()
