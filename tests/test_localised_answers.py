"""Answers in the page's language: "1,5" is one and a half in French and Dutch, the check page
writes numbers and dates as each language does (never ISO), and a Dutch page names the street
as the address register names it in Dutch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from loket.forms.answers import long_date
from loket.forms.models import Draft
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

WASTE = "/{lang}/procedures/bulky-waste-collection/apply/"
MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
}  # fmt: skip


def bulky_waste_up_to_check(client: Client, lang: str, volume: str) -> str:
    base = WASTE.format(lang=lang)
    client.post(base, {"use_registers": "yes"})
    assert (
        client.post(f"{base}q/items/", {"items": ["furniture"], "volume_m3": volume}).status_code
        == 302
    )
    day = timezone.localdate() + timedelta(days=10)
    assert client.post(f"{base}q/date/", {"preferred_date": day.isoformat()}).status_code == 302
    client.post(f"{base}q/access/", {"contact_phone": "0470123456"})
    return client.get(f"{base}check/").content.decode()


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_a_decimal_comma_is_read_as_a_decimal_and_shown_back_in_the_page_language(
    lang: str,
) -> None:
    client = client_for("resident")
    page = bulky_waste_up_to_check(client, lang, "1,5")
    draft = Draft.objects.get(procedure_id="bulky-waste-collection")
    assert draft.answers["volume_m3"] == 1.5
    assert ">1,5<" in page and ">1.5<" not in page
    day = timezone.localdate() + timedelta(days=10)
    written = f"{MONTHS[lang][day.month - 1]} {day.year}"
    assert written in page and day.isoformat() not in page


def test_the_number_page_shows_a_saved_decimal_with_a_comma_and_a_text_input() -> None:
    client = client_for("resident")
    bulky_waste_up_to_check(client, "fr", "2,5")
    page = client.get(WASTE.format(lang="fr") + "q/items/").content.decode()
    assert 'value="2,5"' in page and 'inputmode="decimal"' in page
    assert 'type="number"' not in page


def test_english_reads_a_point_and_refuses_a_comma_with_a_message_and_the_text_kept() -> None:
    client = client_for("resident")
    base = WASTE.format(lang="en")
    client.post(base, {"use_registers": "yes"})
    refused = client.post(f"{base}q/items/", {"items": ["furniture"], "volume_m3": "1,5"})
    assert refused.status_code == 422
    assert (
        "Enter a number." in refused.content.decode() and 'value="1,5"' in refused.content.decode()
    )
    accepted = client.post(f"{base}q/items/", {"items": ["furniture"], "volume_m3": "1.5"})
    assert accepted.status_code == 302


def test_a_french_page_also_reads_a_point() -> None:
    client = client_for("resident")
    bulky_waste_up_to_check(client, "fr", "1.5")
    assert Draft.objects.get(procedure_id="bulky-waste-collection").answers["volume_m3"] == 1.5


def test_the_first_of_a_month_is_1er_in_french_only() -> None:
    first = timezone.localdate().replace(day=1)
    with translation.override("fr"):
        assert long_date(first.isoformat()).startswith("1er ")
    with translation.override("nl"):
        assert long_date(first.isoformat()).startswith("1 ")
    second = first + timedelta(days=1)
    with translation.override("fr"):
        assert long_date(second.isoformat()).startswith("2 ")


@pytest.mark.usefixtures("address_register")
@pytest.mark.parametrize(("lang", "street"), [("nl", "Verdunstraat"), ("fr", "Rue de Verdun")])
def test_the_new_address_is_shown_with_the_street_name_of_the_page_language(
    lang: str, street: str
) -> None:
    client = client_for("resident")
    base = f"/{lang}/procedures/change-of-address/apply/"
    client.post(base, {"use_registers": "yes"})
    address = {"new_address__street": "Rue de Verdun", "new_address__house_number": "101",
               "new_address__postcode": "1130"}  # fmt: skip
    assert client.post(f"{base}q/new-address/", address).status_code == 302
    client.post(f"{base}q/moving-date/", {"moving_date": timezone.localdate().isoformat()})
    client.post(f"{base}q/who-moves/", {"moving_with": ["Amina El Amrani"]})
    client.post(f"{base}q/joining/", {"people_joining-TOTAL_FORMS": "0",
                "people_joining-INITIAL_FORMS": "0", "people_joining-MIN_NUM_FORMS": "0",
                "people_joining-MAX_NUM_FORMS": "1000"})  # fmt: skip
    page = client.get(f"{base}check/").content.decode()
    assert f"{street} 101" in page
    other = "Rue de Verdun" if lang == "nl" else "Verdunstraat"
    assert f"{other} 101" not in page
