"""One problem+json (RFC 9457) for every machine endpoint: the REST API, the address API, the
address register's feed and the map's nearby reports all answer an error in the same shape,
from the same helper (loket.core.problems), translated in the language asked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client, RequestFactory, override_settings

from loket.core.problems import CONTENT_TYPE, TYPE_BASE, Problem, problem_response

TOKEN = "feed-token-for-the-tests-0123456789"
FEED = {"Authorization": f"Bearer {TOKEN}"}

# One invalid request to each endpoint that answers problems, and the field it names.
INVALID = {
    "api": ("get", "/api/v1/procedures/", {"page_size": "5000"}, {}, "page_size"),
    "addresses": ("get", "/api/v1/addresses/reverse", {"lat": "north", "lon": "4.35"}, {}, "lat"),
    "feed": ("post", "/urbis/feed/1/status", {"status": "maybe"}, FEED, "status"),
    "nearby": ("get", "/{lang}/incidents/nearby.json", {"lat": "50.8"}, {}, "category"),
}
# A method each endpoint does not answer, and the methods it does.
WRONG_METHOD = {
    "api": ("delete", "/api/v1/procedures/", "GET"),
    "addresses": ("post", "/api/v1/addresses/", "GET"),
    "feed": ("get", "/urbis/feed/1/status", "POST"),
    "feed-csv": ("post", "/urbis/feed.csv", "GET"),
    "nearby": ("post", "/en/incidents/nearby.json", "GET"),
}


def ask(
    method: str, path: str, data: dict[str, str], headers: dict[str, str], language: str
) -> Any:
    client = Client(headers={"Accept-Language": language, **headers})
    path = path.format(lang=language)
    if method == "post":
        return client.post(path, json.dumps(data), content_type="application/json")
    return client.get(path, data)


@pytest.mark.django_db
@override_settings(LOKET_URBIS_FEED_TOKEN=TOKEN)
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_every_endpoint_answers_an_invalid_field_in_the_same_translated_shape(
    language: str,
) -> None:
    bodies = {}
    for endpoint, (method, path, data, headers, field) in INVALID.items():
        response = ask(method, path, data, headers, language)
        assert response.status_code == 422, endpoint
        assert response["Content-Type"] == CONTENT_TYPE, endpoint
        body = response.json()
        assert set(body) == {"type", "title", "status", "detail", "instance", "errors"}, endpoint
        assert body["type"] == TYPE_BASE + "validation"
        assert body["status"] == 422
        assert body["instance"].startswith(path.format(lang=language))
        assert body["errors"] == [{"field": field, "detail": body["detail"]}], endpoint
        bodies[endpoint] = body
    # The same title, in the language asked.
    titles = {body["title"] for body in bodies.values()}
    assert len(titles) == 1
    english = "The request is not valid."
    assert (titles.pop() == english) == (language == "en")


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", WRONG_METHOD)
def test_every_endpoint_answers_a_wrong_method_with_405_allow_and_a_problem(endpoint: str) -> None:
    method, path, allowed = WRONG_METHOD[endpoint]
    response = getattr(Client(HTTP_ACCEPT_LANGUAGE="en"), method)(path)
    assert response.status_code == 405
    assert response["Allow"] == allowed
    assert response["Content-Type"] == CONTENT_TYPE
    body = response.json()
    assert body["type"] == TYPE_BASE + "method-not-allowed"
    assert body["title"] == "This method is not allowed here."
    assert (body["status"], body["instance"]) == (405, path)


@pytest.mark.django_db
@override_settings(LOKET_URBIS_FEED_TOKEN=TOKEN)
def test_a_refused_token_is_the_same_401_from_the_api_and_the_feed() -> None:
    api = Client().get("/api/v1/cases/", HTTP_AUTHORIZATION="Bearer wrong")
    feed = Client().get("/urbis/feed.csv", HTTP_AUTHORIZATION="Bearer wrong")
    for response in (api, feed):
        assert response.status_code == 401
        assert response["Content-Type"] == CONTENT_TYPE
        assert response["WWW-Authenticate"].startswith("Bearer realm=")
        assert response.json()["type"] == TYPE_BASE + "unauthorised"
    assert set(api.json()) == set(feed.json())


def test_extension_members_are_added_but_never_replace_the_standard_ones() -> None:
    problem = Problem(
        409,
        "conflict",
        "Conflict.",
        "The case is already decided.",
        headers={"Retry-After": "5"},
        extensions={"status": 200, "type": "about:blank", "case": "BRU-2026-0000001-00"},
    )
    response = problem_response(RequestFactory().get("/api/v1/x?y=1"), problem)
    assert response.status_code == 409
    assert response["Retry-After"] == "5"
    assert json.loads(response.content) == {
        "type": TYPE_BASE + "conflict",
        "title": "Conflict.",
        "status": 409,
        "detail": "The case is already decided.",
        "instance": "/api/v1/x?y=1",
        "case": "BRU-2026-0000001-00",
    }


def test_a_database_outage_is_a_503_problem_from_a_view_and_from_a_middleware() -> None:
    from django.db import OperationalError
    from django.http import HttpRequest, HttpResponse

    from loket.core.problems import problem_endpoint
    from loket.web.resilience import unavailable_response

    @problem_endpoint(("GET",))
    def view(request: HttpRequest) -> HttpResponse:
        raise OperationalError("connection refused")

    request = RequestFactory().get("/api/v1/cases/")
    # From a view, and from a middleware (the session loaded before the view runs).
    for response in (view(request), unavailable_response(request, OperationalError("refused"))):
        assert isinstance(response, HttpResponse)
        assert response.status_code == 503
        assert response["Content-Type"] == CONTENT_TYPE
        assert response["Retry-After"].isdigit()
        assert json.loads(response.content)["type"] == TYPE_BASE + "unavailable"
