"""kill -9 of the server after the payment provider confirmed a payment and before the case was
updated: after the restart, the provider's retried notification and the browser's return (both
at once) apply the payment to the case exactly once.

The moment is made, not hoped for: the test holds a row lock on the payment (plain SQL, as any
other transaction could), so the server's request stops inside the demo provider's notification,
after the provider's record says "paid" and before the payment and the case are touched. The
server is killed there."""

from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
import requests

from tests.faults.conftest import (
    IDEMPOTENCY,
    Browser,
    Process,
    Server,
    loket_environment,
    patiently,
    query,
    wait_for,
)

pytestmark = pytest.mark.faults

PARKING = "residents-parking-card"
PLATE = re.compile(r'name="plate" value="([^"]+)"')


def apply_for_parking_card(browser: Browser) -> str:
    """Through the pages, up to the case page; the case's reference."""
    base = f"/en/procedures/{PARKING}/apply/"
    assert browser.post(base, {"use_registers": "yes"}).status_code == 302
    vehicle = browser.get(f"{base}q/vehicle/")
    plate = PLATE.search(vehicle.text)
    assert plate, "no vehicle of the resident's to choose"
    assert browser.post(f"{base}q/vehicle/", {"plate": plate.group(1)}).status_code == 302
    today = date.today().isoformat()  # the server's "today" too: same machine, same day
    assert browser.post(f"{base}q/start/", {"start_date": today}).status_code == 302
    check = browser.get(f"{base}check/")
    key = IDEMPOTENCY.search(check.text)
    assert check.status_code == 200 and key, check.status_code
    sent = browser.post(f"{base}check/", {"idempotency_key": key.group(1)})
    found = re.search(r"/my-cases/([^/]+)/", sent.headers.get("Location", ""))
    assert sent.status_code == 302 and found, sent.status_code
    return found.group(1)


def start_demo_payment(browser: Browser, reference: str) -> tuple[str, str]:
    """Press "Pay" with the demo provider; the payment's key and the demo page's path."""
    page = browser.get(f"/en/my-cases/{reference}/")
    key = IDEMPOTENCY.search(page.text)
    assert key, "no 'Pay' button on the case page"
    answer = browser.post(
        f"/en/payments/cases/{reference}/pay/",
        {"provider": "demo", "idempotency_key": key.group(1)},
    )
    assert answer.status_code == 302, answer.status_code
    checkout = urlparse(answer.headers["Location"]).path
    assert "/payments/demo/" in checkout, checkout
    return key.group(1), checkout


def state(database: str, key: str) -> tuple[str, str, str, object]:
    """(the provider's record, the payment, the case, the payment settling the fee)."""
    rows = query(
        database,
        "SELECT d.status, p.status, c.status, f.paid_by_id FROM payments_payment p "
        "JOIN payments_democheckout d ON d.token = p.provider_id "
        "JOIN cases_case c ON c.id = p.case_id JOIN payments_casefee f ON f.case_id = c.id "
        "WHERE p.idempotency_key = %s",
        key,
    )
    assert len(rows) == 1, rows
    provider, payment, case, paid_by = rows[0]
    return str(provider), str(payment), str(case), paid_by


def test_kill_9_between_the_providers_confirmation_and_the_case_update_applies_it_once(
    database: str, var_dir: Path, processes: list[Process]
) -> None:
    environment = loket_environment(database, var_dir)
    server = Server(environment, workers=2)
    processes.append(server.start())
    browser = Browser(server.url, "resident")
    browser.log_in()
    reference = apply_for_parking_card(browser)
    key, checkout = start_demo_payment(browser, reference)
    token = checkout.rstrip("/").rsplit("/", 1)[-1]
    assert state(database, key) == ("open", "open", "awaiting_payment", None)

    # Hold the payment's row: the server's notification will wait for it, mid-way.
    blocker = psycopg.connect(database)
    blocker.execute("SELECT id FROM payments_payment WHERE idempotency_key = %s FOR UPDATE", (key,))
    cut_off: list[BaseException] = []

    def pay_on_the_demo_page() -> None:
        try:
            browser.post(checkout, {"outcome": "paid"})
        except Exception as problem:  # the kill cuts the connection: expected
            cut_off.append(problem)

    paying = threading.Thread(target=pay_on_the_demo_page)
    paying.start()

    def waiting_on_the_lock() -> bool:
        waiting = query(
            database,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'",
        )
        return bool(waiting[0][0]) and state(database, key)[0] == "paid"

    wait_for(waiting_on_the_lock, 30, "the server to wait on the payment's row")
    server.kill()
    blocker.rollback()
    blocker.close()
    paying.join(timeout=30)
    assert cut_off, "the request in flight should have been cut off by the kill"

    # The provider says paid; Loket applied nothing.
    assert state(database, key) == ("paid", "open", "awaiting_payment", None)

    restarted = Server(environment, port=server.port, workers=2)
    processes.append(restarted.start())
    # The provider retries its notification while the person comes back from the demo page.
    answers: dict[str, int] = {}

    def notify() -> None:
        answers["notification"] = patiently(
            lambda: requests.post(
                f"{restarted.url}/payments/notify/demo/", data={"id": token}, timeout=30
            )
        ).status_code

    def come_back() -> None:
        answers["return"] = patiently(
            lambda: browser.get(f"/en/payments/{key}/return/")
        ).status_code

    threads = [threading.Thread(target=notify), threading.Thread(target=come_back)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert answers == {"notification": 200, "return": 302}, answers
    # And once more, later: a replay changes nothing.
    again = requests.post(f"{restarted.url}/payments/notify/demo/", data={"id": token}, timeout=30)
    assert again.status_code == 200

    provider, payment, case, paid_by = state(database, key)
    assert (provider, payment, case) == ("paid", "paid", "submitted")
    settled = query(database, "SELECT id FROM payments_payment WHERE idempotency_key = %s", key)
    assert paid_by == settled[0][0]
    # Exactly once: one step to "submitted" in the case's history, and one receipt notice.
    steps = query(
        database,
        "SELECT count(*) FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id "
        "WHERE c.reference = %s AND e.status = 'submitted'",
        reference,
    )
    assert steps == [(1,)]
    page = browser.get(f"/en/my-cases/{reference}/")
    assert page.status_code == 200 and page.text.count("Paid:") == 1
