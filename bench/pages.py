"""Server time of the pages people open most, against a static file served in the same run.

Measured in-process with Django's test Client (the whole middleware stack, templates, the
database, no network): home, catalogue, a procedure page, a search query, and the my-cases page
of a logged-in resident. The baseline is the stylesheet served by whitenoise through the same
client: what a request costs before any view runs. p50 and p95 over ``LOKET_BENCH_ROUNDS``
requests each (default 100). Database: ``LOKET_BENCH_DATABASE_URL`` (default
postgresql://postgres@127.0.0.1:5432/loket_bench), dropped and recreated with 3,000 residents.
"""

from __future__ import annotations

import os
import statistics
import time

from bench.common import fresh_database, result

URL = os.environ.get("LOKET_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/loket_bench")
ROUNDS = int(os.environ.get("LOKET_BENCH_ROUNDS", "100"))
PAGES = [
    ("home", "/en/"),
    ("catalogue", "/en/procedures/"),
    ("procedure page", "/en/procedures/residents-parking-card/"),
    ("search query", "/en/search/?q=parking"),
    ("my cases", "/en/my-cases/"),
]
STATIC = "/static/loket/loket.css"


def timings(client: object, path: str, rounds: int) -> list[float]:
    """Seconds per request of ``path``, after one warm-up request; every answer must be a 200."""
    get = client.get  # type: ignore[attr-defined]
    response = get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = get(path)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> None:
    fresh_database(URL, residents=3000)
    from django.test import Client

    from loket.core.models import User

    client = Client()
    client.force_login(User.objects.get(username="demo-resident"))
    baseline = timings(client, STATIC, ROUNDS)
    base50 = statistics.median(baseline)
    print(
        f"baseline, static file {STATIC}: p50 {base50 * 1000:.2f} ms,"
        f" p95 {p95(baseline) * 1000:.2f} ms"
    )
    for name, path in PAGES:
        times = timings(client, path, ROUNDS)
        p50 = statistics.median(times)
        print(
            f"{name:<15} {path:<42} p50 {p50 * 1000:6.1f} ms, p95 {p95(times) * 1000:6.1f} ms;"
            f"  ratio p50 / static: {p50 / base50:.1f}"
        )
        result(
            f"server time, {name} (p50; p95 {p95(times) * 1000:.0f} ms)", p50 * 1000, "ms",
            baseline=f"static file p50 {base50 * 1000:.2f} ms", ratio=round(p50 / base50, 1),
        )  # fmt: skip


if __name__ == "__main__":
    main()
