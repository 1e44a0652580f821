"""Bytes and server time of the pages people open most, on each demo door, beside static files
served in the same run.

Measured in-process with Django's test Client (the whole middleware stack, templates, the
database, no network): home, catalogue, a procedure page, a search query, a form page (the
parking card's first step), my cases (the resident logged in) and the back-office queue (the
agent of parking.brussels), on the region's door (127.0.0.1) and on Ixelles' and Schaerbeek's.

For each page: the HTML's bytes raw, gzip- and brotli-compressed, the files it references as
WhiteNoise sends them, the total against the page type's budget (loket.web.weight), the SQL
statements it sends (``X-SQL-Statements``, test settings only) and the server time p50/p95 over
``LOKET_BENCH_ROUNDS`` requests (default 100) after one warm-up. The baselines are served by
WhiteNoise through the same client: the stylesheet, and a plain static HTML file holding the
region's home page as rendered (the same bytes, no Django view): what a request costs before
any view runs. Database: ``LOKET_BENCH_DATABASE_URL`` (default
postgresql://postgres@127.0.0.1:5432/loket_bench), dropped and recreated with 3,000 residents
(``LOKET_BENCH_KEEP_DATABASE=1``: used as it is). Nothing here fails on a timing.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import fresh_database, result, setup_django
from loket.web.weight import MEASURED_DOORS, MEASURED_PAGES

URL = os.environ.get("LOKET_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/loket_bench")
ROUNDS = int(os.environ.get("LOKET_BENCH_ROUNDS", "100"))
DOORS = MEASURED_DOORS
PAGES = MEASURED_PAGES
STYLESHEET = "/static/loket/loket.css"
PLAIN_HTML = "/static/bench/plain-home.html"
TARGET_MS = 5.0  # issue #21: no page above 5 ms at p50 on the demo data


def timings(client: Any, path: str, rounds: int) -> tuple[list[float], int]:
    """Seconds per request of ``path`` after one warm-up request, and the SQL statements of the
    last one; every answer must be a 200."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return times, int(response.get("X-SQL-Statements", "0"))


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:6.2f}"


def plain_html_root() -> Path:
    """A static root WhiteNoise serves, set before Django starts; the plain page goes in later."""
    root = Path(tempfile.mkdtemp(prefix="loket-bench-static-"))
    os.environ["LOKET_STATIC_ROOT"] = str(root)
    return root


def baselines(root: Path, home_html: bytes) -> dict[str, tuple[list[float], int]]:
    from django.test import Client

    (root / "bench").mkdir(exist_ok=True)
    (root / "bench" / "plain-home.html").write_bytes(home_html)
    client = Client(HTTP_HOST=DOORS[0])  # a new handler: its WhiteNoise finds the new file
    return {path: timings(client, path, ROUNDS) for path in (STYLESHEET, PLAIN_HTML)}


def main() -> None:
    root = plain_html_root()
    if os.environ.get("LOKET_BENCH_KEEP_DATABASE"):
        setup_django(URL)
    else:
        fresh_database(URL, residents=3000)
    from django.test import Client

    from loket.core.models import User
    from loket.web.weight import page_weight

    people = {
        key: User.objects.get(username=f"demo-{key}") for key in ("resident", "agent-parking")
    }
    region_home = Client(HTTP_HOST=DOORS[0])
    region_home.force_login(people["resident"])
    base = baselines(root, region_home.get("/en/").content)
    plain50 = statistics.median(base[PLAIN_HTML][0])
    for path, (times, _statements) in base.items():
        print(f"baseline, static file {path}: p50 {ms(statistics.median(times))} ms,"
              f" p95 {ms(p95(times))} ms")  # fmt: skip
    print()
    print(f"{'page':<18} {'door':<21} {'HTML raw':>8} {'gzip':>6} {'br':>6} {'files':>6}"
          f" {'total':>6} {'budget':>6} {'SQL':>4} {'p50 ms':>7} {'p95 ms':>7}"
          f" {'p50/plain':>9}")  # fmt: skip
    heaviest: dict[str, tuple[int, int, str]] = {}
    for page, path, who in PAGES:
        for host in DOORS:
            client = Client(HTTP_HOST=host)
            client.force_login(people[who])
            weight = page_weight(client.get, page, path)
            times, statements = timings(client, path, ROUNDS)
            p50 = statistics.median(times)
            print(
                f"{page:<18} {host:<21} {weight.html_raw:>8} {weight.html_gzip:>6}"
                f" {weight.html_brotli:>6} {weight.files_total:>6} {weight.total:>6}"
                f" {weight.budget:>6} {statements:>4} {ms(p50):>7} {ms(p95(times)):>7}"
                f" {p50 / plain50:>9.1f}"
            )
            result(
                f"server time, {page} on {host} (p50; p95 {p95(times) * 1000:.1f} ms,"
                f" {statements} SQL statements)", p50 * 1000, "ms",
                baseline=f"plain static HTML p50 {plain50 * 1000:.2f} ms",
                ratio=round(p50 / plain50, 1), target=f"p50 ≤ {TARGET_MS:g} ms (#21)",
            )  # fmt: skip
            if weight.total > heaviest.get(page, (0, 0, ""))[0]:
                heaviest[page] = (weight.total, weight.budget, host)
    for page, (total, budget, host) in heaviest.items():
        result(
            f"page weight, {page} (heaviest door: {host}; HTML gzip + files as sent)",
            total, "bytes", baseline=f"budget {budget} bytes", ratio=round(total / budget, 2),
            target="≤ budget",
        )  # fmt: skip


if __name__ == "__main__":
    main()
