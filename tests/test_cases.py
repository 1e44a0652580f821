"""The parking-card journey through every layer, submission guarantees, and tenancy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from loket.audit.models import AccessLogEntry, SecurityEvent
from loket.cases.models import Case
from loket.forms.models import Draft
from tests.conftest import client_for, demo_user, with_version
from tests.payments_helpers import pay_with_demo

APPLY = "/{lang}/procedures/residents-parking-card/apply/"


def start_date(days: int = 7) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def apply_for_parking_card(
    client: Client, lang: str = "en", plate: str = "2-XYZ-789", pay: bool = True
) -> Case:
    """Apply, and (``pay``) pay the card's fee on the demo payment page."""
    base = APPLY.format(lang=lang)
    assert client.get(base).status_code in (200, 302)  # 302: a saved draft goes on
    assert client.post(base, {"use_registers": "yes"})["Location"] == f"{base}facts/"
    facts = client.get(f"{base}facts/").content.decode()
    assert plate in facts
    assert client.post(f"{base}q/vehicle/", {"plate": plate}).status_code == 302
    assert client.post(f"{base}q/start/", {"start_date": start_date()}).status_code == 302
    check = client.get(f"{base}check/")
    assert check.status_code == 200
    key = check.context["draft"].idempotency_key
    response = client.post(f"{base}check/", {"idempotency_key": str(key)})
    assert response.status_code == 302
    case = Case.objects.get(idempotency_key=key)
    if pay and case.status == Case.Status.AWAITING_PAYMENT:
        pay_with_demo(client, case)
    return Case.objects.get(idempotency_key=key)


@pytest.mark.django_db
def test_a_resident_applies_and_the_case_goes_to_parking_brussels(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client, pay=False)
    assert case.administration_id == "parking-brussels"
    assert case.answers["plate"] == "2-XYZ-789"
    assert case.facts["population"]["address"]["nis_code"] == "21009"
    assert case.declared_instead == []
    assert case.events.count() == 1
    assert not Draft.objects.filter(user=case.applicant).exists()
    # Four consultations, one per source and purpose: identity, address, vehicles, and the
    # social status that exempts from the fee.
    sources = sorted(AccessLogEntry.objects.values_list("source", "purpose"))
    assert sources == [
        ("population", "identify-applicant"),
        ("population", "verify-residence"),
        ("social", "check-social-status"),
        ("vehicle", "check-vehicle-ownership"),
    ]
    page = resident_client.get(f"/en/my-cases/{case.reference}/?submitted=1").content.decode()
    assert case.reference in page
    assert case.reference in resident_client.get("/en/my-cases/").content.decode()


