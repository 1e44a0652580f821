"""Benchmark of the procedure finder (assist): the time to build and evaluate a version
(`loket ai train finder`), and the server time of the search page for a situation sentence,
p50 and p95, against a baseline measured in the same run: the same page and sentences answered
by the catalogue's word search alone (no finder version active, as before the finder).

Runs on SQLite (a temporary database with the reference catalogue), so it needs no PostgreSQL.
Nothing fails on a timing.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from bench.assist import percentile
from bench.common import result, setup_django

ROUNDS = 3


def timed_searches(queries: list[str]) -> list[float]:
    from django.test import Client

    client = Client()
    times = []
    for query in queries:
        started = time.perf_counter()
        client.get("/fr/search/", {"q": query})
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        setup_django(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        from django.conf import settings
        from django.core.management import call_command

        settings.ALLOWED_HOSTS = ["*"]
        call_command("migrate", verbosity=0)
        from loket.assist.actions import do_train
        from loket.assist.finder_corpus import frozen_situations
        from loket.assist.finding import FINDER, find_procedures
        from loket.assist.models import ModelVersion
        from loket.catalog.reference import load_catalogue
        from loket.core.reference import load_administrations

        load_administrations()
        load_catalogue()
        queries = [s.text for s in frozen_situations()]
        timed_searches(queries[:10])  # warm: templates, the catalogue's word index
        baseline = [t for _ in range(ROUNDS) for t in timed_searches(queries)]

        started = time.perf_counter()
        version = do_train(FINDER)
        whole = time.perf_counter() - started
        print(f"building: {version.training_seconds:.2f} s indexing, {whole:.1f} s with the "
              f"evaluation on both sets (target: under 120 s)")  # fmt: skip
        result("finder training", whole, "s", target=120)
        assert ModelVersion.objects.filter(task=FINDER, active=True).exists()
        timed_searches(queries[:10])  # warm: the version is unpickled once per process
        finder = [t for _ in range(ROUNDS) for t in timed_searches(queries)]
        p95, base95 = percentile(finder, 0.95), percentile(baseline, 0.95)
        print(f"search page with the finder over {len(finder)} sentences: "
              f"p50 {statistics.median(finder):.2f} ms, p95 {p95:.2f} ms")  # fmt: skip
        print(f"baseline (same page, word search alone): p50 {statistics.median(baseline):.2f} "
              f"ms, p95 {base95:.2f} ms; ratio p95 {p95 / base95:.1f}x")  # fmt: skip
        result("finder search page p95", p95, "ms", baseline=round(base95, 3),
               ratio=round(p95 / base95, 2))  # fmt: skip
        alone = []
        for _round in range(ROUNDS):
            for query in queries:
                started = time.perf_counter()
                find_procedures(query)
                alone.append((time.perf_counter() - started) * 1000)
        p50, p95 = statistics.median(alone), percentile(alone, 0.95)
        print(f"find_procedures alone (language, finder, word search, rows): p50 {p50:.2f} ms, "
              f"p95 {p95:.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
