"""The task queue as Prometheus reads it: how many tasks wait, and for how long, and how many
failed for good, per type."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Min
from django.utils import timezone

from loket.observe.metrics import Gauge
from loket.tasks.models import Task
from loket.tasks.queue import HANDLERS


def queue_gauges() -> Iterable[Gauge]:
    """Tasks queued or running by type, and the age of the oldest one that is due: a queue that
    grows, or a due task that gets older and older, is a stuck worker."""
    now = timezone.now()
    rows = (
        Task.objects.filter(state__in=(Task.State.QUEUED, Task.State.RUNNING))
        .values("name")
        .annotate(count=Count("id"), oldest=Min("run_after"))
        .order_by("name")
    )
    depth, age = [], []
    for row in rows:
        depth.append(((row["name"],), float(row["count"])))
        age.append(((row["name"],), max(0.0, (now - row["oldest"]).total_seconds())))
    yield Gauge("loket_tasks_waiting", "Tasks queued or running, by task type.", ("task",), depth)
    yield Gauge(
        "loket_tasks_oldest_due_age_seconds",
        "Seconds since the oldest waiting task of a type was due (0: none overdue).",
        ("task",),
        age,
    )
    # Failed for good (kept LOKET_TASKS_KEEP_FAILED_DAYS): every known type has a series, 0 too,
    # so the alert on an increase sees a type's first failure.
    failed = dict.fromkeys(HANDLERS, 0.0)
    failures = (
        Task.objects.filter(state=Task.State.FAILED).values("name").annotate(count=Count("id"))
    )
    for failure in failures.order_by("name"):
        failed[failure["name"]] = float(failure["count"])
    yield Gauge(
        "loket_tasks_failed",
        "Tasks that failed for good (every attempt), kept until pruned, by task type.",
        ("task",),
        [((name,), count) for name, count in sorted(failed.items())],
    )
