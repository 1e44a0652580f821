"""One residents' parking card per plate: the vehicle choice names a card that already runs,
and the vehicle page and the check page refuse a second card (or a second application) for it,
with what was chosen kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import formats, timezone, translation

from loket.cases.actions import do_change_status
from loket.cases.models import Case
from loket.cases.selectors import running_grants
from loket.forms.definitions import get_definition
from loket.forms.models import Draft
from tests.conftest import client_for, demo_user
from tests.test_all_procedures import submit

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
BASE = f"/en/procedures/{PARKING}/apply/"


def _card(plate: str, status: str = Case.Status.APPROVED, start_days: int = 0) -> Case:
    """A card of the demo resident for ``plate``, its start ``start_days`` from today."""
    client = client_for("resident")
    start = (timezone.localdate() + timedelta(days=start_days)).isoformat()

    def choose_plate() -> None:
        draft = Draft.objects.get(procedure_id=PARKING)
        draft.answers = {**draft.answers, "plate": plate, "start_date": start}
        draft.save()

    case = submit(client, PARKING, before_sending=choose_plate)
    if status != case.status:
        do_change_status(case, demo_user("agent-parking"), status, "Decided.")
    case.refresh_from_db()
    return case


def _until(days_from_today: int) -> str:
    with translation.override("en"):
        return formats.date_format(timezone.localdate() + timedelta(days=days_from_today))


def test_the_vehicle_choice_names_the_card_that_already_runs() -> None:
    _card("1-ABC-123")
    client = client_for("resident")
    client.post(BASE, {"use_registers": "yes"})
    page = client.get(f"{BASE}q/vehicle/").content.decode()
    assert f">1-ABC-123 · Škoda Octavia — already has a card until {_until(364)}</label>" in page
    assert ">2-XYZ-789 · Dacia Sandero</label>" in page  # no card: nothing said
    assert page.count("already has a card") == 1


def test_choosing_a_plate_with_a_running_card_is_refused_with_the_choice_kept() -> None:
    _card("1-ABC-123")
    client = client_for("resident")
    client.post(BASE, {"use_registers": "yes"})
    response = client.post(f"{BASE}q/vehicle/", {"plate": "1-ABC-123"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "1-ABC-123 already has a card until" in page
    assert "you cannot apply for it again before then" in page
    # The vehicle cannot be chosen: shown disabled, never as the kept choice.
    assert 'value="1-ABC-123" id="id_plate_1" disabled>' in page
    assert "plate" not in Draft.objects.get(procedure_id=PARKING).answers
    # The other vehicle goes through.
    assert client.post(f"{BASE}q/vehicle/", {"plate": "2-XYZ-789"}).status_code == 302


def test_an_application_still_being_handled_blocks_a_second_one_at_sending() -> None:
    first = _card("1-ABC-123", status=Case.Status.SUBMITTED)
    assert first.status == Case.Status.SUBMITTED
    client = client_for("resident")
    client.post(BASE, {"use_registers": "yes"})
    label = client.get(f"{BASE}q/vehicle/").content.decode()
    assert "1-ABC-123 · " in label and "an application is already being handled" in label
    # The answer was saved before the first case was sent (two tabs): sending refuses it.
    draft = Draft.objects.get(procedure_id=PARKING)
    draft.answers = {"plate": "1-ABC-123", "start_date": timezone.localdate().isoformat()}
    draft.save()
    response = client.post(f"{BASE}check/", {"idempotency_key": str(draft.idempotency_key)})
    assert response.status_code == 422
    page = response.content.decode()
    assert "An application for 1-ABC-123 is already being handled" in page
    assert "<title>Error:" in page
    assert Case.objects.filter(procedure_id=PARKING).count() == 1
    assert Draft.objects.get(procedure_id=PARKING).answers["plate"] == "1-ABC-123"  # kept


def test_refused_withdrawn_and_expired_cards_do_not_count() -> None:
    definition = get_definition(PARKING)
    assert definition is not None and definition.one_running is not None
    rule = definition.one_running
    _card("1-ABC-123", status=Case.Status.REJECTED)
    assert running_grants(PARKING, rule, ["1-ABC-123"]) == {}
    expired = _card("2-XYZ-789", start_days=0)
    # A year and a day later, the card has run out.
    later = timezone.localdate() + timedelta(days=365)
    assert running_grants(PARKING, rule, ["2-XYZ-789"], today=later) == {}
    running = running_grants(PARKING, rule, ["2-XYZ-789"])["2-XYZ-789"]
    assert running.until == timezone.localdate() + timedelta(days=364)
    assert expired.status == Case.Status.APPROVED


def test_a_vehicle_with_an_application_in_progress_is_disabled_with_a_link_to_it() -> None:
    first = _card("1-ABC-123", status=Case.Status.SUBMITTED)
    client = client_for("resident")
    client.post(BASE, {"use_registers": "yes"})
    page = client.get(f"{BASE}q/vehicle/").content.decode()
    assert 'value="1-ABC-123" id="id_plate_1" disabled>' in page
    assert f'href="/en/my-cases/{first.reference}/">See application {first.reference}</a>' in page
    other = page[page.index('value="2-XYZ-789"') :]
    assert other[: other.index(">")].endswith('"')  # the other vehicle stays selectable
    assert 'id="nothing-to-choose"' not in page and ">Continue</button>" in page


def test_when_no_vehicle_can_be_chosen_the_page_says_so_with_the_running_cases() -> None:
    card = _card("1-ABC-123")
    handled = _card("2-XYZ-789", status=Case.Status.SUBMITTED)
    client = client_for("resident")
    client.post(BASE, {"use_registers": "yes"})
    page = client.get(f"{BASE}q/vehicle/").content.decode()
    start = page.index('id="nothing-to-choose"')
    notice = page[start : page.index("</div>", start)]
    assert "You cannot apply now" in notice
    assert f'href="/en/my-cases/{card.reference}/"' in notice
    assert f'href="/en/my-cases/{handled.reference}/"' in notice
    assert ">Continue</button>" not in page  # no form that can only fail
    assert page.count(" disabled>") == 2


def test_the_application_of_another_household_member_is_not_linked() -> None:
    """The grant belongs to the car, not the person: another resident's case blocks the choice
    but its reference is not theirs to open."""
    definition = get_definition(PARKING)
    assert definition is not None and definition.one_running is not None
    first = _card("1-ABC-123", status=Case.Status.SUBMITTED)
    grant = running_grants(PARKING, definition.one_running, ["1-ABC-123"])["1-ABC-123"]
    assert grant.reference == first.reference and grant.applicant_id == first.applicant_id
    first.applicant = demo_user("agent-parking")
    first.save(update_fields=["applicant"])
    client = client_for("resident")
    client.post(BASE, {"use_registers": "yes"})
    page = client.get(f"{BASE}q/vehicle/").content.decode()
    assert 'value="1-ABC-123" id="id_plate_1" disabled>' in page
    assert first.reference not in page


def test_the_first_page_says_before_consent_that_an_application_is_being_handled() -> None:
    client = client_for("resident")
    assert 'id="already-applied"' not in client.get(BASE).content.decode()
    first = _card("1-ABC-123", status=Case.Status.SUBMITTED)
    page = client.get(BASE).content.decode()
    assert 'id="already-applied"' in page
    assert f'href="/en/my-cases/{first.reference}/">See application {first.reference}</a>' in page
    assert 'name="use_registers"' in page  # another vehicle may still be applied for
