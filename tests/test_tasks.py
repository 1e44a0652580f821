"""The task queue: one handler per name, a run's outcome recorded only under its own lease, and
finished tasks pruned after their time (with an explicit clock)."""

from __future__ import annotations

import importlib
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from loket.config import ConfigurationError, load
from loket.tasks import queue
from loket.tasks.models import Task
from loket.tasks.queue import (
    HANDLERS,
    PERIODIC,
    _claim,
    _done,
    _failed,
    enqueue,
    enqueue_due_periodic,
    every,
    handler,
    prune,
    run_one,
    run_until_empty,
    where,
)

RAN: list[dict[str, Any]] = []


@handler("tests.record")
def record(payload: dict[str, Any]) -> None:
    RAN.append(payload)


def expire_lease(task: Task) -> None:
    Task.objects.filter(pk=task.pk).update(locked_until=timezone.now() - timedelta(seconds=1))


# -- one handler per name -----------------------------------------------------------------------


def test_a_second_handler_under_a_taken_name_is_refused_naming_both_places() -> None:
    original = HANDLERS["notify.mail"]

    def impostor(payload: dict[str, Any]) -> None:
        pass

    with pytest.raises(ImproperlyConfigured) as refused:
        handler("notify.mail")(impostor)
    message = str(refused.value)
    assert "two handlers for task 'notify.mail'" in message
    assert "loket.notify.tasks.send_mail (" in message and "notify/tasks.py:" in message
    assert "test_tasks.test_a_second_handler" in message and f"{__file__}:" in message
    assert HANDLERS["notify.mail"] is original  # the first one still runs the tasks


def test_a_module_imported_again_is_not_a_duplicate() -> None:
    import loket.opendata.tasks

    importlib.reload(loket.opendata.tasks)  # same functions, same places, same periods
    assert where(HANDLERS["opendata.publish"]) == where(loket.opendata.tasks.publish_task)
    assert PERIODIC["opendata.publish"] == timedelta(days=1)


def test_a_periodic_task_scheduled_twice_with_another_period_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"'tasks\.prune' is scheduled twice"):
        every("tasks.prune", timedelta(minutes=1))
    assert PERIODIC["tasks.prune"] == timedelta(hours=1)


# -- the lease holder decides -------------------------------------------------------------------


@pytest.mark.django_db
def test_each_claim_holds_its_own_lease_even_in_the_same_worker() -> None:
    enqueue("tests.record", {"n": 1})
    first = _claim()
    assert first is not None
    expire_lease(first)
    second = _claim()
    assert second is not None and second.pk == first.pk
    assert first.locked_by.startswith(queue.WORKER_ID[:80] + "/")
    assert second.locked_by != first.locked_by
    assert second.attempts == 2


@pytest.mark.django_db
def test_a_late_done_from_a_lost_lease_does_not_overwrite_the_new_holder(
    caplog: pytest.LogCaptureFixture,
) -> None:
    enqueue("tests.record", {"n": 1})
    first = _claim()
    assert first is not None
    expire_lease(first)  # the first worker stalls past its lease …
    second = _claim()  # … and another worker claims the task again
    assert second is not None
    with caplog.at_level(logging.WARNING, logger="loket.tasks"):
        assert _done(first) is False  # the first worker wakes up and reports done: dropped
    task = Task.objects.get(pk=first.pk)
    assert (task.state, task.locked_by, task.finished_at) == ("running", second.locked_by, None)
    assert f"done by {first.locked_by} dropped" in caplog.text
    assert f"now running by {second.locked_by}" in caplog.text

    second_fails = RuntimeError("register down")
    assert _failed(second, second_fails) is True  # the holder's outcome is written
    task.refresh_from_db()
    assert (task.state, task.attempts) == ("queued", 2)
    assert "register down" in task.last_error


@pytest.mark.django_db
def test_a_late_failure_from_a_lost_lease_does_not_undo_the_new_holders_done() -> None:
    enqueue("tests.record", {"n": 1})
    first = _claim()
    assert first is not None
    expire_lease(first)
    second = _claim()
    assert second is not None
    assert _done(second) is True
    assert _failed(first, TimeoutError("too slow")) is False
    task = Task.objects.get(pk=first.pk)
    assert (task.state, task.last_error) == ("done", "")
    assert task.finished_at is not None


@pytest.mark.django_db
def test_a_worker_whose_run_outlives_its_lease_leaves_the_outcome_to_the_new_holder() -> None:
    """Through ``run_one``: while the handler runs, the lease runs out and another worker claims
    the task; the slow run's "done" is not written."""
    claims: list[Task] = []

    @handler("tests.slow")
    def slow(payload: dict[str, Any]) -> None:
        [task] = Task.objects.filter(name="tests.slow")
        expire_lease(task)
        claims.append(_claim() or task)

    enqueue("tests.slow", {})
    assert run_one() is True
    [other] = claims
    task = Task.objects.get(name="tests.slow")
    assert (task.state, task.locked_by) == ("running", other.locked_by)
    assert _done(other) is True
    assert Task.objects.get(name="tests.slow").state == "done"


