"""Answers in the page's language: "1,5" is one and a half in French and Dutch, the check page
writes numbers and dates as each language does (never ISO), and a Dutch page names the street
as the address register names it in Dutch."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from loket.catalog.models import Procedure
from loket.core.holidays import next_working_day
from loket.forms.answers import long_date
from loket.forms.definitions import DEFINITIONS_DIR, FieldDefinition, get_definition, load_file
from loket.forms.fields import build_field
from loket.forms.models import Draft
from loket.forms.pages import PageForm
from tests.conftest import client_for
from tests.test_all_procedures import applicant_for, page_data

pytestmark = pytest.mark.django_db

WASTE = "/{lang}/procedures/bulky-waste-collection/apply/"
MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
}  # fmt: skip


def first_collection_day() -> date:
    """The first day a collection may be asked for today: the first working day after the
    time Bruxelles-Propreté has to answer."""
    waste = Procedure.objects.get(id="bulky-waste-collection")
    return next_working_day(waste.answer_deadline(timezone.localdate()) + timedelta(days=1))


def bulky_waste_up_to_check(client: Client, lang: str, volume: str) -> str:
    base = WASTE.format(lang=lang)
    client.post(base, {"use_registers": "yes"})
    assert (
        client.post(f"{base}q/items/", {"items": ["furniture"], "volume_m3": volume}).status_code
        == 302
    )
    day = first_collection_day()
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
    day = first_collection_day()
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


# Every number field of every form ---------------------------------------------------------------


def _number_fields() -> list[tuple[str, FieldDefinition]]:
    found = []
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        definition = load_file(path)
        for page in definition.pages:
            found += [(definition.procedure_id, f) for f in page.fields if f.type == "number"]
    return found


NUMBER_FIELDS = _number_fields()
DECIMAL_PROCEDURES = sorted({p for p, f in NUMBER_FIELDS if f.options["decimals"]})


def a_fraction_for(definition: FieldDefinition) -> float:
    """A number with a half, within the field's bounds."""
    low = definition.options["min"]
    return (float(low) if low is not None else 1.0) + 0.5


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize(
    ("procedure_id", "definition"), NUMBER_FIELDS, ids=[f"{p}-{f.name}" for p, f in NUMBER_FIELDS]
)
def test_every_number_field_reads_a_decimal_comma_or_says_it_wants_a_whole_number(
    lang: str, procedure_id: str, definition: FieldDefinition
) -> None:
    typed = str(a_fraction_for(definition)).replace(".", ",")
    with translation.override(lang):
        field = build_field(definition, {})
        if definition.options["decimals"]:
            assert field.clean(typed) == Decimal(typed.replace(",", "."))
            return
        with pytest.raises(ValidationError) as refused:
            field.clean(typed)
        assert refused.value.code == "whole"  # "12,5" is a number: not "Enter a number."
        with pytest.raises(ValidationError) as not_a_number:
            field.clean("twelve")
        assert not_a_number.value.code == "invalid"


def test_a_moving_van_may_need_twelve_and_a_half_metres() -> None:
    lengths = [
        f for p, f in NUMBER_FIELDS if (p, f.name) == ("moving-parking-reservation", "length_m")
    ]
    with translation.override("nl"):
        assert build_field(lengths[0], {}).clean("12,5") == Decimal("12.5")


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("procedure_id", DECIMAL_PROCEDURES)
def test_a_decimal_comma_goes_through_every_form_and_the_check_page_writes_it_back(
    lang: str, procedure_id: str
) -> None:
    client = client_for(applicant_for(Procedure.objects.get(id=procedure_id)))
    base = f"/{lang}/procedures/{procedure_id}/apply/"
    assert client.post(base, {"use_registers": "yes"}).status_code == 302
    definition = get_definition(procedure_id)
    assert definition is not None
    typed: list[str] = []
    for _step in range(30):
        response = client.get(f"{base}check/")
        if response.status_code == 200:
            break
        page_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
        page = definition.page(page_id)
        assert page is not None
        draft = Draft.objects.get(procedure_id=procedure_id)
        data = page_data(PageForm(page, draft.facts, draft.answers, procedure=draft.procedure))
        for field in page.fields:
            if field.type == "number" and field.options["decimals"] and field.name in data:
                data[field.name] = str(a_fraction_for(field)).replace(".", ",")
                typed.append(data[field.name])
        answered = client.post(f"{base}q/{page_id}/", data)
        assert answered.status_code == 302, answered.content.decode()[:2000]
    check = response.content.decode()
    assert typed
    for number in typed:
        assert f">{number}<" in check, number
        assert f">{number.replace(',', '.')}<" not in check


def test_every_phone_field_asks_a_phone_for_its_number_keypad_and_the_own_number() -> None:
    """type=tel shows the number keypad on a phone, and autocomplete=tel lets the browser offer
    the person's number; the number is still checked and normalised by the server."""
    phones = [
        field
        for path in sorted(DEFINITIONS_DIR.glob("*.yaml"))
        for page in load_file(path).pages
        for field in page.fields
        if field.type == "phone"
    ]
    assert phones
    for definition in phones:
        html = build_field(definition, {}).widget.render(definition.name, "")
        assert 'type="tel"' in html and 'autocomplete="tel"' in html, html
        assert build_field(definition, {}).clean("0470 12 34 56") == "+32470123456"
