"""kill -9 of the application server during a burst of submissions loses nothing."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.faults.conftest import (
    RETRIES,
    Browser,
    Process,
    Server,
    is_case_page,
    loket_environment,
    patiently,
    prepare_draft,
    query,
    run_loket,
    submit,
)

pytestmark = pytest.mark.faults

# Four people applying at once, each with their own session (the demo identities are persons).
IDENTITIES = ("resident", "resident2", "business", "helper")
ROUNDS = ("household-composition", "residence-certificate") * 3
KEPT = "life-certificate"  # started and left as a draft: it must survive the crash


@dataclass
class Outcome:
    """What one person saw: every submitted draft's key, and the keys the server confirmed."""

    identity: str
    keys: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def applicant(base: str, outcome: Outcome, go: threading.Event) -> None:
    browser = Browser(base, outcome.identity)
    try:
        patiently(browser.log_in)
        start = f"/en/procedures/{KEPT}/apply/"
        patiently(lambda: browser.post(start, {"use_registers": "yes"}))
        kept = patiently(
            lambda: browser.post(f"{start}q/municipality/", {"issuing_municipality": "21004"})
        )
        assert kept.status_code == 302, kept.status_code
        go.wait()
        for procedure in ROUNDS:
            key = prepare_draft(browser, procedure)
            outcome.keys.append(key)
            # A person whose click got no answer clicks again: same page, same key.
            answer = patiently(lambda p=procedure, k=key: submit(browser, p, k))  # type: ignore[misc]
            if is_case_page(answer):
                outcome.confirmed.append(key)
            else:
                outcome.problems.append(f"{procedure}: {answer.status_code}")
    except Exception as problem:  # reported by the test, with the identity
        outcome.problems.append(repr(problem))


def test_kill_9_of_the_server_during_a_burst_loses_no_submission(
    database: str, var_dir: Path, processes: list[Process]
) -> None:
    environment = loket_environment(database, var_dir)
    seeded = query(database, "SELECT count(*) FROM cases_case")[0][0]  # the demo history
    server = Server(environment, workers=2)
    processes.append(server.start())
    outcomes = [Outcome(identity) for identity in IDENTITIES]
    RETRIES.clear()
    go = threading.Event()
    threads = [
        threading.Thread(target=applicant, args=(server.url, outcome, go)) for outcome in outcomes
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.5)  # everyone logged in, with a draft kept aside
    go.set()

    # Mid-burst: a few submissions confirmed, many requests in flight.
    deadline = time.monotonic() + 60
    while sum(len(o.confirmed) for o in outcomes) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    time.sleep(1)
    restarted = Server(environment, port=server.port, workers=2)
    processes.append(restarted.start())

    for thread in threads:
        thread.join(timeout=180)
    assert RETRIES, "the kill should have cut off requests in flight"
    for outcome in outcomes:
        assert not outcome.problems, (outcome.identity, outcome.problems)
        assert outcome.confirmed == outcome.keys  # every click eventually answered

    # Every confirmed submission exists exactly once; no draft became two cases.
    confirmed = [key for outcome in outcomes for key in outcome.confirmed]
    assert len(confirmed) == len(IDENTITIES) * len(ROUNDS)
    rows = query(
        database,
        "SELECT idempotency_key::text, count(*) FROM cases_case GROUP BY idempotency_key",
    )
    counts = dict(rows)
    assert all(counts.get(key) == 1 for key in confirmed), counts
    assert sum(counts.values()) == seeded + len(confirmed)  # and nothing else was created
    # The drafts nobody submitted are still there, with their answers.
    kept = query(
        database,
        "SELECT u.username, d.answers->>'issuing_municipality' FROM loket_forms_draft d "
        "JOIN core_user u ON u.id = d.user_id WHERE d.procedure_id = %s",
        KEPT,
    )
    assert sorted(kept) == sorted((f"demo-{i}", "21004") for i in IDENTITIES)
    # No draft is left of what was submitted.
    left = query(database, "SELECT count(*) FROM loket_forms_draft WHERE procedure_id <> %s", KEPT)
    assert left == [(0,)]
    # The access log, appended to by the killed processes too, still verifies.
    assert "access log OK" in run_loket(["audit", "verify"], environment)