@pytest.mark.django_db
def test_a_task_that_fails_for_good_records_when(caplog: pytest.LogCaptureFixture) -> None:
    task = enqueue("tests.nobody-handles-this", {})
    assert task is not None
    Task.objects.filter(pk=task.pk).update(max_attempts=1)
    with caplog.at_level(logging.WARNING, logger="loket.tasks"):
        assert run_until_empty() == 1
    task.refresh_from_db()
    assert task.state == "failed" and task.finished_at is not None
    assert "no handler for task" in task.last_error
    assert [r.levelname for r in caplog.records if "failed" in r.getMessage()] == ["ERROR"]


# -- pruning ------------------------------------------------------------------------------------

NOW = datetime(2031, 3, 14, 12, 0, tzinfo=UTC)  # an explicit clock: nothing reads the calendar


def task_at(state: str, finished: timedelta | None, label: str) -> Task:
    """A task in ``state`` that finished ``finished`` before NOW (None: no finish recorded)."""
    return Task.objects.create(
        name="tests.record",
        payload={"label": label},
        state=state,
        run_after=NOW - (finished or timedelta(days=400)),
        finished_at=None if finished is None else NOW - finished,
    )


def labels() -> set[str]:
    return {task.payload["label"] for task in Task.objects.filter(name="tests.record")}


@pytest.mark.django_db
def test_pruning_deletes_done_tasks_after_a_week_and_failed_ones_after_a_month() -> None:
    day = timedelta(days=1)
    task_at("done", 8 * day, "done 8 days ago")
    task_at("done", 7 * day + timedelta(seconds=1), "done just over a week ago")
    task_at("done", 7 * day - timedelta(seconds=1), "done just under a week ago")
    task_at("done", 1 * day, "done yesterday")
    task_at("failed", 8 * day, "failed 8 days ago")
    task_at("failed", 29 * day, "failed 29 days ago")
    task_at("failed", 31 * day, "failed 31 days ago")
    task_at("failed", None, "failed before finished_at was recorded")  # run_after: 400 days
    task_at("queued", None, "queued long ago")
    task_at("running", None, "running since long ago")
    for n in range(3):
        task_at("done", 30 * day, f"old done {n}")

    assert prune(now=NOW, batch=2) == 7  # in batches of 2: several statements
    assert labels() == {
        "done just under a week ago",
        "done yesterday",
        "failed 8 days ago",
        "failed 29 days ago",
        "queued long ago",
        "running since long ago",
    }
    assert prune(now=NOW, batch=2) == 0


@pytest.mark.django_db
def test_the_ages_kept_are_the_configured_ones() -> None:
    task_at("done", timedelta(days=2), "done 2 days ago")
    task_at("failed", timedelta(days=4), "failed 4 days ago")
    task_at("failed", timedelta(days=2), "failed 2 days ago")
    with override_settings(LOKET_TASKS_KEEP_DONE_DAYS=1, LOKET_TASKS_KEEP_FAILED_DAYS=3):
        assert prune(now=NOW) == 2
    assert labels() == {"failed 2 days ago"}


@pytest.mark.django_db
def test_the_workers_prune_every_hour() -> None:
    assert PERIODIC["tasks.prune"] == timedelta(hours=1)
    old = Task.objects.create(
        name="tests.record",
        payload={"label": "old"},
        state="done",
        run_after=timezone.now() - timedelta(days=10),
        finished_at=timezone.now() - timedelta(days=10),
    )
    enqueue_due_periodic()
    run_until_empty()
    assert not Task.objects.filter(pk=old.pk).exists()
    assert Task.objects.get(name="tasks.prune").state == "done"  # kept itself, for a week


def test_the_ages_are_read_from_the_environment() -> None:
    config = load(
        {
            "LOKET_ENV": "test",
            "LOKET_TASKS_KEEP_DONE_DAYS": "3",
            "LOKET_TASKS_KEEP_FAILED_DAYS": "90",
        }
    )
    assert (config.tasks_keep_done_days, config.tasks_keep_failed_days) == (3, 90)
    defaults = load({"LOKET_ENV": "test"})
    assert (defaults.tasks_keep_done_days, defaults.tasks_keep_failed_days) == (7, 30)
    for wrong in ("0", "-1", "a week", "1.5"):
        with pytest.raises(ConfigurationError, match="LOKET_TASKS_KEEP_DONE_DAYS"):
            load({"LOKET_ENV": "test", "LOKET_TASKS_KEEP_DONE_DAYS": wrong})
