"""No personal data in the application logs: a whole journey (demo login, application with data
from the registers, an agent opening and deciding, My data, an access request run by the worker)
with every ``loket`` and ``django`` logger captured at DEBUG, and none of the national numbers,
names, e-mail addresses, plates or streets of the people involved in what was logged."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.test import Client

from loket.privacy.models import AccessArchive
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card

LOGGERS = ("loket", "loket.security", "loket.tasks", "django", "django.request",
           "django.security", "django.server", "django.template")  # fmt: skip


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        self.lines.append(f"{record.name} {text} {record.args!r}")


@pytest.fixture
def captured_logs() -> Iterator[Recorder]:
    recorder = Recorder()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(recorder)
    try:
        yield recorder
    finally:
        for logger, level in saved:
            logger.removeHandler(recorder)
            logger.setLevel(level)


@pytest.mark.django_db
def test_a_full_journey_logs_no_personal_data(captured_logs: Recorder) -> None:
    client = Client()
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
    output = "\n".join(captured_logs.lines)
    assert captured_logs.lines, "the journey logged nothing: the capture does not work"
    leaked = sorted(value for value in personal if value in output)
    lines = [line[:300] for line in captured_logs.lines if any(v in line for v in leaked)]
    assert leaked == [], f"personal data in the logs: {leaked} in {lines}"
