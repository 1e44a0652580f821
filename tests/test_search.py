"""Search finds procedures in FR, NL and EN, without accents, with small typos."""

from __future__ import annotations

import pytest
from django.test import Client
from rapidfuzz import fuzz

from loket.catalog.search import (
    held_catalogue,
    search_procedures,
    similarities,
    words,
)


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


def one_pair_at_a_time(query_word: str, candidate: str) -> float:
    """The rules of ``similarities``, written out for one word of the vocabulary."""
    if query_word == candidate:
        return 100.0
    if len(query_word) >= 3 and candidate.startswith(query_word):
        return 95.0
    if len(query_word) >= 5 and query_word.startswith(candidate) and len(candidate) >= 5:
        return 85.0
    if len(query_word) < 4:
        return 0.0
    score = fuzz.ratio(query_word, candidate)
    return score if score >= 80 else 0.0


@pytest.mark.django_db
def test_a_typed_word_scores_every_catalogue_word_as_the_rule_does_one_pair_at_a_time() -> None:
    """Search scores a typed word against the whole vocabulary at once (``similarities``): the
    scores are those of its rules applied word by word, exact and prefix rules first."""
    vocabulary = held_catalogue().vocabulary
    typed = [
        *words("parking parkeerkaart parkin residence résidense verhuizen demenagement"),
        *("car", "ca", "x", "certificaat", "certificat", "kaart", "zzzzz"),
        *vocabulary[::37],  # some forty words of the catalogue itself
    ]
    for query_word in typed:
        one_by_one = {w: one_pair_at_a_time(query_word, w) for w in vocabulary}
        expected = {w: score for w, score in one_by_one.items() if score}
        assert similarities(query_word, vocabulary) == pytest.approx(expected), query_word
    assert list(vocabulary) == sorted(set(vocabulary))
