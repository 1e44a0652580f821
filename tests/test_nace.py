"""An enterprise's main activity reads as words: the detailed NACE-BEL label where Loket has one,
else the title of its division, which the reference data holds for all 88 divisions in French,
Dutch and English (loket/data/nace-bel-2008-divisions.csv)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from loket.core.reference import nace_division, read_csv
from loket.registers.models import Enterprise
from loket.web.presenters import nace_activity
from tests.conftest import client_for, demo_user

# NACE Rev. 2 sections and the divisions each holds (Eurostat): 88 divisions in all.
SECTIONS = {
    "A": (1, 3), "B": (5, 9), "C": (10, 33), "D": (35, 35), "E": (36, 39), "F": (41, 43),
    "G": (45, 47), "H": (49, 53), "I": (55, 56), "J": (58, 63), "K": (64, 66), "L": (68, 68),
    "M": (69, 75), "N": (77, 82), "O": (84, 84), "P": (85, 85), "Q": (86, 88), "R": (90, 93),
    "S": (94, 96), "T": (97, 98), "U": (99, 99),
}  # fmt: skip


def test_the_reference_data_holds_the_88_divisions_in_three_languages() -> None:
    rows = read_csv("nace-bel-2008-divisions.csv")
    expected = {
        f"{n:02d}": section for section, (a, b) in SECTIONS.items() for n in range(a, b + 1)
    }
    assert len(expected) == 88
    assert {row["division"]: row["section"] for row in rows} == expected
    assert len(rows) == 88
    for row in rows:
        for language in ("fr", "nl", "en"):
            title = row[language]
            assert title and title == title.strip() and title[0].isupper(), (row, language)
    # The three languages are three texts, not one copied.
    assert all(len({row["fr"], row["nl"], row["en"]}) == 3 for row in rows)


def test_a_division_title_in_each_language() -> None:
    assert nace_division("56101", "en") == "Food and beverage service activities"
    assert nace_division("56.101", "fr") == "Restauration"
    assert nace_division("56", "nl") == "Eet- en drinkgelegenheden"
    assert nace_division("00123", "en") == "" and nace_division("4", "en") == ""
    with translation.override("nl"):
        assert nace_division("62010") == (
            "Ontwerpen en programmeren van computerprogramma's, computerconsultancy- en "
            "aanverwante activiteiten"
        )


def test_a_code_with_its_own_label_keeps_it_and_another_falls_back_to_its_division() -> None:
    with translation.override("en"):
        assert nace_activity("56101") == "56.101 \u2014 full-service restaurants"
        assert nace_activity("56102") == (
            "56.102 (division 56: food and beverage service activities)"
        )
        assert nace_activity("71.121") == (
            "71.121 (division 71: architectural and engineering activities; technical "
            "testing and analysis)"
        )
        assert nace_activity("00999") == "00999"  # no such division: the code as given


@pytest.mark.django_db
def test_a_real_enterprises_activity_shows_in_words_on_the_facts_page() -> None:
    business = demo_user("business")
    Enterprise.objects.filter(number=business.enterprise_number).update(nace_code="71121")
    client = client_for("business")
    base = "/en/procedures/terrace-permit/apply/"
    assert client.post(base, {"use_registers": "yes"}).status_code == 302
    page = client.get(f"{base}facts/").content.decode()
    main = page.split("<main", 1)[1]
    assert re.search(
        r"Main activity: 71\.121 \(division 71: architectural and engineering activities;", main
    )
