"""A certificate states what the register holds: its first step says plainly that the register is
read under the law, that the reading is logged and shown in My data, and offers no choice that
would change nothing. Other procedures keep the choice to type one's data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils.html import escape

from loket.cases.delivery import delivered_at_once
from loket.catalog.models import Procedure
from loket.forms.definitions import get_definition
from loket.forms.models import Draft
from loket.web.presenters import legal_bases, need_rows

pytestmark = pytest.mark.django_db

CERTIFICATES = [
    "population-extract",
    "household-composition",
    "residence-certificate",
    "life-certificate",
    "nationality-certificate",
    "birth-certificate-copy",
    "marriage-certificate-copy",
]


def test_the_certificates_are_the_procedures_drawn_from_a_register() -> None:
    drawn = [p for p in Procedure.objects.values_list("id", flat=True) if _drawn(p)]
    assert sorted(drawn) == sorted(CERTIFICATES)


def _drawn(procedure_id: str) -> bool:
    return bool(delivered_at_once(get_definition(procedure_id)))


@pytest.mark.parametrize("procedure_id", CERTIFICATES)
def test_a_certificate_states_the_legal_reading_and_offers_no_choice(
    resident_client: Client, procedure_id: str
) -> None:
    start = f"/en/procedures/{procedure_id}/apply/"
    page = resident_client.get(start).content.decode()
    assert "Where your certificate comes from" in page
    assert "No, I will type it myself" not in page and 'value="no"' not in page
    procedure = Procedure.objects.get(id=procedure_id)
    definition = get_definition(procedure_id)
    assert definition is not None
    bases = legal_bases(need_rows(procedure, definition.facts))
    assert bases and all(escape(basis) in page for basis in bases)
    assert "Each reading is recorded" in page and 'href="/en/my-data/"' in page
    assert "would not change what the certificate says" in page
    answered = resident_client.post(start, {"use_registers": "yes"})
    assert answered.status_code == 302 and answered["Location"] == f"{start}facts/"
    draft = Draft.objects.get(procedure_id=procedure_id)
    assert draft.consented is True and draft.facts.get("population")


def test_a_forged_no_on_a_certificate_declines_nothing(resident_client: Client) -> None:
    start = "/en/procedures/household-composition/apply/"
    answered = resident_client.post(start, {"use_registers": "no"})
    assert answered["Location"] == f"{start}facts/"  # not the typed-data page
    assert Draft.objects.get(procedure_id="household-composition").consented is True


@pytest.mark.parametrize("procedure_id", ["residents-parking-card", "urban-planning-information"])
def test_other_procedures_keep_the_choice_to_type_ones_data(
    resident_client: Client, procedure_id: str
) -> None:
    start = f"/en/procedures/{procedure_id}/apply/"
    page = resident_client.get(start).content.decode()
    assert "No, I will type it myself" in page and "Where your certificate" not in page
    assert resident_client.post(start, {"use_registers": "no"})["Location"].endswith("/declare/")
