"""Where a journey's time goes: ``python -m bench.profile journey`` (or ``submission``, or
``page PATH [IDENTITY [HOST]]``, or ``consult``).

In-process on PostgreSQL with Django's test Client (the whole middleware stack, no network):
``journey`` profiles ``LOKET_BENCH_PROFILE_JOURNEYS`` (default 50) complete parking-card journeys
(bench.journey's steps), ``submission`` only their final POST, under cProfile, after one journey
of warm-up; ``page`` as many requests of one page (e.g. ``page /en/back-office/ agent-parking``).
The top entries by own time and by cumulative time, and the SQL statements per step, go to
bench/results/profile-<what>.md and to stdout. ``consult`` profiles 2,000 consultations through
the one door (bench.audit_log's) and lists one consultation's statements. Database:
``LOKET_BENCH_DATABASE_URL`` (default loket_profile_bench), dropped and recreated
(``LOKET_BENCH_KEEP_DATABASE=1``: used as it is).
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bench.common import HOST, fresh_database, setup_django

URL = os.environ.get(
    "LOKET_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/loket_profile_bench"
)
COUNT = int(os.environ.get("LOKET_BENCH_PROFILE_JOURNEYS", "50"))
TOP = 30
RESULTS = Path(__file__).resolve().parent / "results"


def one_journey(session: str, plate: str, profiler: cProfile.Profile | None,
                only: str | None, statements: Counter[str]) -> None:  # fmt: skip
    """One journey through Django's test Client; profile every step, or only the step ``only``."""
    from django.test import Client

    from bench.journey import EXPECTED, KEY, steps

    client = Client(HTTP_HOST=HOST)
    client.cookies["sessionid"] = session
    client.cookies["csrftoken"] = "b" * 32
    location, key = "", ""
    for name, method, path, fields in steps(plate):
        if name == "send":
            fields = {"idempotency_key": key}
        target = path or location
        measured = profiler is not None and (only is None or only == name)
        if measured:
            profiler.enable()  # type: ignore[union-attr]
        response = (client.post(target, {"csrfmiddlewaretoken": "b" * 32, **fields})
                    if method == "POST" else client.get(target))  # fmt: skip
        if measured:
            profiler.disable()  # type: ignore[union-attr]
        assert response.status_code == EXPECTED[method], (name, response.status_code)
        statements[name] += int(response.get("X-SQL-Statements", "0"))
        location = response.get("Location", "") or location
        if name == "check":
            found = KEY.search(response.content.decode())
            key = found.group(1) if found else ""


