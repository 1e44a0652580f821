"""A change of address as a person who has moved reads it: the old address is the one being
left (no "This is wrong" into a correction procedure), and the confirmation says what comes next."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.forms.models import Draft
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

BASE = "/{lang}/procedures/change-of-address/apply/"
CORRECTION = "/procedures/personal-data-correction/?register=population"


def send_change_of_address(client: Client, lang: str = "en") -> Case:
    base = BASE.format(lang=lang)
    client.post(base, {"use_registers": "yes"})
    address = {"new_address__street": "Rue Imaginaire", "new_address__house_number": "7",
               "new_address__postcode": "1060", "new_address__municipality": "21013",
               "new_address__confirm_unknown": "on"}  # fmt: skip
    assert client.post(f"{base}q/new-address/", address).status_code == 302
    client.post(f"{base}q/moving-date/", {"moving_date": timezone.localdate().isoformat()})
    client.post(f"{base}q/who-moves/", {"moving_with": ["Amina El Amrani"]})
    client.post(f"{base}q/joining/", {"people_joining-TOTAL_FORMS": "0",
                "people_joining-INITIAL_FORMS": "0", "people_joining-MIN_NUM_FORMS": "0",
                "people_joining-MAX_NUM_FORMS": "1000"})  # fmt: skip
    key = client.get(f"{base}check/").context["draft"].idempotency_key
    response = client.post(f"{base}check/", {"idempotency_key": str(key)})
    assert response.status_code == 302
    return Case.objects.get(idempotency_key=key)


def test_the_old_address_is_the_one_being_left_without_a_correction_link(
    resident_client: Client,
) -> None:
    base = BASE.format(lang="en")
    resident_client.post(base, {"use_registers": "yes"})
    page = resident_client.get(f"{base}facts/").content.decode()
    assert "You are moving from" in page
    rows = page.split("<div><dt>")
    address_row = next(row for row in rows if row.startswith("You are moving from"))
    assert CORRECTION not in address_row and "This is wrong" not in address_row
    # The other facts (identity, household) can still be reported as wrong.
    assert page.count("This is wrong") == len(rows) - 2


def test_the_old_address_says_that_having_moved_is_normal_and_to_continue(
    resident_client: Client,
) -> None:
    base = BASE.format(lang="en")
    resident_client.post(base, {"use_registers": "yes"})
    page = resident_client.get(f"{base}facts/").content.decode()
    address_row = next(row for row in page.split("<div><dt>") if row.startswith("You are moving"))
    assert "If you have already moved, that is normal: continue" in address_row


def test_reporting_an_error_leads_back_to_the_application_with_its_answers_kept(
    resident_client: Client,
) -> None:
    base = BASE.format(lang="en")
    resident_client.post(base, {"use_registers": "yes"})
    today = timezone.localdate().isoformat()
    assert resident_client.post(f"{base}q/moving-date/", {"moving_date": today}).status_code == 302
    saved = Draft.objects.get(procedure_id="change-of-address").answers
    assert saved["moving_date"] == today
    facts = resident_client.get(f"{base}facts/").content.decode()
    wrong = re.search(r'href="([^"]*personal-data-correction[^"]*)">This is wrong', facts)
    assert wrong is not None and "back=change-of-address" in wrong.group(1)
    correction = resident_client.get(wrong.group(1).replace("&amp;", "&")).content.decode()
    assert "Back to my application: Declaration of change of address" in correction
    assert f'href="{base}facts/"' in correction
    assert correction.index("Back to my application") < correction.index("Start now")
    back = resident_client.get(f"{base}facts/")
    assert back.status_code == 200  # the application goes on where it was
    assert Draft.objects.get(procedure_id="change-of-address").answers == saved
    # A made-up or unknown "back" offers nothing.
    for bogus in ("nope", "personal-data-correction", "x" * 500):
        page = resident_client.get(f"/en/procedures/personal-data-correction/?back={bogus}")
        assert page.status_code == 200 and "Back to my application" not in page.content.decode()


def test_another_procedure_still_offers_to_correct_the_address(resident_client: Client) -> None:
    base = "/en/procedures/residents-parking-card/apply/"
    resident_client.post(base, {"use_registers": "yes"})
    page = resident_client.get(f"{base}facts/").content.decode()
    assert "You are moving from" not in page
    assert 'This is wrong<span class="visually-hidden">: your main address' in page


def test_the_confirmation_says_what_comes_next(resident_client: Client) -> None:
    case = send_change_of_address(resident_client)
    page = resident_client.get(f"/en/my-cases/{case.reference}/?submitted=1").content.decode()
    assert "Application sent" in page and "What happens next" in page
    assert "neighbourhood police officer" in page
    assert "electronic identity card updated" in page


def test_next_steps_are_data_of_the_procedure_in_each_language() -> None:
    steps = Procedure.objects.get(id="change-of-address").next_steps
    assert len(steps) >= 2 and all(set(step) == {"fr", "nl", "en"} for step in steps)
    assert "agent de quartier" in steps[0]["fr"] and "wijkagent" in steps[0]["nl"]
    with_steps = {p.id: p.next_steps for p in Procedure.objects.exclude(next_steps=[])}
    assert {"residents-parking-card", "bulky-waste-collection", "legal-cohabitation",
            "lez-day-pass"} <= set(with_steps)  # fmt: skip
    for procedure_id, listed in with_steps.items():
        assert all(set(step) == {"fr", "nl", "en"} for step in listed), procedure_id
        assert all(all(text.strip() for text in step.values()) for step in listed), procedure_id


def test_the_parking_card_says_what_comes_next_and_without_steps_there_is_no_section(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    page = resident_client.get(f"/en/my-cases/{case.reference}/?submitted=1").content.decode()
    assert "What happens next" in page and "nothing to put behind the windscreen" in page
    Procedure.objects.filter(id="residents-parking-card").update(next_steps=[])
    page = resident_client.get(f"/en/my-cases/{case.reference}/?submitted=1").content.decode()
    assert "What happens next" not in page


def test_the_status_of_a_sent_case_is_plain_words_in_french_and_dutch(
    resident_client: Client,
) -> None:
    """Needs the compiled catalogues (translations.json of this branch)."""
    send_change_of_address(resident_client)
    assert "Envoyé" in resident_client.get("/fr/my-cases/").content.decode()
    assert "Introduit" not in resident_client.get("/fr/my-cases/").content.decode()
    assert "Verstuurd" in resident_client.get("/nl/my-cases/").content.decode()
