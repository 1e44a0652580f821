"""No route answers a 500 to a visitor who sends nonsense: every route of the URL configuration,
asked by each kind of visitor with GET and with POST of unexpected, empty and hostile values."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import client_for
from tests.test_route_policies import all_routes, sample_url

HOSTILE = {
    "q": "'; DROP TABLE cases_case; --",
    "page": "-1",
    "page_size": "99999999999999999999",
    "status": "<script>alert(1)</script>",
    "procedure": "../../etc/passwd",
    "national_number": "85.07.30-033.2\u0000",
    "kind": "{{ 7*7 }}",
    "details": "x" * 20_000,
    "idempotency_key": "not-a-uuid",
    "key": "\r\nSet-Cookie: a=b",
    "slot": "NaN",
    "day": "2026-02-31",
    "action": "unknown",
    "next": "//evil.example/",
}
VISITORS = ("anonymous", "resident", "agent-ixelles", "helper", "dpo", "designer")


@pytest.mark.django_db
@pytest.mark.parametrize("visitor", VISITORS)
def test_no_route_answers_nonsense_with_a_server_error(visitor: str) -> None:
    client = Client() if visitor == "anonymous" else client_for(visitor)
    client.raise_request_exception = False
    errors, asked = [], 0
    for route in all_routes():
        url = sample_url(route)
        if url is None:
            continue
        for answer in (
            client.get(url, HOSTILE),
            client.post(url, HOSTILE),
            client.post(url, b"\xff\xfe{not json", content_type="application/json"),
        ):
            asked += 1
            if answer.status_code >= 500:
                errors.append(f"{route.name} {answer.request['REQUEST_METHOD']} {url}")
    assert asked > 200  # every route, three ways
    assert errors == []
