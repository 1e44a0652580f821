"""The register of processing (GDPR Art. 30) is generated from the procedures and complete."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from loket.catalog.models import Procedure
from loket.privacy.register import processing_register, register_problems
from tests.conftest import client_for

# The checks read the English wording of the register.
pytestmark = pytest.mark.usefixtures("in_english")


@pytest.mark.django_db
def test_the_register_covers_every_need_of_every_catalogued_procedure() -> None:
    assert register_problems() == []
    entries = {entry.procedure_id: entry for entry in processing_register()}
    assert Procedure.objects.count() == 32
    # Every procedure, and the processings that are no procedure (the report suggestions).
    assert len(entries) == 32 + 1 and "algorithm-incident-suggestions" in entries
    parking = entries["residents-parking-card"]
    assert parking.controller == "parking.brussels"
    assert len(parking.data_from_registers) == 4  # with the social status (the fee)
    assert parking.retention
    assert "Members of the applicant's household" in entries["change-of-address"].data_subjects


@pytest.mark.django_db
def test_a_need_without_legal_basis_makes_the_check_fail() -> None:
    procedure = Procedure.objects.get(id="residents-parking-card")
    procedure.needs[0]["legal_basis"] = {}
    procedure.save()
    assert any("no legal basis" in problem for problem in register_problems())
    with pytest.raises(SystemCheckError, match=r"loket\.P001"):
        call_command("check")


@pytest.mark.django_db
def test_the_public_register_and_its_exports(client: Client) -> None:
    page = client.get("/nl/privacy/")
    assert page.status_code == 200
    assert "Bewonerskaart voor parkeren" in page.content.decode()
    data = json.loads(client.get("/en/privacy/?format=json").content)
    assert {row["procedure_id"] for row in data} >= {"change-of-address", "terrace-permit"}
    csv_text = client.get("/en/privacy/?format=csv").content.decode()
    assert csv_text.splitlines()[0].startswith("procedure_id,name,controller")


@pytest.mark.django_db
def test_only_the_data_protection_officer_sees_the_dpo_register() -> None:
    assert client_for("dpo").get("/en/privacy/dpo/").status_code == 200
    assert client_for("resident").get("/en/privacy/dpo/").status_code == 403
