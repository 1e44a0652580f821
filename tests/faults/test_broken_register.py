"""An authentic source that never answers in time, and one that answers garbage: the applicant
goes on by typing the data, the page says why, and every attempt is in the access log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.faults.conftest import (
    Browser,
    Process,
    Server,
    free_port,
    is_case_page,
    loket_environment,
    query,
    run_loket,
)

pytestmark = pytest.mark.faults

TIMEOUT = 1.0  # the adapters' budget, in seconds
APPLY = "/en/procedures/residents-parking-card/apply/"


class BrokenRegisters(BaseHTTPRequestHandler):
    """The population register hangs past the timeout; the vehicle register answers with a
    body that is not JSON."""

    calls: list[str] = []

    def do_GET(self) -> None:
        self.calls.append(self.path.split("/")[1])
        if self.path.startswith("/population/"):
            time.sleep(TIMEOUT * 3)
            body = b'{"late": true}'
        else:
            body = b'{"subject": "8804120025'  # cut off in the middle
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # Loket hung up at its timeout, as it should

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def registers() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), BrokenRegisters)
    server.daemon_threads = True
    BrokenRegisters.calls = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_register_that_hangs_or_answers_garbage_lets_the_applicant_go_on(
    database: str, var_dir: Path, processes: list[Process], registers: str
) -> None:
    sources = {
        "population": "loket.sources.http.HttpPopulationRegister",
        "vehicle": "loket.sources.http.HttpVehicleRegister",
    }
    endpoints = {name: {"url": f"{registers}/{name}", "timeout": TIMEOUT} for name in sources}
    environment = loket_environment(
        database,
        var_dir,
        LOKET_SOURCES=json.dumps(sources),
        LOKET_SOURCE_ENDPOINTS=json.dumps(endpoints),
    )
    server = Server(environment, workers=2)
    processes.append(server.start())
    browser = Browser(server.url, "resident")  # Browser raises on any 5xx
    browser.log_in()
    entries_before = query(database, "SELECT count(*) FROM audit_accesslogentry")[0][0]

    assert browser.get(APPLY).status_code == 200
    started = time.monotonic()
    answer = browser.post(APPLY, {"use_registers": "yes"})
    assert time.monotonic() - started < 10 * TIMEOUT  # bounded by the timeouts, not the register
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/apply/facts/")
    facts = browser.get(f"{APPLY}facts/")
    assert facts.status_code == 200
    assert "A register did not answer" in facts.text  # the page says why
    assert {"population", "vehicle"} <= set(BrokenRegisters.calls)

    # The applicant types what the population register would have said.
    declare = browser.get(f"{APPLY}declare/")
    assert declare.status_code == 200
    assert "We could not use the register for this data" in declare.text
    typed = {
        "population.identity.first_name": "Amira",
        "population.identity.last_name": "Benali",
        "population.identity.birth_date": "1988-04-12",
        "population.address.street": "Rue du Trône",
        "population.address.house_number": "12",
        "population.address.postcode": "1050",
    }
    # 1050 is Ixelles and part of the City of Brussels: the page asks which, keeping what was typed.
    answer = browser.post(f"{APPLY}declare/", typed)
    assert answer.status_code == 422, answer.status_code
    assert "shared by two municipalities: choose the municipality." in answer.text
    assert 'id="id_population.address.municipality_error"' in answer.text  # on that field
    assert "Benali" in answer.text
    answer = browser.post(f"{APPLY}declare/", {**typed, "population.address.municipality": "21009"})
    assert answer.status_code == 302, answer.status_code
    # The vehicle is typed on the form's own page, as always.
    assert browser.post(f"{APPLY}q/vehicle/", {"plate": "2-XYZ-789"}).status_code == 302
    start = (date.today() + timedelta(days=7)).isoformat()
    assert browser.post(f"{APPLY}q/start/", {"start_date": start}).status_code == 302
    check = browser.get(f"{APPLY}check/")
    assert check.status_code == 200 and "Benali" in check.text
    key = check.text.split('name="idempotency_key" value="', 1)[1][:36]
    assert is_case_page(browser.post(f"{APPLY}check/", {"idempotency_key": key}))

    # The case says the data was declared, not read; every attempt is in the access log.
    [(declared,)] = query(
        database, "SELECT declared_instead FROM cases_case WHERE idempotency_key = %s", key
    )
    assert {"population.identity", "population.address"} <= set(declared)
    outcomes = query(
        database,
        "SELECT source, outcome FROM audit_accesslogentry ORDER BY id OFFSET %s",
        entries_before,
    )
    broken = [outcome for source, outcome in outcomes if source in ("population", "vehicle")]
    assert broken and all(outcome == "unavailable" for outcome in broken)  # social still answers
    assert {source for source, _outcome in outcomes} == {"population", "vehicle", "social"}
    assert "access log OK" in run_loket(["audit", "verify"], environment)
