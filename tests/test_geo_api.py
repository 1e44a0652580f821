"""The address API: JSON results, RFC 9457 problems for bad parameters, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

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
def test_bad_parameters_get_a_400_problem_document_naming_the_parameter(
    client: Client, path: str, parameters: dict[str, str], name: str
) -> None:
    response = client.get(path, parameters)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert problem["status"] == 400
    assert problem["invalid-params"][0]["name"] == name


@pytest.mark.django_db
def test_only_get_is_allowed(client: Client) -> None:
    assert client.post(SEARCH, {"q": "Wetstraat"}).status_code == 405
