"""Two application servers and two workers on one database (issue #10, part 4): a draft
submitted through both at once is one case, every task is claimed once, and the access log the
two servers append to at the same time still verifies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.faults.conftest import (
    Browser,
    Process,
    Server,
    is_case_page,
    loket_environment,
    prepare_draft,
    query,
    run_loket,
    submit,
    wait_for,
    worker,
)
from tests.faults.smtp import Mailbox, running

pytestmark = pytest.mark.faults

MAIL_TASKS = "SELECT {} FROM tasks_task WHERE name = 'notify.mail' AND id > %s"
IDENTITIES = ("resident", "resident2", "business", "helper")
ROUNDS = ("household-composition", "residence-certificate", "household-composition")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from running(Mailbox())


def same_person_on(server: Server, browser: Browser) -> Browser:
    """The same logged-in person, their request sent to another server (the session is in the
    database, so any server knows it)."""
    other = Browser(server.url, browser.identity)
    other.session.cookies.update(browser.session.cookies)
    return other


def press_twice(
    browsers: list[Browser], procedure: str, key: str
) -> tuple[requests.Response, requests.Response]:
    """The same "Submit" pressed at the same moment through both servers."""
    both: list[requests.Response | None] = [None, None]
    gate = threading.Barrier(2)

    def press(side: int) -> None:
        gate.wait()
        both[side] = submit(browsers[side], procedure, key)

    pressers = [threading.Thread(target=press, args=(side,)) for side in (0, 1)]
    for presser in pressers:
        presser.start()
    for presser in pressers:
        presser.join(timeout=60)
    first, second = both
    assert first is not None and second is not None, "a submit got no answer"
    return first, second


def access_log_size(database: str) -> int:
    return int(query(database, "SELECT count(*) FROM audit_accesslogentry")[0][0])


def test_two_servers_and_two_workers_on_one_database_keep_submit_tasks_and_log_correct(
    database: str, var_dir: Path, processes: list[Process], mailbox: Mailbox
) -> None:
    environment = loket_environment(database, var_dir, LOKET_EMAIL_URL=mailbox.url)
    servers = [Server(environment, workers=2), Server(environment, workers=2)]
    for server in servers:
        processes.append(server.start())

    probe_tasks_from = query(database, "SELECT coalesce(max(id), 0) FROM tasks_task")[0][0]
    # What one application costs in consultations (the prefill, then the reads that issue its
    # certificate at once), measured once on its own.
    probe = Browser(servers[0].url, "agent-ixelles")
    probe.log_in()
    cost: dict[str, int] = {}
    for procedure in ("household-composition", "residence-certificate"):
        before = access_log_size(database)
        answer = submit(probe, procedure, prepare_draft(probe, procedure))
        assert is_case_page(answer), answer.status_code
        cost[procedure] = access_log_size(database) - before
    assert all(reads > 0 for reads in cost.values()), cost
    seeded = query(database, "SELECT count(*) FROM cases_case")[0][0]  # demo history and probe
    tasks_before = query(database, "SELECT coalesce(max(id), 0) FROM tasks_task")[0][0]
    probe_mails = len(
        query(database, MAIL_TASKS.format("id") + " AND id <= %s", probe_tasks_from, tasks_before)
    )
    expected_log = access_log_size(database) + len(IDENTITIES) * sum(
        cost[procedure] for procedure in ROUNDS
    )

    keys: list[str] = []
    answers: list[tuple[str, requests.Response, requests.Response]] = []
    problems: list[str] = []

    def applicant(number: int, identity: str) -> None:
        try:
            browsers = [Browser(servers[0].url, identity)]
            browsers[0].log_in()
            browsers.append(same_person_on(servers[1], browsers[0]))
            for round_, procedure in enumerate(ROUNDS):
                key = prepare_draft(browsers[(number + round_) % 2], procedure)
                keys.append(key)
                answers.append((key, *press_twice(browsers, procedure, key)))
        except Exception as problem:  # reported by the test, with the identity
            problems.append(f"{identity}: {problem!r}")

    threads = [
        threading.Thread(target=applicant, args=(number, identity))
        for number, identity in enumerate(IDENTITIES)
    ]
    for thread in threads:
        thread.start()
    # Two workers at once, while the submissions come in.
    workers = [worker(environment), worker(environment)]
    for process in workers:
        processes.append(process.start())
    for thread in threads:
        thread.join(timeout=180)
    assert not problems, problems

    # One case per draft, whichever server each click reached; both clicks lead to it.
    counts = dict(
        query(database, "SELECT idempotency_key::text, count(*) FROM cases_case GROUP BY 1")
    )
    assert len(keys) == len(IDENTITIES) * len(ROUNDS)
    assert all(counts.get(key) == 1 for key in keys), counts
    assert sum(counts.values()) == seeded + len(keys)
    for key, first, second in answers:
        assert first.status_code == 302 and second.status_code == 302, key
        assert is_case_page(first) or is_case_page(second), key
        cases = {r.headers["Location"] for r in (first, second) if is_case_page(r)}
        assert len(cases) == 1, (key, cases)

    # Every e-mail task claimed and run once, by one of the two workers: one mail each.
    def mails_done() -> bool:
        rows = query(database, MAIL_TASKS.format("state"), tasks_before)
        return len(rows) == len(keys) and all(state == "done" for (state,) in rows)

    wait_for(mails_done, 60, "the two workers to send every e-mail")
    attempts = query(database, MAIL_TASKS.format("attempts, locked_by"), tasks_before)
    assert all(attempt == 1 for attempt, _by in attempts), attempts
    ids = mailbox.message_ids()
    assert len(ids) == len(keys) + probe_mails and len(set(ids)) == len(ids)

    # The log both servers appended to at once is whole and verifies.
    assert access_log_size(database) == expected_log
    report = run_loket(["audit", "verify"], environment)
    assert f"access log OK: {expected_log} entries" in report
