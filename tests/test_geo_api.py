"""The address API: JSON results, RFC 9457 problems for bad parameters and wrong methods, the
public API's rate limit, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from loket.audit.models import SecurityEvent

SEARCH, REVERSE = "/api/v1/addresses/", "/api/v1/addresses/reverse"
FIELDS = {
    "id",
    "street_fr",
    "street_nl",
    "house_number",
    "box",
    "postcode",
    "nis_code",
    "lat",
    "lon",
    "precision",
    "score",
}


pytestmark = pytest.mark.usefixtures("address_register")


@pytest.mark.django_db
def test_search_answers_json_results_best_first_and_may_be_cached(client: Client) -> None:
    response = client.get(SEARCH, {"q": "Oude Haachtsesteenweg 27 Haren", "limit": "3"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age" in response["Cache-Control"]
    results = response.json()["results"]
    assert 1 <= len(results) <= 3
    assert set(results[0]) == FIELDS
    assert (results[0]["id"], results[0]["precision"]) == ("4274", "address")
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


@pytest.mark.django_db
def test_reverse_answers_the_nearest_address_first(client: Client) -> None:
    response = client.get(REVERSE, {"lat": "50.89343", "lon": "4.43058"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0]["id"] == "4274"
    assert len(results) <= 5


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["東京都千代田区", "\u0000", "'; DROP TABLE geo_address; --"])
def test_search_for_nothing_sensible_is_an_empty_list_not_an_error(
    client: Client, query: str
) -> None:
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert response.json() == {"results": []}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "parameters", "name"),
    [
        (SEARCH, {}, "q"),
        (SEARCH, {"q": "   "}, "q"),
        (SEARCH, {"q": "a" * 10_000}, "q"),
        (SEARCH, {"q": "Wetstraat", "limit": "0"}, "limit"),
        (SEARCH, {"q": "Wetstraat", "limit": "51"}, "limit"),
        (SEARCH, {"q": "Wetstraat", "limit": "ten"}, "limit"),
        (SEARCH, {"q": "Wetstraat", "limit": "٣"}, "limit"),
        (REVERSE, {"lon": "4.35"}, "lat"),
        (REVERSE, {"lat": "50.85"}, "lon"),
        (REVERSE, {"lat": "north", "lon": "4.35"}, "lat"),
        (REVERSE, {"lat": "nan", "lon": "4.35"}, "lat"),
        (REVERSE, {"lat": "50.85", "lon": "inf"}, "lon"),
        (REVERSE, {"lat": "91", "lon": "4.35"}, "lat"),
        (REVERSE, {"lat": "1e400", "lon": "4.35"}, "lat"),
        (REVERSE, {"lat": "50.85", "lon": "4.35", "limit": "-1"}, "limit"),
    ],
)
def test_bad_parameters_get_a_422_problem_document_naming_the_parameter(
    client: Client, path: str, parameters: dict[str, str], name: str
) -> None:
    response = client.get(path, parameters, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response["Cache-Control"] == "no-store"
    problem = response.json()
    assert problem["type"] == "https://loket.brussels/problems/validation"
    assert problem["title"] == "La requête n'est pas valide."
    assert problem["status"] == 422
    assert problem["instance"].startswith(path)
    assert problem["errors"] == [{"field": name, "detail": problem["detail"]}]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [SEARCH, REVERSE])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_wrong_method_is_a_405_problem_with_allow(client: Client, path: str, method: str) -> None:
    response = getattr(client, method)(path, {"q": "Wetstraat"})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "https://loket.brussels/problems/method-not-allowed"


@pytest.mark.django_db
@pytest.mark.usefixtures("steady_rate_window")
@override_settings(LOKET_API_ANONYMOUS_RATE_LIMIT=(3, 60))
def test_searches_count_against_the_public_api_rate_limit_per_address() -> None:
    here, there = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2")
    # One count per address for the whole public API: the catalogue, search and reverse.
    assert here.get("/api/v1/procedures/").status_code == 200
    assert here.get(SEARCH, {"q": "Wetstraat"}).status_code == 200
    assert here.get(REVERSE, {"lat": "50.85", "lon": "4.35"}).status_code == 200
    limited = here.get(SEARCH, {"q": "Wetstraat"})
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/problem+json"
    assert 1 <= int(limited["Retry-After"]) <= 61
    assert limited.json()["type"] == "https://loket.brussels/problems/rate-limited"
    assert SecurityEvent.objects.filter(kind="rate-limited").count() == 1
    assert there.get(SEARCH, {"q": "Wetstraat"}).status_code == 200
