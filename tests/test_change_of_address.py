"""A change of address as a person who has moved reads it: the old address is the one being
left (no "This is wrong" into a correction procedure), and the confirmation says what comes next."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.forms.fields import ChoiceOptions
from loket.forms.models import Draft
from loket.mandates.actions import do_give_mandate
from tests.conftest import client_for, demo_user
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


# Who moves: the applicant always does --------------------------------------------------------

WHO_MOVES = BASE.format(lang="en") + "q/who-moves/"


def _moving_with() -> list[str]:
    return list(Draft.objects.get(procedure_id="change-of-address").answers["moving_with"])


def test_the_applicant_is_a_fixed_line_and_not_a_box_that_can_be_left_unticked(
    resident_client: Client,
) -> None:
    resident_client.post(BASE.format(lang="en"), {"use_registers": "yes"})
    page = resident_client.get(WHO_MOVES).content.decode()
    fixed = re.search(r'<p class="fixed-choice" id="id_moving_with_applicant">(.*?)</p>', page)
    assert fixed is not None and "You (Amina El Amrani)" in fixed.group(1)
    boxes = re.findall(r'<input type="checkbox" name="moving_with" value="([^"]*)"', page)
    assert boxes == ["Youssef El Amrani", "Lina El Amrani"]  # the others, by birth date
    assert "Tick your own name" not in page


def test_the_applicant_moves_even_when_nobody_is_ticked(resident_client: Client) -> None:
    resident_client.post(BASE.format(lang="en"), {"use_registers": "yes"})
    assert resident_client.post(WHO_MOVES, {}).status_code == 302
    assert _moving_with() == ["Amina El Amrani"]


def test_a_crafted_post_without_the_applicant_still_moves_them_first_and_once(
    resident_client: Client,
) -> None:
    resident_client.post(BASE.format(lang="en"), {"use_registers": "yes"})
    assert resident_client.post(WHO_MOVES, {"moving_with": ["Lina El Amrani"]}).status_code == 302
    assert _moving_with() == ["Amina El Amrani", "Lina El Amrani"]
    # Posting the applicant too (an older page) is accepted: they are in the answer once.
    both = {"moving_with": ["Lina El Amrani", "Amina El Amrani"]}
    assert resident_client.post(WHO_MOVES, both).status_code == 302
    assert _moving_with() == ["Amina El Amrani", "Lina El Amrani"]
    # Someone outside the household is still refused, with what was ticked kept.
    refused = resident_client.post(WHO_MOVES, {"moving_with": ["Lina El Amrani", "Nobody"]})
    assert refused.status_code == 422
    assert 'value="Lina El Amrani" id="id_moving_with_1" checked' in refused.content.decode()


def test_going_back_to_the_page_shows_the_others_ticked_and_the_applicant_fixed(
    resident_client: Client,
) -> None:
    resident_client.post(BASE.format(lang="en"), {"use_registers": "yes"})
    resident_client.post(WHO_MOVES, {"moving_with": ["Lina El Amrani"]})
    page = resident_client.get(WHO_MOVES).content.decode()
    assert 'value="Lina El Amrani" id="id_moving_with_1" checked' in page
    assert 'value="Amina El Amrani"' not in page


def test_the_check_page_and_the_case_name_the_applicant_among_the_people_moving(
    resident_client: Client,
) -> None:
    base = BASE.format(lang="en")
    resident_client.post(base, {"use_registers": "yes"})
    address = {"new_address__street": "Rue Imaginaire", "new_address__house_number": "7",
               "new_address__postcode": "1060", "new_address__confirm_unknown": "on"}  # fmt: skip
    resident_client.post(f"{base}q/new-address/", address)
    resident_client.post(f"{base}q/moving-date/", {"moving_date": timezone.localdate()})
    resident_client.post(WHO_MOVES, {})  # nobody ticked
    resident_client.post(f"{base}q/joining/", {"people_joining-TOTAL_FORMS": "0",
                         "people_joining-INITIAL_FORMS": "0"})  # fmt: skip
    check = resident_client.get(f"{base}check/")
    assert check.status_code == 200
    assert "<dd>Amina El Amrani</dd>" in check.content.decode()
    key = str(check.context["draft"].idempotency_key)
    assert resident_client.post(f"{base}check/", {"idempotency_key": key}).status_code == 302
    assert Case.objects.get(idempotency_key=key).answers["moving_with"] == ["Amina El Amrani"]


def test_with_the_registers_declined_the_applicant_typed_is_fixed_and_the_others_typed(
    resident_client: Client,
) -> None:
    base = BASE.format(lang="en")
    resident_client.post(base, {"use_registers": "no"})
    draft = Draft.objects.get(procedure_id="change-of-address")
    draft.answers = {"declared": {"population.identity.first_name": "Amina",
                                  "population.identity.last_name": "El Amrani"}}  # fmt: skip
    draft.save()
    page = resident_client.get(WHO_MOVES).content.decode()
    assert "You (Amina El Amrani)" in page and 'type="text" name="moving_with"' in page
    assert resident_client.post(WHO_MOVES, {"moving_with": ""}).status_code == 302
    assert _moving_with() == ["Amina El Amrani"]
    assert resident_client.post(WHO_MOVES, {"moving_with": "Lina El Amrani"}).status_code == 302
    assert _moving_with() == ["Amina El Amrani", "Lina El Amrani"]
    again = resident_client.get(WHO_MOVES).content.decode()
    assert 'value="Lina El Amrani"' in again  # the others typed, not the applicant again


def test_a_helper_acting_for_the_resident_sees_the_resident_fixed_not_themselves() -> None:
    today = timezone.localdate()
    mandate = do_give_mandate(
        demo_user("resident"), demo_user("helper").national_number or "",
        ["change-of-address"], today, today + timedelta(days=30),
    )  # fmt: skip
    helper = client_for("helper")
    assert helper.post(f"/en/mandates/{mandate.pk}/act/").status_code == 302
    helper.post(BASE.format(lang="en"), {"use_registers": "yes"})
    page = helper.get(WHO_MOVES).content.decode()
    fixed = re.search(r'<p class="fixed-choice" id="id_moving_with_applicant">(.*?)</p>', page)
    assert fixed is not None and "Amina El Amrani (the applicant)" in fixed.group(1)
    assert "Marie Lambert" not in fixed.group(1) and "You (" not in fixed.group(1)
    assert helper.post(WHO_MOVES, {}).status_code == 302
    draft = Draft.objects.get(procedure_id="change-of-address", user=demo_user("resident"))
    assert draft.answers["moving_with"] == ["Amina El Amrani"]


def test_includes_applicant_needs_a_list_of_people_to_choose_several_from() -> None:
    with pytest.raises(ValueError, match="includes_applicant"):
        ChoiceOptions.model_validate(
            {"choices": {"a": {"fr": "a", "nl": "a", "en": "a"}}, "includes_applicant": True}
        )


def test_a_move_being_registered_is_said_on_the_address_of_another_application(
    resident_client: Client,
) -> None:
    """The bulky-waste collection is at the registered address: a resident whose move is not yet
    recorded reads that the register still gives the old address, and that the collection goes
    there, instead of a "This is wrong" link into a correction."""
    waste = "/en/procedures/bulky-waste-collection/apply/"
    resident_client.post(waste, {"use_registers": "yes"})
    before = resident_client.get(f"{waste}facts/").content.decode()
    assert "is being registered" not in before
    move = send_change_of_address(resident_client)
    page = resident_client.get(f"{waste}facts/").content.decode()
    rows = page.split("<div><dt>")
    address_row = next(row for row in rows if move.reference in row)
    assert "A move to Rue Imaginaire 7, 1060 Saint-Gilles / Sint-Gillis is being" in address_row
    assert "this application uses it" in address_row
    assert CORRECTION not in address_row and "This is wrong" not in address_row
    assert "This is wrong" in page  # the other facts can still be reported
    # Once the move is decided, nothing is said any more.
    Case.objects.filter(pk=move.pk).update(status=Case.Status.APPROVED)
    assert "is being registered" not in resident_client.get(f"{waste}facts/").content.decode()
