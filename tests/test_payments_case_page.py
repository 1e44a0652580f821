"""What an applicant sees of a case that waits for its payment: the transfer once chosen (and the
warning before paying another way), the last day to pay, the administration as beneficiary,
no handling time before the payment, and a second application for the same plate refused at
once with a way to pay the first."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import formats, timezone, translation

from loket.cases.models import Case
from loket.forms.models import Draft
from loket.payments import epc
from loket.payments.models import CaseFee, Payment
from loket.payments.reconcile import do_import_statement
from tests.conftest import client_for
from tests.payments_helpers import pay_with_demo, start_payment
from tests.test_cases import apply_for_parking_card
from tests.test_payments_statements import camt053

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
APPLY = f"/en/procedures/{PARKING}/apply/"


def _case_page(client: Client, case: Case) -> str:
    response = client.get(f"/en/my-cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def _last_day_to_pay(case: Case) -> str:
    fee = CaseFee.objects.get(case=case)
    last = timezone.localdate(fee.created_at + timedelta(days=30)) - timedelta(days=1)
    with translation.override("en"):
        return formats.date_format(last, "DATE_FORMAT")


def test_a_chosen_transfer_is_the_way_shown_and_paying_otherwise_says_not_to_transfer() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    transfer = start_payment(client, case, provider="transfer")
    page = _case_page(client, case)
    assert "You chose to pay by bank transfer" in page
    assert "BE71 0961 2345 6769" in page and transfer.reference in page
    assert "If you pay another way now, do not make the transfer." in page
    assert 'id="provider-demo"' in page
    assert 'id="provider-transfer"' not in page  # chosen already: not offered as if new
    assert page.index('id="payment"') < page.index("<h2>History</h2>")


def test_before_a_transfer_is_chosen_every_way_is_offered() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    page = _case_page(client, case)
    assert 'id="provider-demo"' in page and 'id="provider-transfer"' in page
    assert "You chose to pay by bank transfer" not in page


def test_a_transfer_arriving_after_a_card_payment_is_reported_for_refund() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    transfer = start_payment(client, case, provider="transfer")
    card = pay_with_demo(client, case)
    assert card.status == Payment.Status.PAID and case.status == Case.Status.SUBMITTED
    report = do_import_statement(camt053([("L1", "10.00", transfer.reference)], "S-LATE"))
    assert [line.outcome for line in report.lines] == ["already_paid"]
    assert CaseFee.objects.get(case=case).paid_by == card
    assert any("will be refunded" in event.note for event in case.events.all())


def test_the_last_day_to_pay_is_on_the_case_and_the_transfer_page() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    last_day = _last_day_to_pay(case)
    lapse = f"Pay by {last_day} at the latest: after that day, the application lapses."
    assert lapse in _case_page(client, case)
    transfer = start_payment(client, case, provider="transfer")
    page = client.get(f"/en/payments/{transfer.idempotency_key}/transfer/").content.decode()
    assert lapse in page
    assert "A transfer takes one or two working days" in page


def test_the_transfer_names_the_handling_administration_as_beneficiary() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    transfer = start_payment(client, case, provider="transfer")
    page = client.get(f"/en/payments/{transfer.idempotency_key}/transfer/").content.decode()
    assert "<dd>parking.brussels</dd>" in page and "Loket demo" not in page
    assert epc.payload(transfer).split("\n")[5] == "parking.brussels"
    assert 'data-copy="BE71 0961 2345 6769"' in page
    assert "+++" in page and transfer.reference in page


def test_no_handling_time_runs_before_the_fee_is_paid() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    assert case.due_on is None
    page = _case_page(client, case)
    assert "Handling starts once the fee is paid" in page
    assert "Expected answer by" not in page
    pay_with_demo(client, case)
    expected = case.procedure.answer_deadline(timezone.localdate())
    assert case.due_on == expected
    assert "Expected answer by" in _case_page(client, case)


def test_a_plate_awaiting_payment_is_refused_when_chosen_with_a_link_to_pay_it() -> None:
    client = client_for("resident")
    pending = apply_for_parking_card(client, plate="2-XYZ-789", pay=False)
    assert pending.status == Case.Status.AWAITING_PAYMENT
    client.post(APPLY, {"use_registers": "yes"})
    response = client.post(f"{APPLY}q/vehicle/", {"plate": "2-XYZ-789"})
    assert response.status_code == 422
    page = response.content.decode()
    assert f"Your application {pending.reference} for 2-XYZ-789 is waiting for its payment" in page
    assert f'href="/en/my-cases/{pending.reference}/#payment"' in page
    assert not Draft.objects.filter(procedure_id=PARKING).exists()  # no draft left behind


def test_a_transfer_page_after_another_payment_says_not_to_make_it() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    transfer = start_payment(client, case, provider="transfer")
    pay_with_demo(client, case)
    page = client.get(f"/en/payments/{transfer.idempotency_key}/transfer/").content.decode()
    assert "Do not make this transfer: the application no longer waits for it." in page
    assert "BE71 0961 2345 6769" not in page and 'class="qr-code"' not in page
    case_page = _case_page(client, case)
    assert f"/en/payments/{transfer.idempotency_key}/transfer/" not in case_page


def test_each_attempt_shows_the_reference_that_fits_its_way_of_paying() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    abandoned_card = pay_with_demo(client, case, outcome="canceled")
    transfer = start_payment(client, case, provider="transfer")
    page = _case_page(client, case)
    # A card attempt: the payment service's id, never a structured communication.
    assert "Payment service&#x27;s reference" in page and abandoned_card.provider_id in page
    assert abandoned_card.reference not in page
    # A transfer: its structured communication, named so.
    assert "Structured communication</span><br>" in page and transfer.reference in page

    paid_card = pay_with_demo(client, case)
    page = _case_page(client, case)
    assert f"(payment service&#x27;s reference: {paid_card.provider_id})" in page
    assert paid_card.reference not in page


def test_a_card_attempt_the_service_never_numbered_shows_our_reference_as_plain_digits() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    attempt = pay_with_demo(client, case, outcome="canceled")
    Payment.objects.filter(pk=attempt.pk).update(provider_id="")  # the service never answered
    page = _case_page(client, case)
    digits = "".join(filter(str.isdigit, attempt.reference))
    assert "Loket&#x27;s reference for this attempt" in page and digits in page
    assert attempt.reference not in page


def test_my_cases_offers_to_pay_a_case_awaiting_payment_and_no_other() -> None:
    client = client_for("resident")
    waiting = apply_for_parking_card(client, plate="2-XYZ-789", pay=False)
    paid = apply_for_parking_card(client, plate="1-ABC-123", pay=False)
    pay_with_demo(client, paid)
    page = client.get("/en/my-cases/").content.decode()
    link = (
        f'<a class="button pay-action" href="/en/my-cases/{waiting.reference}/#payment">'
        f'Pay {waiting.fee.display}<span class="visually-hidden"> '
        f"for application {waiting.reference}</span></a>"
    )
    assert link in page
    assert page.count("pay-action") == 1  # not for the paid one


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_procedure_page_points_to_its_cost_section_by_the_section_s_own_heading(
    language: str,
) -> None:
    page = Client().get(f"/{language}/procedures/{PARKING}/").content.decode()
    heading = re.search(r'<h2 id="cost">([^<]+)</h2>', page)
    assert heading is not None
    link = re.search(r'<a href="#cost">([^<]+)</a>', page)
    assert link is not None and heading.group(1) in link.group(1)
