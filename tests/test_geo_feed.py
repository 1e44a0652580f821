"""Feeding UrbIS back: address-error reports and confirmed unknown addresses become items of the
register owner's feed (CSV, GeoJSON), and the owner's answers come back with a token."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from loket.cases.actions import do_submit_case
from loket.catalog.models import Procedure
from loket.core.models import User
from loket.forms.actions import get_or_start_draft
from loket.forms.definitions import get_definition
from loket.geo.feedback import do_record_unknown_address
from loket.geo.models import RegisterFeedback
from tests.conftest import client_for

TOKEN = "test-feed-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
VERDUN = {"street": "Rue de Verdun", "house_number": "101", "box": "", "postcode": "1130",
          "municipality": "21004", "lat": 50.88530, "lon": 4.40960}  # fmt: skip


def report_address_error(user: User) -> RegisterFeedback:
    procedure = Procedure.objects.get(id="address-error-report")
    definition = get_definition(procedure.id)
    assert definition is not None
    draft = get_or_start_draft(user, procedure, definition)
    answers = {"error_location": VERDUN, "error_kind": "misplaced",
               "details": "The entrance is on the corner, 20 m further north.", "proof": None,
               "contact_email": "me@example.be"}  # fmt: skip
    case = do_submit_case(draft, answers)
    return RegisterFeedback.objects.get(case_reference=case.reference)


@pytest.mark.django_db
def test_address_error_report_becomes_a_feed_item_with_register_id_and_point(
    resident: User,
) -> None:
    item = report_address_error(resident)
    assert item.kind == RegisterFeedback.Kind.ERROR_REPORT
    assert item.register_id == "614020"  # the BeST address id of Rue de Verdun 101
    assert (item.lat, item.lon) == (50.88530, 4.40960)  # the point marked on the map
    assert item.problem == "misplaced" and "corner" in item.proposed_correction
    assert item.municipality == "21004"


@pytest.mark.django_db
@override_settings(LOKET_URBIS_FEED_TOKEN=TOKEN)
def test_feed_in_csv_and_geojson_needs_the_token_or_paradigm_staff(resident: User) -> None:
    item = report_address_error(resident)
    unknown = do_record_unknown_address(
        {"street": "Rue de Verdun", "house_number": "999", "postcode": "1130"}, "change-of-address"
    )
    anonymous = Client()
    assert anonymous.get("/urbis/feed.csv").status_code == 401
    assert client_for("resident").get("/urbis/feed.geojson").status_code == 401
    rows = list(csv.DictReader(io.StringIO(anonymous.get("/urbis/feed.csv", headers=AUTH).text)))
    assert [int(r["id"]) for r in rows] == [item.pk, unknown.pk]
    assert rows[1]["kind"] == "unknown_address" and rows[1]["proposed_correction"]
    geojson = client_for("dpo").get("/urbis/feed.geojson").json()  # the DPO of Paradigm
    first = geojson["features"][0]
    assert first["geometry"]["coordinates"] == [4.4096, 50.8853]
    assert first["properties"]["register_id"] == "614020"


@pytest.mark.django_db
@override_settings(LOKET_URBIS_FEED_TOKEN=TOKEN)
def test_register_owner_answers_with_the_token(resident: User) -> None:
    item = report_address_error(resident)
    url = f"/urbis/feed/{item.pk}/status"
    body = '{"status": "accepted", "note": "moved in UrbIS 2026-12"}'
    assert Client().post(url, body, content_type="application/json").status_code == 401
    answer = Client().post(url, body, content_type="application/json", headers=AUTH)
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    bad = Client().post(url, '{"status": "maybe"}', content_type="application/json", headers=AUTH)
    assert bad.status_code == 422
    assert bad.json()["errors"] == [{"field": "status", "detail": bad.json()["detail"]}]
    item.refresh_from_db()
    assert item.status == "accepted" and item.status_at is not None


@pytest.mark.django_db
def test_register_owner_answers_from_the_command_line(resident: User) -> None:
    item = report_address_error(resident)
    call_command("urbis_feedback", "mark", str(item.pk), "rejected", "--note", "correct as is")
    item.refresh_from_db()
    assert item.status == "rejected" and item.status_note == "correct as is"


@pytest.mark.django_db
def test_an_address_the_register_lacks_is_accepted_when_confirmed_and_passed_on() -> None:
    from loket.cases.models import Case
    from loket.geo.models import RegisterFeedback
    from tests.conftest import client_for

    client = client_for("resident")
    base = "/en/procedures/change-of-address/apply/"
    client.post(base, {"use_registers": "yes"})
    address = {"new_address__street": "Rue Imaginaire", "new_address__house_number": "7",
               "new_address__postcode": "1060", "new_address__municipality": "21013"}  # fmt: skip
    refused = client.post(f"{base}q/new-address/", address)
    assert refused.status_code == 422
    assert "This address is right" in refused.content.decode()
    accepted = client.post(
        f"{base}q/new-address/", {**address, "new_address__confirm_unknown": "on"}
    )
    assert accepted.status_code == 302
    client.post(f"{base}q/moving-date/", {"moving_date": timezone.localdate().isoformat()})
    client.post(f"{base}q/who-moves/", {"moving_with": ["Amina El Amrani"]})
    client.post(f"{base}q/joining/", {"people_joining-TOTAL_FORMS": "0",
                "people_joining-INITIAL_FORMS": "0", "people_joining-MIN_NUM_FORMS": "0",
                "people_joining-MAX_NUM_FORMS": "1000"})  # fmt: skip
    key = client.get(f"{base}check/").context["draft"].idempotency_key
    client.post(f"{base}check/", {"idempotency_key": str(key)})
    case = Case.objects.get(procedure_id="change-of-address")
    assert case.answers["new_address"]["precision"] == "declared"
    item = RegisterFeedback.objects.get(case_reference=case.reference)
    assert "Rue Imaginaire" in item.proposed_correction
