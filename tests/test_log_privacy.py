"""No personal data in the application logs: a whole journey (demo login, application with data
from the registers, an agent opening and deciding, My data, an access request run by the worker)
with every ``loket`` and ``django`` logger captured at DEBUG, and none of the national numbers,
names, e-mail addresses, plates or streets of the people involved in what was logged. The same
journey is then written as JSON lines (``LOKET_LOG_FORMAT=json``), which carry the request's
context: its id (the one in the response header), the user's pseudonym, route and duration."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.test import Client

from loket.core.identifiers import pseudonym, user_pseudonym
from loket.observe.logs import JsonFormatter, RequestContextFilter
from loket.privacy.models import AccessArchive
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card

LOGGERS = ("loket", "loket.security", "loket.tasks", "loket.requests", "django",
           "django.request", "django.security", "django.server", "django.template")  # fmt: skip


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {text} {record.args!r}")


class JsonRecorder(logging.Handler):
    """The lines as ``LOKET_LOG_FORMAT=json`` writes them (the formatter and filter of settings)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.addFilter(RequestContextFilter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def capture(recorder: logging.Handler) -> Iterator[None]:
    """Every logger of LOGGERS at DEBUG into ``recorder``, for the time of the block."""
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(recorder)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.removeHandler(recorder)
            logger.setLevel(level)


@pytest.fixture
def captured_logs() -> Iterator[Recorder]:
    recorder = Recorder()
    with capture(recorder):
        yield recorder


@pytest.fixture
def json_logs() -> Iterator[JsonRecorder]:
    recorder = JsonRecorder()
    with capture(recorder):
        yield recorder


def journey(client: Client) -> list[str]:
    """The whole journey; returns the personal data of the people in it."""
    assert client.post("/en/demo-login/", {"identity": "resident"}).status_code == 302
    case = apply_for_parking_card(client)
    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    assert agent.get(url).status_code == 200
    agent.post(url, with_version(case, {"action": "decide", "status": "approved", "note": "OK"}))
    assert client.get("/en/my-data/").status_code == 200
    client.post("/en/privacy/rights/", {"kind": "access"})
    client.get("/en/privacy/rights/archive/not-a-token/")  # a refused attempt is logged
    run_until_empty()
    archive = AccessArchive.objects.get()
    assert client.get(f"/en/privacy/rights/archive/{archive.token}/").status_code == 200
    assert client.get(f"/en/privacy/rights/archive/{archive.token}/").status_code == 410
    case.refresh_from_db()
    address = case.facts["population"]["address"]
    personal = {address.get("street", ""), case.answers["plate"]}
    for key in ("resident", "agent-parking"):
        person = demo_user(key)
        personal |= {person.national_number or "", person.first_name, person.last_name,
                     person.email}  # fmt: skip
    personal.discard("")
    return sorted(personal)


def leaks(personal: list[str], lines: list[str]) -> tuple[list[str], list[str]]:
    output = "\n".join(lines)
    leaked = [value for value in personal if value in output]
    return leaked, [line[:300] for line in lines if any(v in line for v in leaked)]


@pytest.mark.django_db
def test_a_full_journey_logs_no_personal_data(captured_logs: Recorder) -> None:
    personal = journey(Client())
    assert captured_logs.lines, "the journey logged nothing: the capture does not work"
    leaked, lines = leaks(personal, captured_logs.lines)
    assert leaked == [], f"personal data in the logs: {leaked} in {lines}"


@pytest.mark.django_db
def test_json_logs_carry_the_request_context_and_no_personal_data(
    json_logs: JsonRecorder,
) -> None:
    client = Client()
    personal = journey(client)
    entries = [json.loads(line) for line in json_logs.lines]  # each line is one JSON object
    requests = [entry for entry in entries if entry["logger"] == "loket.requests"]
    assert len(requests) >= 10
    assert all({"request_id", "route", "status", "duration_ms"} <= set(e) for e in requests)
    assert "web:my-data" in {entry["route"] for entry in requests}
    resident = demo_user("resident")
    assert pseudonym(resident.national_number or "") in {e.get("user") for e in requests}
    agent_lines = [e for e in requests if e.get("administration") == "parking-brussels"]
    assert agent_lines, {e.get("administration") for e in requests}
    # An event logged inside a request (a refused archive token) carries that request's id.
    inside = [e for e in entries if e["logger"] != "loket.requests" and "request_id" in e]
    assert inside and {e["request_id"] for e in inside} <= {e["request_id"] for e in requests}

    response = client.get("/en/my-data/")
    last = json.loads(json_logs.lines[-1])
    assert last["request_id"] == response["X-Request-ID"]
    assert last["route"] == "web:my-data"
    leaked, lines = leaks(personal, json_logs.lines)
    assert leaked == [], f"personal data in the JSON logs: {leaked} in {lines}"


@pytest.mark.django_db
def test_the_login_line_names_the_user_by_pseudonym_not_by_database_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="loket.auth"):
        assert Client().post("/en/demo-login/", {"identity": "resident"}).status_code == 302
    resident = demo_user("resident")
    logins = [r.getMessage() for r in caplog.records if r.getMessage().startswith("login ")]
    assert logins == [f"login user={user_pseudonym(resident)} method=demo"], logins
