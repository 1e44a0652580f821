"""An address typed instead of read from the registers is checked against the Brussels address
register: one it does not know is refused with the closest addresses to choose from ("did you
mean"), or taken as typed once the applicant confirms it; what was typed stays in the form. A
box number (bus, boîte) is kept whole, in the form, the case and its documents."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from loket.audit.models import AccessLogEntry
from loket.cases.selectors import BACK_OFFICE_ROLES
from loket.core.models import Membership, Postcode
from loket.forms.answers import answer_rows
from loket.forms.definitions import get_definition
from loket.forms.fallback import (
    BOX,
    CONFIRMED,
    MUNICIPALITY,
    NUMBER,
    POSTCODE,
    STREET,
    SUGGESTION,
    declaration_form,
)
from loket.forms.models import Draft
from loket.forms.pages import address_fields, shared_postcodes
from tests.conftest import client_for
from tests.test_all_procedures import DECLARED, submit

pytestmark = pytest.mark.django_db
ADDRESS = ["population.address"]


def typed(street: str, number: str, postcode: str, box: str = "", **more: Any) -> dict[str, Any]:
    return {STREET: street, NUMBER: number, POSTCODE: postcode, BOX: box, **more}


def test_a_known_address_is_accepted_and_its_street_decides_the_municipality() -> None:
    form = declaration_form(ADDRESS, data=typed("Chaussée de Haecht", "1420", "1130"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data[MUNICIPALITY] == "21004"  # Haren is the City of Brussels
    assert SUGGESTION not in form.fields and CONFIRMED not in form.fields


def test_a_misspelt_street_is_refused_with_did_you_mean_and_what_was_typed_is_kept() -> None:
    form = declaration_form(ADDRESS, data=typed("Chaussee de Hacht", "1420", "1130", "bte 4"))
    assert not form.is_valid()
    assert STREET in form.errors
    offered = dict(form.fields[SUGGESTION].choices)  # type: ignore[attr-defined]
    assert "Chaussée de Haecht 1420, 1130" in offered.values()
    html = form.as_div()
    assert 'value="Chaussee de Hacht"' in html and 'value="bte 4"' in html
    chosen = next(k for k, label in offered.items() if label == "Chaussée de Haecht 1420, 1130")
    picked = declaration_form(
        ADDRESS, data=typed("Chaussee de Hacht", "1420", "1130", "bte 4", **{SUGGESTION: chosen})
    )
    assert picked.is_valid(), picked.errors
    assert picked.cleaned_data[STREET] == "Chaussée de Haecht"
    assert picked.cleaned_data[BOX] == "bte 4"
    assert picked.cleaned_data[MUNICIPALITY] == "21004"


def test_an_address_the_register_lacks_is_taken_as_typed_once_confirmed() -> None:
    data = typed("Zyxwvu Qorthal", "7", "1060")
    assert not declaration_form(ADDRESS, data=data).is_valid()
    confirmed = declaration_form(ADDRESS, data={**data, CONFIRMED: "on"})
    assert confirmed.is_valid(), confirmed.errors
    assert confirmed.cleaned_data[STREET] == "Zyxwvu Qorthal"
    assert confirmed.cleaned_data[MUNICIPALITY] == "21013"  # 1060 is Saint-Gilles only


@pytest.mark.parametrize(
    ("number", "box", "expected"),
    [
        ("1420 bte 12 gauche", "", ("1420", "bte 12 gauche")),
        ("1420 bus 3A", "", ("1420", "bus 3A")),
        ("1420", "boîte 12 arrière gauche", ("1420", "boîte 12 arrière gauche")),
    ],
)
def test_the_box_is_kept_whole_even_typed_with_the_number(
    number: str, box: str, expected: tuple[str, str]
) -> None:
    form = declaration_form(ADDRESS, data=typed("Chaussée de Haecht", number, "1130", box))
    assert form.is_valid(), form.errors
    assert (form.cleaned_data[NUMBER], form.cleaned_data[BOX]) == expected


def test_no_box_field_lets_the_browser_cut_what_is_typed() -> None:
    declared = declaration_form(ADDRESS).as_div()
    assert 'name="population.address.box"' in declared
    box = address_fields(required=True)["box"]
    assert "maxlength" not in box.widget_attrs(box.widget)
    assert "maxlength" not in declared.split('name="population.address.box"')[1].split(">")[0]


def test_a_long_box_of_a_form_address_reaches_the_answers_whole() -> None:
    client = client_for("resident")
    base = "/fr/procedures/moving-parking-reservation/apply/"
    assert client.post(base, {"use_registers": "yes"}).status_code == 302
    box = "bte 12 arrière gauche"  # 21 characters: the browser used to keep 10
    address = {"street": "Chaussée de Haecht", "house_number": "1420", "box": box,
               "postcode": "1130", "municipality": ""}  # fmt: skip
    page = client.get(f"{base}q/where/").content.decode()
    assert "maxlength" not in page.split('name="reservation_address__box"')[1].split(">")[0]
    answered = client.post(
        f"{base}q/where/", {f"reservation_address__{k}": v for k, v in address.items()}
    )
    assert answered.status_code == 302
    draft = Draft.objects.get(procedure_id="moving-parking-reservation")
    assert draft.answers["reservation_address"]["box"] == box
    definition = get_definition("moving-parking-reservation")
    assert definition is not None
    with translation.override("fr"):
        rows = answer_rows(definition, draft.answers, draft.facts)
    assert any("Chaussée de Haecht 1420 bte 12 arrière gauche, 1130" in r["value"] for r in rows)


# Postcodes shared between municipalities ------------------------------------------------------

IXELLES, CITY_OF_BRUSSELS = "21009", "21004"


def _shared_in_the_data() -> list[str]:
    """The postcodes the reference data links to more than one municipality."""
    return sorted(
        code
        for code in Postcode.objects.values_list("code", flat=True)
        if Postcode.objects.get(code=code).municipalities.count() > 1
    )


def test_the_shared_postcodes_come_from_the_reference_data() -> None:
    shared = _shared_in_the_data()
    assert "1050" in shared and "1060" not in shared  # Ixelles + City of Brussels; Saint-Gilles
    assert list(shared_postcodes()) == shared
    assert shared_postcodes()["1050"] == [CITY_OF_BRUSSELS, IXELLES]


def test_the_form_says_at_once_which_postcodes_are_shared_and_asks_the_municipality() -> None:
    form = declaration_form(ADDRESS)
    field = form.fields[MUNICIPALITY]
    assert ", ".join(_shared_in_the_data()) in str(field.help_text)
    assert len([v for v, _label in field.choices if v]) == 19  # type: ignore[attr-defined]
    # Once a shared postcode is typed, the choice is between the municipalities it covers.
    narrowed = declaration_form(ADDRESS, data=typed("Rue du Trône", "98", "1050"))
    choices = dict(narrowed.fields[MUNICIPALITY].choices)  # type: ignore[attr-defined]
    assert set(choices) == {IXELLES, CITY_OF_BRUSSELS}


def test_a_street_in_both_municipalities_of_a_shared_postcode_asks_on_the_municipality() -> None:
    form = declaration_form(ADDRESS, data=typed("Rue du Trône", "98", "1050"))
    assert not form.is_valid()
    assert MUNICIPALITY in form.errors and STREET not in form.errors
    assert len(form.errors[MUNICIPALITY]) == 1  # said once, not twice in other words
    # The street is known: no "did you mean" of far-away streets, no "confirm it anyway".
    assert SUGGESTION not in form.fields and CONFIRMED not in form.fields
    chosen = declaration_form(ADDRESS, data=typed("Rue du Trône", "98", "1050", **{
        MUNICIPALITY: IXELLES}))  # fmt: skip
    assert chosen.is_valid(), chosen.errors
    assert chosen.cleaned_data[MUNICIPALITY] == IXELLES


def test_a_municipality_the_postcode_does_not_cover_is_refused_on_the_municipality() -> None:
    uccle = "21016"
    data = typed("Zyxwvu Qorthal", "7", "1050", **{MUNICIPALITY: uccle, CONFIRMED: "on"})
    form = declaration_form(ADDRESS, data=data)
    assert not form.is_valid()
    assert MUNICIPALITY in form.errors and STREET not in form.errors
    assert 'value="Zyxwvu Qorthal"' in form.as_div()  # what was typed stays


@pytest.mark.parametrize("chosen", [IXELLES, CITY_OF_BRUSSELS])
def test_a_typed_1050_address_reaches_the_queue_of_the_municipality_chosen(chosen: str) -> None:
    client = client_for("resident")
    base = "/en/procedures/legal-cohabitation/apply/"
    assert client.post(base, {"use_registers": "no"}).status_code == 302
    declared = {**DECLARED, STREET: "Rue du Trône", NUMBER: "98", POSTCODE: "1050"}
    refused = client.post(f"{base}declare/", declared)
    assert refused.status_code == 422
    page = refused.content.decode()
    assert 'id="id_population.address.municipality_error"' in page  # on the field to correct
    assert 'id="id_population.address.street_error"' not in page
    assert client.post(f"{base}declare/", {**declared, MUNICIPALITY: chosen}).status_code == 302
    case = submit(client, "legal-cohabitation", use_registers=None)
    assert case.administration_id == chosen
    assert case.answers["declared"][MUNICIPALITY] == chosen
    agent = Membership.objects.filter(administration_id=chosen, role__in=BACK_OFFICE_ROLES)
    if agent.exists():  # the City of Brussels has no demo agent
        queue = Client()
        queue.force_login(agent.first().user)  # type: ignore[union-attr]
        assert case.reference in queue.get("/en/back-office/").content.decode()
    assert chosen == CITY_OF_BRUSSELS or agent.exists()


# Errors on the part of a form's address that is wrong ---------------------------------------


@pytest.mark.parametrize(
    ("address", "wrong"),
    [
        ({"street": "Zyxwvu Qorthal", "house_number": "7", "postcode": "1060"}, "street"),
        ({"street": "Rue du Trône", "house_number": "98", "postcode": "1005"}, "postcode"),
        ({"street": "Rue du Trône", "house_number": "98", "postcode": "1050"}, "municipality"),
        ({"street": "Rue du Trône", "house_number": "98", "postcode": "1050",
          "municipality": "21016"}, "municipality"),
        ({"street": "Chaussée de Haecht", "house_number": "99999", "postcode": "1130"},
         "house_number"),
        ({"street": "Chaussée de Haecht", "house_number": "1420", "postcode": "1000"},
         "postcode"),
    ],
)  # fmt: skip
def test_a_form_address_is_refused_on_the_part_that_is_wrong(
    address: dict[str, str], wrong: str
) -> None:
    client = client_for("resident")
    base = "/en/procedures/moving-parking-reservation/apply/"
    assert client.post(base, {"use_registers": "yes"}).status_code == 302
    posted = {f"reservation_address__{k}": v for k, v in address.items()}
    refused = client.post(f"{base}q/where/", posted)
    assert refused.status_code == 422
    wrong_parts = [
        part
        for part in ("street", "house_number", "postcode", "municipality")
        if f'id="id_reservation_address__{part}_error"' in refused.content.decode()
    ]
    assert wrong_parts == [wrong]


def test_a_form_address_with_a_shared_postcode_offers_the_municipalities_it_covers() -> None:
    client = client_for("resident")
    base = "/en/procedures/moving-parking-reservation/apply/"
    client.post(base, {"use_registers": "yes"})
    first = client.get(f"{base}q/where/").content.decode()
    assert ", ".join(_shared_in_the_data()) in first
    posted = {
        "reservation_address__street": "Rue du Trône",
        "reservation_address__house_number": "98",
        "reservation_address__postcode": "1050",
    }
    refused = client.post(f"{base}q/where/", posted).content.decode()
    radios = re.findall(r'type="radio" name="reservation_address__municipality" value="(\d+)"',
                        refused)  # fmt: skip
    assert sorted(radios) == [CITY_OF_BRUSSELS, IXELLES]
    chosen = {**posted, "reservation_address__municipality": IXELLES}
    assert client.post(f"{base}q/where/", chosen).status_code == 302
    draft = Draft.objects.get(procedure_id="moving-parking-reservation")
    assert draft.answers["reservation_address"]["municipality"] == IXELLES


# "Use my address from the register" -----------------------------------------------------------


def test_one_who_declined_can_use_their_address_from_the_register_after_all() -> None:
    client = client_for("resident")
    base = "/en/procedures/legal-cohabitation/apply/"
    client.post(base, {"use_registers": "no"})
    page = client.get(f"{base}declare/").content.decode()
    assert 'name="use_register" value="population.address"' in page
    logged = AccessLogEntry.objects.count()
    typed_name = {"population.identity.first_name": "Amina",
                  "population.identity.last_name": "El Amrani"}  # fmt: skip
    used = client.post(f"{base}declare/", {**typed_name, "use_register": "population.address"})
    assert used.status_code == 302
    assert AccessLogEntry.objects.count() == logged + 1  # read through the one door, logged
    draft = Draft.objects.get(procedure_id="legal-cohabitation")
    assert draft.facts["population"]["address"]["nis_code"] == IXELLES
    assert "population.address" not in draft.unavailable
    assert draft.answers["declared"]["population.identity.first_name"] == "Amina"  # kept
    again = client.get(f"{base}declare/").content.decode()
    assert "The address held in the register is used: Rue du Trône 98, 1050 Ixelles" in again
    assert 'name="population.address.street"' not in again and 'value="Amina"' in again


def test_the_offer_is_a_box_sent_with_continue_so_enter_never_reads_the_register() -> None:
    client = client_for("resident")
    base = "/en/procedures/legal-cohabitation/apply/"
    client.post(base, {"use_registers": "no"})
    page = client.get(f"{base}declare/").content.decode()
    form = page[page.index('<form method="post" enctype') :]
    form = form[: form.index("</form>")]
    assert '<input type="checkbox" name="use_register" value="population.address"' in form
    assert form.count("<button") == 1  # "Continue", the only one Enter can press
    # Not ticked: the typed address is checked as before, and the register is not read.
    logged = AccessLogEntry.objects.count()
    refused = client.post(f"{base}declare/", {STREET: "Rue du Trône", POSTCODE: "1050"})
    assert refused.status_code == 422 and AccessLogEntry.objects.count() == logged
