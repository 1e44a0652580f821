"""The parking card's social-status exemption, read through the one door: a resident who receives
the increased allowance pays nothing, is told why before sending and on the case, and the
reading is in the access log with its purpose; one who does not pays the fee."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from loket.audit.models import AccessLogEntry
from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.forms.definitions import get_definition
from loket.payments.models import CaseFee, Payment
from loket.registers.models import SocialStatus
from tests.conftest import client_for, demo_user
from tests.test_all_procedures import submit

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
EXEMPT = "Exempt: you receive the increased allowance"


def set_increased_allowance(username: str, receives: bool) -> None:
    """What the social security register says of this person (its synthetic copy)."""
    national_number = demo_user(username).national_number
    assert national_number
    SocialStatus.objects.update_or_create(
        national_number=national_number, defaults={"increased_allowance": receives}
    )


def test_the_parking_card_declares_and_reads_the_social_status_it_exempts_on() -> None:
    definition = get_definition(PARKING)
    assert definition is not None and "social.increased_allowance" in definition.facts
    need = next(
        need
        for need in Procedure.objects.get(id=PARKING).needs
        if need["attribute"] == "social.increased_allowance"
    )
    assert need["purpose_text"]["en"] and need["legal_basis"]["en"]


def test_a_resident_with_the_increased_allowance_pays_nothing_and_is_told_why() -> None:
    set_increased_allowance("resident", True)
    client = client_for("resident")
    check_pages: list[str] = []

    def look_at_the_check_page() -> None:
        page = client.get(f"/en/procedures/{PARKING}/apply/check/")
        check_pages.append(page.content.decode())

    case = submit(client, PARKING, before_sending=look_at_the_check_page, pay=False)

    # Before sending: the amount, nothing, and why.
    assert escape(EXEMPT) in check_pages[0] and "€0.00" in check_pages[0]
    fee = CaseFee.objects.get(case=case)
    assert fee.amount_cents == 0 and fee.label["en"] == EXEMPT
    assert case.status == Case.Status.SUBMITTED  # straight to the queue: nothing to wait for
    assert not Payment.objects.filter(case=case).exists()
    assert case.facts["social"]["increased_allowance"] is True
    page = client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert escape(EXEMPT) in page and "Nothing to pay" in page and "Pay €" not in page
    assert escape(EXEMPT) in client.get("/en/my-cases/").content.decode()
    agent_page = client_for("agent-parking").get(f"/en/back-office/cases/{case.reference}/")
    assert escape(EXEMPT) in agent_page.content.decode()
    # Read through the one door, logged with the procedure it was read for.
    assert AccessLogEntry.objects.filter(source="social", procedure_id=PARKING).exists()


def test_a_resident_without_it_pays_the_fee() -> None:
    set_increased_allowance("resident", False)
    client = client_for("resident")

    case = submit(client, PARKING, pay=False)

    fee = CaseFee.objects.get(case=case)
    assert fee.amount_cents == 1000 and case.status == Case.Status.AWAITING_PAYMENT
    assert case.facts["social"]["increased_allowance"] is False
