"""Every response carries ``X-Request-ID``: the caller's own when it is a safe token (a proxy's
id, so one request is followed through both logs), a new one otherwise, so a forged header can
neither break a log line nor be echoed into a response."""

from __future__ import annotations

import re

import pytest
from django.test import Client

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
