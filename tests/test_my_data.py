"""My data: the consultations told in plain words, filters, CSV, proofs; what registers hold."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.utils import translation

from loket.audit.log import append_many
from loket.audit.models import AccessLogEntry
from loket.audit.proofs import check_proof
from loket.audit.subjects import subject_pseudonyms
from loket.core.identifiers import pseudonym
from loket.core.models import User
from tests.conftest import client_for, demo_user
from tests.test_cases import apply_for_parking_card


@pytest.mark.django_db
def test_after_the_journey_my_data_shows_the_four_consultations_in_dutch(
    resident_client: Client,
) -> None:
    apply_for_parking_card(resident_client, lang="nl")
    page = resident_client.get("/nl/my-data/").content.decode()
    assert page.count("op uw vraag het register") == 4  # with the social status (the fee)
    assert "Rijksregister" in page
    assert "de voertuigen die op uw naam zijn ingeschreven" in page or "voertuigen" in page
    assert "Bewonerskaart voor parkeren" in page
    assert "Rechtsgrond" in page


@pytest.mark.django_db
def test_an_agent_opening_the_case_appears_in_plain_words(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    client_for("agent-parking").get(f"/en/back-office/cases/{case.reference}/")
    entry = AccessLogEntry.objects.get(source="case")
    assert entry.case_reference == case.reference
    assert entry.actor_role == "agent"
    page = resident_client.get("/en/my-data/").content.decode()
    assert f"an agent of parking.brussels opened your case {case.reference}" in page


@pytest.mark.django_db
def test_filters_narrow_the_history_and_bad_dates_get_a_clear_message(
    resident_client: Client,
) -> None:
    apply_for_parking_card(resident_client)
    only_vehicles = resident_client.get("/en/my-data/?source=vehicle").content.decode()
    assert only_vehicles.count("at your request") == 1
    none = resident_client.get("/en/my-data/?administration=21009").content.decode()
    assert "No consultation of your data matches" in none
    response = resident_client.get("/en/my-data/?since=2026-02-30")
    assert response.status_code == 422
    assert "Enter a real date" in response.content.decode()
    response = resident_client.get("/en/my-data/?since=2026-05-01&until=2026-04-01")
    assert response.status_code == 422


@pytest.mark.django_db
def test_the_history_exports_as_csv(resident_client: Client) -> None:
    apply_for_parking_card(resident_client, lang="fr")
    response = resident_client.get("/fr/my-data/?format=csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("Entrée,Date,Heure")
    assert len(lines) == 5  # the header and four consultations


@pytest.mark.django_db
def test_a_downloaded_proof_verifies_and_others_cannot_download_mine(
    resident_client: Client,
) -> None:
    apply_for_parking_card(resident_client)
    mine = AccessLogEntry.objects.filter(
        subject_pseudonym=pseudonym(demo_user("resident").national_number or "")
    ).first()
    assert mine is not None
    response = resident_client.get(f"/en/my-data/proof/{mine.leaf_index}/")
    assert response.status_code == 200
    assert check_proof(response.content.decode())["index"] == mine.leaf_index
    assert json.loads(response.content)["entry"]["subject"] == mine.subject_pseudonym
    other = client_for("resident2")
    assert other.get(f"/en/my-data/proof/{mine.leaf_index}/").status_code == 404


@pytest.mark.django_db
def test_what_registers_hold_is_shown_and_reading_it_is_logged(resident_client: Client) -> None:
    page = resident_client.get("/en/my-data/registers/").content.decode()
    assert "El Amrani" in page
    assert "1-ABC-123" in page
    sources = set(AccessLogEntry.objects.values_list("source", flat=True))
    assert sources == {"population", "vehicle", "social"}
    assert set(AccessLogEntry.objects.values_list("purpose", flat=True)) == {
        "identify-applicant",
        "show-registered-data",
    }


@pytest.mark.django_db
def test_my_data_requires_login(client: Client) -> None:
    assert client.get("/en/my-data/").status_code == 302
    assert client.get("/en/my-data/proof/0/").status_code == 302


def _proofs_listed(page: str) -> list[int]:
    return [int(number) for number in re.findall(r"Proof of entry (\d+)", page)]


@pytest.mark.django_db
def test_history_pages_merge_every_pseudonym_of_the_person_newest_first(
    resident: User, resident_client: Client
) -> None:
    def about(subject: str) -> dict[str, object]:
        return {**ENTRY, "subject_pseudonym": subject}

    person, account = subject_pseudonyms(resident)[:2]
    # 60 entries about the person, under both pseudonyms in turn, among entries of someone else.
    append_many([about(subject) for _ in range(30) for subject in (person, account, "c" * 64)])
    mine = list(
        AccessLogEntry.objects.filter(subject_pseudonym__in=[person, account])
        .order_by("-leaf_index")
        .values_list("leaf_index", flat=True)
    )
    with translation.override("en"):
        first = resident_client.get("/en/my-data/").content.decode()
        second = resident_client.get("/en/my-data/?page=2").content.decode()
        beyond = resident_client.get("/en/my-data/?page=999999999999").content.decode()
        nonsense = [
            resident_client.get(f"/en/my-data/?page={asked}").content.decode()
            for asked in ("-3x", "²", "9" * 5000, "-2")
        ]
    assert _proofs_listed(first) == mine[:50]
    assert "Page 1" in first and "page=2" in first and "Newer" not in first
    assert _proofs_listed(second) == mine[50:]
    assert "Page 2" in second and "page=1" in second and "Older" not in second
    assert _proofs_listed(beyond) == [] and "No consultation of your data matches" in beyond
    assert all(_proofs_listed(page) == mine[:50] for page in nonsense)


ENTRY = {
    "subject_kind": "person",
    "source": "population",
    "attributes": ["identity"],
    "procedure_id": "residents-parking-card",
    "purpose": "identify-applicant",
    "legal_basis_id": "residents-parking-card/identify-applicant",
    "actor_pseudonym": "d" * 64,
    "actor_role": "self",
    "administration_id": "parking-brussels",
    "outcome": "answered",
}
