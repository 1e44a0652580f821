"""Mandates through the pages: give one, act for the principal, apply, revoke, be refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from loket.audit.models import AccessLogEntry, SecurityEvent
from loket.cases.models import Case
from loket.core.identifiers import pseudonym
from loket.mandates.actions import do_give_mandate, do_revoke_mandate
from loket.mandates.models import Mandate
from tests.conftest import client_for, demo_user

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
APPLY = f"/en/procedures/{PARKING}/apply/"


def mandate_for_helper(procedures: list[str] | None = None) -> Mandate:
    today = timezone.localdate()
    return do_give_mandate(
        demo_user("resident"),
        demo_user("helper").national_number or "",
        [PARKING] if procedures is None else procedures,
        today,
        today + timedelta(days=30),
    )


def acting_helper(mandate: Mandate) -> Client:
    client = client_for("helper")
    response = client.post(f"/en/mandates/{mandate.pk}/act/")
    assert response.status_code == 302
    return client


def test_a_resident_gives_a_mandate_through_the_form() -> None:
    client = client_for("resident")
    today = timezone.localdate()
    number = demo_user("helper").national_number or ""
    typed = {
        "helper_national_number": number,
        "principal": "me",
        "scope": "chosen",
        "procedures": [PARKING],
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
    }
    confirm = client.post("/en/mandates/give/", typed)
    assert confirm.status_code == 200 and "Marie Lambert" in confirm.content.decode()
    assert not Mandate.objects.exists()  # nothing given before the grantor sees whom
    response = client.post("/en/mandates/give/", {**typed, "confirmed_number": number})
    assert response.status_code == 302
    mandate = Mandate.objects.get()
    assert mandate.helper == demo_user("helper") and mandate.procedure_ids == [PARKING]
    assert "Marie Lambert" in client.get("/en/mandates/").content.decode()


def test_the_form_refuses_a_mandate_of_more_than_a_year() -> None:
    today = timezone.localdate()
    response = client_for("resident").post(
        "/en/mandates/give/",
        {
            "helper_national_number": demo_user("helper").national_number,
            "principal": "me",
            "scope": "all",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=400)).isoformat(),
        },
    )
    assert response.status_code == 422
    assert "at most one year" in response.content.decode()
    assert not Mandate.objects.exists()


def test_a_helper_acting_for_a_resident_applies_in_her_name() -> None:
    resident, helper = demo_user("resident"), demo_user("helper")
    client = acting_helper(mandate_for_helper())
    page = client.get(f"/en/procedures/{PARKING}/").content.decode()
    assert "You are acting for Amina El Amrani under a mandate until" in page

    assert client.post(APPLY, {"use_registers": "yes"}).status_code == 302
    entries = AccessLogEntry.objects.filter(procedure_id=PARKING)
    assert entries.count() == 4  # identity, address, vehicles, social status (the fee)
    assert {e.subject_pseudonym for e in entries} == {pseudonym(resident.national_number or "")}
    assert {e.actor_pseudonym for e in entries} == {pseudonym(helper.national_number or "")}
    assert {e.actor_role for e in entries} == {"helper"}
    assert {e.acting_for_pseudonym for e in entries} == {pseudonym(resident.national_number or "")}

    client.post(f"{APPLY}q/vehicle/", {"plate": "2-XYZ-789"})
    client.post(f"{APPLY}q/start/", {"start_date": timezone.localdate().isoformat()})
    check = client.get(f"{APPLY}check/")
    assert check.status_code == 200
    key = str(check.context["draft"].idempotency_key)
    response = client.post(f"{APPLY}check/", {"idempotency_key": key})
    assert response.status_code == 302
    case = Case.objects.get(procedure_id=PARKING)
    assert case.applicant == resident and case.submitted_by == helper

    mine = client_for("resident")
    assert "submitted by Marie Lambert (helper)" in mine.get("/en/mandates/").content.decode()
    my_data = mine.get("/en/my-data/").content.decode()
    assert "a helper acting under your mandate consulted" in my_data


def test_after_revocation_the_helper_is_refused_and_the_attempt_is_logged() -> None:
    mandate = mandate_for_helper()
    client = acting_helper(mandate)
    do_revoke_mandate(mandate)
    response = client.get(APPLY)
    assert response.status_code == 403
    assert "Your mandate does not allow this" in response.content.decode()
    assert SecurityEvent.objects.filter(kind="mandate-refused").exists()
    # The helper is no longer acting: the banner is gone and their own draft is theirs again.
    assert "You are acting for" not in client.get("/en/").content.decode()


def test_a_helper_is_refused_a_procedure_outside_the_mandate() -> None:
    client = acting_helper(mandate_for_helper())
    response = client.get("/en/procedures/change-of-address/apply/")
    assert response.status_code == 403
    assert SecurityEvent.objects.get(kind="mandate-refused").detail["procedure"] == (
        "change-of-address"
    )


def test_a_revoked_mandate_cannot_be_chosen_and_others_mandates_cannot_be_revoked() -> None:
    mandate = mandate_for_helper()
    assert client_for("resident2").post(f"/en/mandates/{mandate.pk}/revoke/").status_code == 404
    assert client_for("resident2").post(f"/en/mandates/{mandate.pk}/act/").status_code == 404
    client_for("resident").post(f"/en/mandates/{mandate.pk}/revoke/")
    assert client_for("helper").post(f"/en/mandates/{mandate.pk}/act/").status_code == 404


def test_stopping_returns_the_helper_to_their_own_account() -> None:
    client = acting_helper(mandate_for_helper())
    client.post("/en/mandates/stop/")
    assert "You are acting for" not in client.get("/en/").content.decode()