@pytest.mark.django_db
def test_a_double_submit_returns_the_same_case(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    again = resident_client.post(
        APPLY.format(lang="en") + "check/", {"idempotency_key": str(case.idempotency_key)}
    )
    assert again.status_code == 302
    assert case.reference in again["Location"]
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_the_case_is_in_the_parking_queue_and_a_404_for_ixelles_with_the_attempt_logged(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    parking = client_for("agent-parking")
    assert case.reference in parking.get("/en/back-office/").content.decode()
    detail = parking.get(f"/en/back-office/cases/{case.reference}/")
    assert detail.status_code == 200
    assert "2-XYZ-789" in detail.content.decode()

    ixelles = client_for("agent-ixelles")
    assert case.reference not in ixelles.get("/en/back-office/").content.decode()
    assert ixelles.get(f"/en/back-office/cases/{case.reference}/").status_code == 404
    event = SecurityEvent.objects.get(kind="case-outside-tenancy")
    assert event.detail["reference"] == case.reference
    # A reference that does not exist at all looks exactly the same.
    assert ixelles.get("/en/back-office/cases/2026-AAAA-BBBB/").status_code == 404


@pytest.mark.django_db
def test_a_resident_cannot_open_the_back_office_or_another_persons_case(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    assert resident_client.get("/en/back-office/").status_code == 403
    other = client_for("resident2")
    assert other.get(f"/en/my-cases/{case.reference}/").status_code == 404


@pytest.mark.django_db
def test_the_agent_decides_and_the_applicant_sees_it(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    parking = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    assert (
        parking.post(
            url,
            with_version(
                case, {"action": "decide", "status": "approved", "note": "Card valid one year."}
            ),
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == "approved"
    page = resident_client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "Approved" in page
    assert "Card valid one year." in page
    # A decided case cannot be decided again.
    decide_again = with_version(case, {"action": "decide", "status": "rejected"})
    assert parking.post(url, decide_again).status_code == 422
    assert parking.post(url, with_version(case, {"action": "nonsense"})).status_code == 400
    assert parking.post(url, {"action": "decide", "status": "rejected"}).status_code == 400


@pytest.mark.django_db
def test_invalid_answers_come_back_with_a_translated_message_and_what_was_typed(
    resident_client: Client,
) -> None:
    base = APPLY.format(lang="nl")
    resident_client.post(base, {"use_registers": "yes"})
    response = resident_client.post(f"{base}q/start/", {"start_date": start_date(400)})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Fout:" in page
    assert start_date(400) in page
    response = resident_client.post(f"{base}q/start/", {"start_date": "31/02/2027"})
    assert response.status_code == 422
    assert "31/02/2027" in response.content.decode()
    assert resident_client.post(f"{base}q/vehicle/", {"plate": "NOT-MINE"}).status_code == 422


@pytest.mark.django_db
def test_declining_the_registers_means_typing_and_the_case_says_so(resident_client: Client) -> None:
    base = APPLY.format(lang="fr")
    assert resident_client.post(base, {"use_registers": "no"})["Location"] == f"{base}declare/"
    assert not AccessLogEntry.objects.exists()
    declared = {
        "population.identity.first_name": "Amina",
        "population.identity.last_name": "El Amrani",
        "population.identity.birth_date": "1988-04-12",
        "population.address.street": "Rue du Trône",
        "population.address.house_number": "98",
        "population.address.postcode": "1050",
    }
    # 1050 is Ixelles and part of the City of Brussels: which one is asked, what was typed stays.
    asked = resident_client.post(f"{base}declare/", declared)
    assert asked.status_code == 422
    # Once, on the municipality (the field to correct), not on the street.
    assert 'id="id_population.address.municipality_error"' in asked.content.decode()
    assert "choisissez la commune." in asked.content.decode()
    assert 'id="id_population.address.street_error"' not in asked.content.decode()
    assert 'value="Rue du Trône"' in asked.content.decode()
    declared["population.address.municipality"] = "21009"
    assert resident_client.post(f"{base}declare/", declared).status_code == 302
    response = resident_client.post(f"{base}q/vehicle/", {"plate": "1 abc 123"})
    assert response.status_code == 302
    resident_client.post(f"{base}q/start/", {"start_date": start_date()})
    key = resident_client.get(f"{base}check/").context["draft"].idempotency_key
    resident_client.post(f"{base}check/", {"idempotency_key": str(key)})
    case = Case.objects.get()
    assert case.answers["plate"] == "1-ABC-123"
    assert case.facts == {}
    assert "vehicle.registrations" in case.declared_instead
    page = client_for("agent-parking").get(f"/fr/back-office/cases/{case.reference}/")
    assert "Rue du Trône" in page.content.decode()


@pytest.mark.django_db
def test_the_submit_button_without_a_choice_gets_a_clear_error(resident_client: Client) -> None:
    response = resident_client.post(APPLY.format(lang="en"), {})
    assert response.status_code == 422
    assert "Choose whether we may use" in response.content.decode()


@pytest.mark.django_db
def test_a_draft_survives_and_is_listed_under_my_cases(resident_client: Client) -> None:
    base = APPLY.format(lang="en")
    resident_client.post(base, {"use_registers": "yes"})
    resident_client.post(f"{base}q/vehicle/", {"plate": "1-ABC-123"})
    page = resident_client.get("/en/my-cases/").content.decode()
    assert "Residents&#x27; parking card" in page
    again = resident_client.get(f"{base}q/vehicle/").content.decode()
    assert re.search(r'value="1-ABC-123" id="id_plate_\d" checked', again)


@pytest.mark.django_db
def test_applying_requires_login(client: Client) -> None:
    response = client.get(APPLY.format(lang="en"))
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")


@pytest.mark.django_db
def test_healthz_reports_the_database(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_demo_login_logs_in_and_sends_agents_to_their_queue(client: Client) -> None:
    response = client.post("/en/demo-login/", {"identity": "agent-parking"})
    assert response["Location"] == "/en/back-office/"
    assert demo_user("agent-parking").pk == int(client.session["_auth_user_id"])
