"""An address typed instead of read from the registers is checked against the Brussels address
register: one it does not know is refused with the closest addresses to choose from ("did you
mean"), or taken as typed once the applicant confirms it; what was typed stays in the form. A
box number (bus, boîte) is kept whole, in the form, the case and its documents."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

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
from loket.forms.pages import address_fields
from tests.conftest import client_for

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
