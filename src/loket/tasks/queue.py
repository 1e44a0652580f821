"""A small database-backed task queue that works on PostgreSQL and SQLite.

``enqueue`` stores a task in the caller's transaction (so a task exists if and only if the work
that asked for it committed). ``run_one`` claims the next due task (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the write lock on SQLite) with a lease, runs it, and marks it done; a failure is
retried with exponential backoff; a worker killed mid-task leaves its lease to expire.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from loket.tasks.models import Task

log = logging.getLogger("loket.tasks")
LEASE = timedelta(minutes=5)
HANDLERS: dict[str, Callable[[dict[str, Any]], None]] = {}
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def handler(
    name: str,
) -> Callable[[Callable[[dict[str, Any]], None]], Callable[[dict[str, Any]], None]]:
    """Register the function that runs tasks called ``name``."""

    def register(function: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        HANDLERS[name] = function
        return function

    return register


def enqueue(
    name: str,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
    delay: timedelta | None = None,
) -> Task | None:
    """Queue a task; with a ``dedupe_key`` already queued before, do nothing and return None."""
    task = Task(name=name, payload=payload, dedupe_key=dedupe_key,
                run_after=timezone.now() + (delay or timedelta()))  # fmt: skip
    try:
        with transaction.atomic():
            task.save(force_insert=True)
    except IntegrityError:
        if dedupe_key is None:
            raise
        return None
    return task


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


def _claim() -> Task | None:
    now = timezone.now()
    with transaction.atomic():
        due = Task.objects.filter(
            state__in=[Task.State.QUEUED, Task.State.RUNNING], run_after__lte=now
        ).exclude(locked_until__gt=now)
        if connection.vendor == "postgresql":
            due = due.select_for_update(skip_locked=True)
        task = due.order_by("run_after", "id").first()
        if task is None:
            return None
        task.state = Task.State.RUNNING
        task.attempts += 1
        task.locked_until = now + LEASE
        task.locked_by = WORKER_ID
        task.save(update_fields=["state", "attempts", "locked_until", "locked_by"])
        return task


def run_one() -> bool:
    """Run the next due task, if any. Returns whether there was one."""
    task = _claim()
    if task is None:
        return False
    function = HANDLERS.get(task.name)
    try:
        if function is None:
            raise LookupError(f"no handler for task {task.name!r}")
        function(task.payload)
    except Exception as problem:  # a task's failure must never stop the worker
        _failed(task, problem)
    else:
        Task.objects.filter(pk=task.pk).update(
            state=Task.State.DONE, finished_at=timezone.now(), locked_until=None
        )
    return True


def _failed(task: Task, problem: Exception) -> None:
    final = task.attempts >= task.max_attempts
    log.warning("task %s #%s failed (attempt %s): %s", task.name, task.pk, task.attempts, problem)
    Task.objects.filter(pk=task.pk).update(
        state=Task.State.FAILED if final else Task.State.QUEUED,
        run_after=timezone.now() + backoff(task.attempts),
        locked_until=None,
        last_error="".join(traceback.format_exception_only(problem))[:2000],
    )


def run_until_empty(limit: int = 1000) -> int:
    """Run due tasks until none is left (tests, `loket worker --once`)."""
    count = 0
    while count < limit and run_one():
        count += 1
    return count


PERIODIC: dict[str, timedelta] = {}


def every(name: str, period: timedelta) -> None:
    """Run the task ``name`` once per ``period`` (the worker enqueues it when it falls due)."""
    PERIODIC[name] = period


def enqueue_due_periodic() -> int:
    """Queue each periodic task once per period; many workers may call this at once, the
    dedupe key makes only one of them succeed."""
    now = timezone.now().timestamp()
    queued = 0
    for name, period in PERIODIC.items():
        slot = int(now // period.total_seconds())
        if enqueue(name, {}, dedupe_key=f"periodic:{name}:{slot}") is not None:
            queued += 1
    return queued
