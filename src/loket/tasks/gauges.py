"""The task queue as Prometheus reads it: how many tasks wait, and for how long, per type."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Min
from django.utils import timezone

from loket.observe.metrics import Gauge
from loket.tasks.models import Task


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
