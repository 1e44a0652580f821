"""A worker killed in the middle of sending an e-mail: another worker sends it, once."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.conftest import (
    Browser,
    Process,
    Server,
    is_case_page,
    loket_environment,
    prepare_draft,
    query,
    submit,
    wait_for,
    worker,
)
from tests.faults.smtp import Mailbox, running

pytestmark = pytest.mark.faults


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from running(Mailbox(stall=1, stall_seconds=60))


def test_a_worker_killed_mid_mail_leaves_the_task_to_another_and_one_mail_arrives(
    database: str, var_dir: Path, processes: list[Process], mailbox: Mailbox
) -> None:
    environment = loket_environment(database, var_dir, LOKET_EMAIL_URL=mailbox.url)
    server = Server(environment, workers=1)
    processes.append(server.start())
    browser = Browser(server.url, "resident")
    browser.log_in()
    key = prepare_draft(browser, "household-composition")
    assert is_case_page(submit(browser, "household-composition", key))
    [(notification,)] = query(
        database,
        "SELECT n.id FROM notify_notification n "
        "JOIN cases_case c ON n.topic = 'case:' || c.reference WHERE c.idempotency_key = %s",
        key,
    )

    first = worker(environment)
    processes.append(first.start())
    wait_for(mailbox.stalled.is_set, 30, "the worker to open its SMTP conversation")
    first.kill()  # inside the task: claimed, the mail not yet accepted by the server
    [(state, mail)] = query(
        database,
        "SELECT t.state, n.mail FROM tasks_task t, notify_notification n "
        "WHERE t.dedupe_key = %s AND n.id = %s",
        f"mail:{notification}",
        notification,
    )
    assert (state, mail) == ("running", "pending"), (
        query(database, "SELECT name, state, last_error FROM tasks_task"),
        first.log(),
    )
    assert mailbox.messages == []

    # The lease of a dead worker is five minutes: let it run out now rather than wait.
    query(
        database,
        "UPDATE tasks_task SET locked_until = now() - interval '1 second' "
        "WHERE dedupe_key = %s RETURNING id",
        f"mail:{notification}",
    )
    second = worker(environment)
    processes.append(second.start())
    wait_for(lambda: len(mailbox.messages) >= 1, 30, "the mail to be sent again")
    wait_for(
        lambda: query(database, "SELECT state FROM tasks_task WHERE dedupe_key = %s",
                      f"mail:{notification}") == [("done",)],
        30, "the task to be marked done",
    )  # fmt: skip
    time.sleep(1.5)  # a second delivery, if there were one, would have come by now
    assert mailbox.message_ids() == [f"<notification-{notification}@loket.brussels>"]
    assert query(
        database,
        "SELECT t.attempts, n.mail FROM tasks_task t, notify_notification n "
        "WHERE t.dedupe_key = %s AND n.id = %s",
        f"mail:{notification}",
        notification,
    ) == [(2, "sent")]
