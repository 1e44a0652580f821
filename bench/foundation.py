"""Benchmarks for the foundation. They print ratios against a baseline measured in the same run.

- generator scaling: seconds per resident and peak traced memory when generating N and 5·N
  residents. A ratio near 1.0 for time per resident and well below 5 for memory means the
  generator is linear and streams, so the region's 1.2 million residents fit.
- search: time per query of the catalogue search against a baseline that only normalises the
  query and does a substring scan of the names (the cheapest possible search).

Run with `make bench`. Nothing here fails on a timing.
"""

from __future__ import annotations

import tempfile
import time
import tracemalloc
from pathlib import Path

from bench.common import setup_django


def migrated_sqlite(database: Path) -> None:
    setup_django(f"sqlite:///{database}")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(residents: int, trace: bool) -> tuple[float, int]:
    """Generate ``residents`` into empty register tables; seconds (or peak bytes if ``trace``)."""
    from django.db import connection

    from loket.registers import models
    from loket.registers.generator import RegisterGenerator

    with connection.cursor() as cursor:  # children before parents; the tables are ours
        for model in (
            models.SocialStatus,
            models.Vehicle,
            models.Mandatary,
            models.Establishment,
            models.Resident,
            models.Household,
            models.Enterprise,
            models.Address,
        ):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
    generator = RegisterGenerator(residents, seed=1)  # name pools drawn outside the measure
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    generator.run()
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    return elapsed, peak


def bench_generator(small: int = 3000, factor: int = 5) -> None:
    large = small * factor
    small_time, _ = generate(small, trace=False)
    large_time, _ = generate(large, trace=False)
    _, small_peak = generate(small, trace=True)
    _, large_peak = generate(large, trace=True)
    per_small, per_large = small_time / small, large_time / large
    print(f"generator: {small} residents in {small_time:.2f}s, {large} in {large_time:.2f}s")
    print(f"  time per resident, {factor}x population vs baseline: {per_large / per_small:.2f}")
    print(f"  peak traced memory, {factor}x population vs baseline: {large_peak / small_peak:.2f}")
    print(f"  projected for 1,200,000 residents: {per_large * 1_200_000 / 60:.1f} min (SQLite)")


def bench_search(rounds: int = 200) -> None:
    from loket.catalog.models import Procedure
    from loket.catalog.reference import load_catalogue
    from loket.catalog.search import index, normalise
    from loket.core.reference import load_administrations

    load_administrations()
    load_catalogue()
    queries = ["parkeerkaart", "carte riverain", "déménagement", "verhuizen", "terras", "prime"]
    names = [normalise(" ".join(p.names.values())) for p in Procedure.objects.all()]
    index.search("warm up")

    started = time.perf_counter()
    for _ in range(rounds):
        for query in queries:
            needle = normalise(query)
            [name for name in names if needle in name]
    baseline = (time.perf_counter() - started) / (rounds * len(queries))

    started = time.perf_counter()
    for _ in range(rounds):
        for query in queries:
            index.search(query)
    measured = (time.perf_counter() - started) / (rounds * len(queries))
    print(f"search: {measured * 1e6:.0f} µs per query; substring scan {baseline * 1e6:.0f} µs")
    print(f"  ratio search / baseline: {measured / baseline:.1f}")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        migrated_sqlite(Path(folder) / "bench.sqlite3")
        bench_generator()
        bench_search()


if __name__ == "__main__":
    main()