def consultations(profiler: cProfile.Profile, count: int) -> list[str]:
    """``count`` consultations of the demo resident's identity, profiled; one's statements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from loket.core.models import User
    from loket.sources.base import Actor, Purpose, Subject
    from loket.sources.door import consult

    user = User.objects.get(username="demo-resident")
    subject = Subject("person", user.national_number or "")
    actor = Actor(user.pk, user.national_number or "", "self")
    purpose = Purpose("residents-parking-card", "identify-applicant")
    consult(subject, ["population.identity"], purpose, actor)  # warm-up
    profiler.enable()
    for _ in range(count):
        consult(subject, ["population.identity"], purpose, actor)
    profiler.disable()
    with CaptureQueriesContext(connection) as captured:
        consult(subject, ["population.identity"], purpose, actor)
    return [query["sql"][:160] for query in captured.captured_queries]


def table(stats: pstats.Stats, order: str) -> str:
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.sort_stats(order).print_stats(TOP)
    lines = out.getvalue().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    root = str(Path(__file__).resolve().parent.parent)
    return "\n".join(line.replace(root + "/", "") for line in lines[start:] if line.strip())


def profile_page(argv: list[str]) -> tuple[str, pstats.Stats, Counter[str], int, float]:
    """``page PATH [IDENTITY [HOST]]``: ``COUNT`` requests of one page (default the resident on
    the region's door), after five of warm-up."""
    from django.test import Client

    from loket.core.models import User

    path = argv[0] if argv else "/en/"
    identity = argv[1] if len(argv) > 1 else "resident"
    client = Client(HTTP_HOST=argv[2] if len(argv) > 2 else "127.0.0.1")
    client.force_login(User.objects.get(username=f"demo-{identity}"))
    for _ in range(5):
        assert client.get(path).status_code == 200, path
    profiler = cProfile.Profile()
    statements: Counter[str] = Counter()
    started = time.perf_counter()
    for _ in range(COUNT):
        profiler.enable()
        response = client.get(path)
        profiler.disable()
        statements[path] += int(response.get("X-SQL-Statements", "0"))
    elapsed = time.perf_counter() - started
    what = f"page {path} as {identity}"
    return what, pstats.Stats(profiler), statements, COUNT, elapsed


def profile_journeys(what: str) -> tuple[str, pstats.Stats, Counter[str], int, float]:
    from bench.journey import applicants

    people = applicants(COUNT + 1)
    only = "send" if what == "submission" else None
    one_journey(*people[0], None, None, Counter())  # warm-up: imports, templates, caches
    profiler = cProfile.Profile()
    statements: Counter[str] = Counter()
    started = time.perf_counter()
    for person in people[1:]:
        one_journey(*person, profiler, only, statements)
    elapsed = time.perf_counter() - started
    scope = "every step profiled" if only is None else f"only the step '{only}' profiled"
    return f"{what} ({scope})", pstats.Stats(profiler), statements, len(people) - 1, elapsed


def main(argv: list[str]) -> None:
    what = argv[0] if argv else "journey"
    if what not in ("journey", "submission", "page", "consult"):
        raise SystemExit(
            "usage: python -m bench.profile [journey|submission|page PATH [WHO [HOST]]|consult]"
        )
    if os.environ.get("LOKET_BENCH_KEEP_DATABASE"):  # iterating: reuse the data
        setup_django(URL)
    else:
        fresh_database(URL, residents=3000)
    if what == "consult":
        profile_consult()
        return
    if what == "page":
        title, stats, statements, measured, elapsed = profile_page(argv[1:])
    else:
        title, stats, statements, measured, elapsed = profile_journeys(what)
    head = [
        f"`python -m bench.profile {' '.join(argv) or what}`,"
        f" {datetime.now(UTC):%Y-%m-%d %H:%M UTC}: {title}, {measured} times in-process"
        f" (Django test Client, PostgreSQL); {elapsed:.1f} s in all"
        f" ({elapsed / measured * 1000:.1f} ms each including the profiler's own overhead).",
        "",
        "SQL statements per step (mean): "
        + ", ".join(f"{name} {count / measured:.1f}" for name, count in statements.items()),
    ]
    write_report(what, head, stats)  # page: profile-page.md


def write_report(what: str, head: list[str], stats: pstats.Stats) -> None:
    """bench/results/profile-<what>.md (and stdout): ``head``, then the top entries by own and
    by cumulative time."""
    lines = [f"# Profile: {what}", "", *head, ""]
    for key, label in (("tottime", "own time (tottime)"), ("cumulative", "cumulative time")):
        lines += [f"## Top {TOP} by {label}", "", "```", table(stats, key), "```", ""]
    report = "\n".join(lines)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"profile-{what}.md").write_text(report)
    print(report)


def profile_consult(count: int = 2000) -> None:
    profiler = cProfile.Profile()
    started = time.perf_counter()
    statements = consultations(profiler, count)
    elapsed = time.perf_counter() - started
    head = [
        f"`python -m bench.profile consult`, {datetime.now(UTC):%Y-%m-%d %H:%M UTC}: {count}"
        f" consultations of one attribute through the one door, in-process on PostgreSQL;"
        f" {elapsed:.1f} s in all ({elapsed / count * 1000:.2f} ms each with the profiler).",
        "",
        f"SQL statements of one consultation ({len(statements)}):",
        "",
        "```",
        *statements,
        "```",
    ]
    write_report("consult", head, pstats.Stats(profiler))


if __name__ == "__main__":
    main(sys.argv[1:])
