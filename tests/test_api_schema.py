"""Schemathesis against /api/v1/openapi.json through the WSGI application: every operation,
a bounded number of generated requests each, with a valid token for the token endpoints. No
answer may be a 5xx, and every answer must match the document (status, content type, body)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from loket.api.clients import do_create_api_client
from loket.api.models import ApiClient
from loket.api.openapi import document
from loket.cases.models import Case
from loket.core.models import Administration
from loket.wsgi import application
from tests.conftest import client_for
from tests.test_cases import apply_for_parking_card

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# The document is built without a database at collection time; the test below checks that it
# is exactly what /api/v1/openapi.json serves.
schema = schemathesis.openapi.from_dict(document())
schema.app = application


@pytest.mark.django_db
def test_the_served_document_is_the_one_tested() -> None:
    assert Client().get("/api/v1/openapi.json").json() == json.loads(json.dumps(document()))


def test_every_route_under_api_v1_is_in_the_document() -> None:
    """The address API included: a route added without its description fails here."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def routes(patterns: list[URLPattern | URLResolver], prefix: str) -> Iterator[str]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from routes(pattern.url_patterns, route)
            elif route.startswith("api/v1/") and pattern.name not in SELF_DESCRIBING:
                yield re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route.removeprefix("api/v1"))

    served = set(routes(get_resolver().url_patterns, ""))
    assert {"/addresses/", "/addresses/reverse", "/procedures/"} <= served
    assert served == set(document()["paths"])


SELF_DESCRIBING = {"openapi", "docs", "unknown"}  # the document, its page, the 404 for the rest


@pytest.fixture
def token(db: None, settings: Any) -> str:
    settings.LOKET_API_RATE_LIMIT = (100_000, 60)
    settings.LOKET_API_ANONYMOUS_RATE_LIMIT = (100_000, 60)
    _client, token = do_create_api_client(
        Administration.objects.get(id="parking-brussels"), "Schemathesis", ApiClient.SCOPES
    )
    return token


@pytest.fixture
def real_case(db: None) -> Case:
    return apply_for_parking_card(client_for("resident"))


@contextmanager
def keeping_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes "obsolete" connections around each request, which would close the
    test's transaction on PostgreSQL; Django's own test client disconnects them the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


CALLS = itertools.count()


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_operation_answers_as_documented_and_never_5xx(
    case: Any, token: str, real_case: Case
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    # Every other call on a case goes to a real one, writes with its current ETag, so that the
    # generated bodies reach the actions and not only the 404.
    if "reference" in (case.path_parameters or {}) and next(CALLS) % 2 == 0:
        case.path_parameters["reference"] = real_case.reference
        if case.method.upper() == "POST":
            read = Client(HTTP_AUTHORIZATION=headers["Authorization"])
            headers["If-Match"] = read.get(f"/api/v1/cases/{real_case.reference}/")["ETag"]
    with keeping_the_test_connection():
        case.call_and_validate(headers=headers, checks=CHECKS)
