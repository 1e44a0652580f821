"""A small database-backed task queue that works on PostgreSQL and SQLite.

``enqueue`` stores a task in the caller's transaction (so a task exists if and only if the work
that asked for it committed). ``run_one`` claims the next due task (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, the write lock on SQLite) with a lease, runs it, and marks it done; a failure is
retried with exponential backoff; a worker killed mid-task leaves its lease to expire.

Each claim writes a fresh lease holder (``locked_by``: the worker and a random claim id). A
worker records the outcome only while it still holds the lease: when its lease ran out and
another worker claimed the task again, its late "done" or "failed" is dropped (and logged) and
the other worker's run decides. ``prune`` (hourly, ``tasks.prune``) deletes finished tasks after
``LOKET_TASKS_KEEP_DONE_DAYS`` (done) or ``LOKET_TASKS_KEEP_FAILED_DAYS`` (failed for good).
See docs/decisions/0005-task-queue.md.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import traceback
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from loket.db.inserts import insert_unless_taken
from loket.observe import logs
from loket.tasks.models import Task

log = logging.getLogger("loket.tasks")
LEASE = timedelta(minutes=5)
PRUNE_BATCH = 1000
Handler = Callable[[dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


def where(function: Callable[..., Any]) -> str:
    """Where a function is defined: its dotted name, file and line."""
    code = getattr(function, "__code__", None)
    place = f"{code.co_filename}:{code.co_firstlineno}" if code else "unknown file"
    return f"{function.__module__}.{function.__qualname__} ({place})"


def handler(name: str) -> Callable[[Handler], Handler]:
    """Register the function that runs tasks called ``name``. A second, different function under
    the same name is refused (when its module is imported, so at start-up), naming both."""

    def register(function: Handler) -> Handler:
        existing = HANDLERS.get(name)
        if existing is not None and where(existing) != where(function):  # not a re-import
            raise ImproperlyConfigured(
                f"two handlers for task {name!r}: {where(existing)} and {where(function)}"
            )
        HANDLERS[name] = function
        return function

    return register


def enqueue(
    name: str,
    payload: dict[str, Any],
    dedupe_key: str | None = None,
    delay: timedelta | None = None,
) -> Task | None:
    """Queue a task; with a ``dedupe_key`` already queued before, do nothing and return None.
    (A key is remembered as long as its task is kept: see ``prune``.)"""
    task = Task(name=name, payload=payload, dedupe_key=dedupe_key,
                run_after=timezone.now() + (delay or timedelta()))  # fmt: skip
    if dedupe_key is None:
        task.save(force_insert=True)
        return task
    return task if insert_unless_taken(task, "dedupe_key") else None


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
        # This claim's own holder: the same worker claiming the task again is another holder.
        task.locked_by = f"{WORKER_ID[:80]}/{secrets.token_hex(6)}"
        task.save(update_fields=["state", "attempts", "locked_until", "locked_by"])
        return task


def _record(task: Task, outcome: str, **changes: Any) -> bool:
    """Write the outcome of ``task``'s run, only if this run still holds the lease."""
    held = Task.objects.filter(pk=task.pk, state=Task.State.RUNNING, locked_by=task.locked_by)
    if held.update(**changes):
        return True
    now = Task.objects.filter(pk=task.pk).values_list("state", "locked_by").first()
    log.warning(
        "task %s #%s: %s by %s dropped, the lease was lost (now %s by %s)",
        task.name, task.pk, outcome, task.locked_by, *(now or ("deleted", "nobody")),
    )  # fmt: skip
    return False


def run_one() -> bool:
    """Run the next due task, if any. Returns whether there was one."""
    task = _claim()
    if task is None:
        return False
    function = HANDLERS.get(task.name)
    with logs.context(task=task.name, task_id=str(task.pk)):  # on every line the task logs
        try:
            if function is None:
                raise LookupError(f"no handler for task {task.name!r}")
            function(task.payload)
        except Exception as problem:  # a task's failure must never stop the worker
            _failed(task, problem)
        else:
            _done(task)
    return True


def _done(task: Task) -> bool:
    return _record(
        task, "done", state=Task.State.DONE, finished_at=timezone.now(), locked_until=None
    )


def _failed(task: Task, problem: Exception) -> bool:
    final = task.attempts >= task.max_attempts
    log.log(
        logging.ERROR if final else logging.WARNING,
        "task %s #%s failed (attempt %s of %s%s): %s",
        task.name, task.pk, task.attempts, task.max_attempts, ", the last" if final else "",
        problem,
    )  # fmt: skip
    now = timezone.now()
    return _record(
        task,
        "failure",
        state=Task.State.FAILED if final else Task.State.QUEUED,
        run_after=now + backoff(task.attempts),
        finished_at=now if final else None,
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
    if PERIODIC.get(name, period) != period:
        raise ImproperlyConfigured(
            f"periodic task {name!r} is scheduled twice: every {PERIODIC[name]} and every {period}"
        )
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


def prune(now: datetime | None = None, batch: int = PRUNE_BATCH) -> int:
    """Delete the tasks finished long enough ago, ``batch`` rows per statement (short
    transactions, no long lock on the table); return how many went.

    Done tasks go after ``LOKET_TASKS_KEEP_DONE_DAYS``; tasks failed for good are the operators'
    to look at, so they stay ``LOKET_TASKS_KEEP_FAILED_DAYS`` (a failure from before
    ``finished_at`` was recorded counts from its ``run_after``). Queued and running tasks are
    never touched. Pruning a task forgets its dedupe key: every handler is idempotent on its
    own (a notification records that it was sent, a webhook delivery its outcome)."""
    now = now or timezone.now()
    done_before = now - timedelta(days=settings.LOKET_TASKS_KEEP_DONE_DAYS)
    failed_before = now - timedelta(days=settings.LOKET_TASKS_KEEP_FAILED_DAYS)
    finished = Q(state=Task.State.DONE, finished_at__lt=done_before) | Q(
        Q(finished_at__lt=failed_before) | Q(finished_at=None, run_after__lt=failed_before),
        state=Task.State.FAILED,
    )
    deleted = 0
    while True:
        ids = list(Task.objects.filter(finished).values_list("pk", flat=True)[:batch])
        if ids:
            deleted += Task.objects.filter(finished, pk__in=ids).delete()[0]
        if len(ids) < batch:
            break
    if deleted:
        log.info("pruned %s finished tasks", deleted)
    return deleted


@handler("tasks.prune")
def prune_finished_tasks(payload: dict[str, Any]) -> None:
    prune()


every("tasks.prune", timedelta(hours=1))
