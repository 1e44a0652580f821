"""Every response carries ``X-Request-ID``: the caller's own when it is a safe token (a proxy's
id, so one request is followed through both logs), a new one otherwise, so a forged header can
neither break a log line nor be echoed into a response."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.test import Client

from loket.observe import logs
from loket.observe.logs import JsonFormatter, RequestContextFilter
from loket.tasks.queue import enqueue, handler, run_until_empty

NEW_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.django_db
def test_each_response_has_its_own_new_request_id() -> None:
    client = Client()
    first, second = client.get("/healthz"), client.get("/en/does-not-exist/")
    assert NEW_ID.match(first["X-Request-ID"]) and NEW_ID.match(second["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert second.status_code == 404  # refused requests are numbered too


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["f2b1c3d4-5e6f-4a1b-9c8d-7e6f5a4b3c2d", "lb-01:abc.DEF_123"])
def test_a_safe_incoming_request_id_is_kept(given: str) -> None:
    assert Client().get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


@pytest.mark.django_db
@pytest.mark.parametrize(
    "given",
    ["short", "a b c d e f g h", 'x" level="ERROR', "ok-id\nforged log line", "é" * 20, "x" * 101],
)
def test_an_unsafe_incoming_request_id_is_replaced(given: str) -> None:
    answered = Client().get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert NEW_ID.match(answered) and answered != given


@pytest.mark.django_db
def test_a_task_logs_with_its_name_and_id_and_a_request_keeps_its_own_context(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @handler("tests.says-hello")
    def says_hello(payload: dict[str, object]) -> None:
        logging.getLogger("loket.tests").warning("hello from a task")

    task = enqueue("tests.says-hello", {})
    assert task is not None
    caplog.handler.addFilter(RequestContextFilter())
    with (
        caplog.at_level(logging.WARNING, logger="loket.tests"),
        logs.context(request_id="req-0001"),
    ):
        assert run_until_empty() >= 1  # with whatever else the demo data queued
        assert logs.current() == {"request_id": "req-0001"}  # the task's names are gone again
    (record,) = [r for r in caplog.records if r.getMessage() == "hello from a task"]
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello from a task"
    assert (line["task"], line["task_id"], line["request_id"]) == (
        "tests.says-hello", str(task.pk), "req-0001",
    )  # fmt: skip


def test_serve_in_json_writes_only_json_lines_and_no_access_log(tmp_path: Path) -> None:
    """`loket serve` with LOKET_LOG_FORMAT=json: gunicorn's own messages are JSON lines too, and
    its access log (the full path with a case reference, the referer, the user agent, the
    address) is not written; loket.requests has the request, by route and id."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LOKET_", "PROMETHEUS_"))},
        "LOKET_ENV": "test",
        "LOKET_VAR_DIR": str(tmp_path),
        "LOKET_LOG_FORMAT": "json",
        "LOKET_BIND": f"127.0.0.1:{port}",
        "LOKET_WORKERS": "1",
        # No database: the request is answered all the same (a 404 or a 503), and logged.
        "LOKET_DATABASE_URL": "postgres://postgres@127.0.0.1:9/loket",
    }
    output = tmp_path / "output.txt"
    with output.open("wb") as sink:
        server = subprocess.Popen(
            [sys.executable, "-m", "loket.cli", "serve"],
            env=environment, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            path = "/en/cases/BRU-2026-0004711-00/"
            deadline = time.monotonic() + 60
            while True:
                try:
                    answer = requests.get(
                        f"http://127.0.0.1:{port}{path}",
                        headers={"X-Request-ID": "json-lines-test-0001", "User-Agent": "probe/9"},
                        timeout=10,
                    )
                    break
                except requests.ConnectionError:
                    assert time.monotonic() < deadline, output.read_text()
                    time.sleep(0.2)
            time.sleep(0.5)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    assert answer.headers["X-Request-ID"] == "json-lines-test-0001"
    lines = [line for line in output.read_text().splitlines() if line.strip()]
    entries = []
    for line in lines:
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON line: {line!r}")
    assert any(e.get("logger") == "gunicorn.error" for e in entries), lines
    assert any(e.get("request_id") == "json-lines-test-0001" for e in entries), lines
    text = "\n".join(lines)
    assert "BRU-2026-0004711-00" not in text
    assert "probe/9" not in text
