"""Wording fixed where it is made, not page by page: file sizes, weekdays, numbered items of a
group, the person who chose to type their data, a refused attempt, plural counts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from loket.appointments.services import WEEKDAY_NAMES
from loket.core.i18n import format_file_size
from loket.forms.definitions import get_definition
from loket.forms.pages import Item


@pytest.mark.parametrize(
    ("language", "size", "expected"),
    [("en", 43_000, "43 kB"), ("en", 1, "1 kB"), ("en", 1_500_000, "1.5 MB"),
     ("fr", 43_000, "43 Ko"), ("fr", 1_500_000, "1,5 Mo"), ("nl", 43_000, "43 kB"),
     ("nl", 1_500_000, "1,5 MB")],
)  # fmt: skip
def test_file_sizes_are_written_as_each_language_writes_them(
    language: str, size: int, expected: str
) -> None:
    with translation.override(language):
        assert format_file_size(size) == expected


@pytest.mark.parametrize(
    ("language", "monday"), [("en", "Monday"), ("fr", "lundi"), ("nl", "maandag")]
)
def test_weekdays_are_lower_case_inside_french_and_dutch_sentences(
    language: str, monday: str
) -> None:
    with translation.override(language):
        assert str(WEEKDAY_NAMES[0]) == monday


@pytest.mark.parametrize(
    ("language", "name"), [("fr", "Personne"), ("nl", "Persoon"), ("en", "Person")]
)
@pytest.mark.django_db
def test_the_items_of_a_group_of_people_are_numbered_as_persons(language: str, name: str) -> None:
    definition = get_definition("change-of-address")
    assert definition is not None
    group = next(f for f in definition.fields() if f.type == "group")
    with translation.override(language):
        assert Item("group", group).item_name == name


@pytest.mark.django_db
def test_a_person_who_declined_the_registers_is_told_they_chose_to_type_their_data(
    resident_client: Client,
) -> None:
    start = "/en/procedures/residents-parking-card/apply/"
    assert resident_client.get(start).status_code == 200
    declined = resident_client.post(start, {"use_registers": "no"})
    assert declined.status_code == 302
    page = resident_client.get(declined["Location"]).content.decode()
    assert "You chose to fill in your details yourself" in page
    assert "We could not use the register" not in page
