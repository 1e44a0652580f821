"""The public catalogue API: anonymous, paginated, names in three languages, problem+json."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings

from loket.audit.models import SecurityEvent
from loket.catalog.models import Procedure


@pytest.mark.django_db
def test_procedures_are_listed_with_pagination_and_names_in_three_languages() -> None:
    client = Client()
    total = Procedure.objects.count()
    first = client.get("/api/v1/procedures/?page_size=2").json()
    assert first["count"] == total
    assert len(first["results"]) == 2
    assert first["previous"] is None
    assert "page=2" in first["next"]
    assert set(first["results"][0]["names"]) == {"fr", "nl", "en"}
    second = client.get(first["next"]).json()
    assert "page=1" in second["previous"]
    assert {p["id"] for p in first["results"]}.isdisjoint({p["id"] for p in second["results"]})


@pytest.mark.django_db
def test_procedures_filter_by_administration_life_event_and_words() -> None:
    client = Client()
    parking = client.get("/api/v1/procedures/?administration=parking-brussels").json()
    assert "residents-parking-card" in [p["id"] for p in parking["results"]]
    assert all(p["administration"] == "parking-brussels" for p in parking["results"])
    found = client.get("/api/v1/procedures/?q=parking").json()
    assert "residents-parking-card" in [p["id"] for p in found["results"]]
    event = client.get("/api/v1/life-events/").json()["results"][0]["id"]
    by_event = client.get(f"/api/v1/procedures/?life_event={event}").json()["results"]
    assert by_event and all(event in p["life_events"] for p in by_event)


@pytest.mark.django_db
def test_one_procedure_and_the_lists_of_life_events_and_administrations() -> None:
    client = Client()
    one = client.get("/api/v1/procedures/residents-parking-card/")
    assert one.status_code == 200
    assert one.json()["id"] == "residents-parking-card"
    administrations = client.get("/api/v1/administrations/?page_size=100").json()
    assert "parking-brussels" in [a["id"] for a in administrations["results"]]


@pytest.mark.django_db
def test_errors_are_translated_problem_json_never_html() -> None:
    client = Client()
    missing = client.get("/api/v1/procedures/no-such-thing/", HTTP_ACCEPT_LANGUAGE="en")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    body = missing.json()
    assert set(body) >= {"type", "title", "status", "detail", "instance"}
    assert body["status"] == 404
    assert body["instance"] == "/api/v1/procedures/no-such-thing/"
    bad = client.get("/api/v1/procedures/?page_size=5000").json()
    assert bad["status"] == 422
    assert bad["errors"][0]["field"] == "page_size"
    nowhere = client.get("/api/v1/nothing/here")
    assert nowhere.status_code == 404
    assert nowhere["Content-Type"] == "application/problem+json"
    # The address API under the same prefix keeps working, and what it does not answer is the
    # same problem+json 404.
    assert client.get("/api/v1/addresses/?q=rue").status_code == 200
    elsewhere = client.get("/api/v1/addresses/search?q=")
    assert elsewhere.status_code == 404
    assert elsewhere["Content-Type"] == "application/problem+json"


@pytest.mark.django_db
@pytest.mark.usefixtures("steady_rate_window")
@override_settings(LOKET_API_ANONYMOUS_RATE_LIMIT=(3, 60))
def test_anonymous_calls_are_rate_limited_per_address_with_retry_after() -> None:
    client = Client()
    for _ in range(3):
        assert client.get("/api/v1/life-events/").status_code == 200
    limited = client.get("/api/v1/life-events/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert json.loads(limited.content)["status"] == 429
    assert SecurityEvent.objects.filter(kind="rate-limited").count() == 1
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert other.get("/api/v1/life-events/").status_code == 200


@pytest.mark.django_db
def test_the_browsable_docs_list_every_operation_without_third_party_requests() -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    page = Client().get("/api/v1/docs/").content.decode()
    for path in spec["paths"]:
        assert "/api/v1" + path in page
    assert "https://cdn" not in page and '<script src="http' not in page
