"""Search finds procedures in FR, NL and EN, without accents, with small typos."""

from __future__ import annotations

import pytest
from django.test import Client

from loket.catalog.search import search_procedures


def ids(query: str) -> list[str]:
    return [procedure.id for procedure in search_procedures(query)]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["parkeerkaart", "carte riverain", "residents parking"])
def test_parking_card_comes_first(query: str) -> None:
    assert ids(query)[0] == "residents-parking-card"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["déménagement", "verhuizen", "demenagement", "DÉMÉNAGEMENT"])
def test_moving_finds_change_of_address_in_the_top_3(query: str) -> None:
    assert "change-of-address" in ids(query)[:3]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["parkeerkart", "carte rivrain", "residnets parking"])
def test_small_typos_are_forgiven(query: str) -> None:
    assert ids(query)[0] == "residents-parking-card"


@pytest.mark.django_db
def test_a_query_without_match_says_so_and_offers_a_way_on(client: Client) -> None:
    response = client.get("/en/search/?q=xylophone+zebra")
    page = response.content.decode()
    assert response.status_code == 200
    assert "No procedure matches" in page
    assert "life event" in page


@pytest.mark.django_db
def test_search_page_lists_results_in_the_page_language(client: Client) -> None:
    page = client.get("/nl/search/?q=parkeerkaart").content.decode()
    assert "Bewonerskaart voor parkeren" in page


@pytest.mark.django_db
def test_very_long_or_odd_queries_are_handled(client: Client) -> None:
    assert client.get("/fr/search/?q=" + "a" * 5000).status_code == 200
    assert client.get("/fr/search/?q=%00%ff<script>").status_code == 200
