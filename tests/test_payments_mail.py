"""The mail that tells an applicant a fee is due, when the application is sent and again with the
reminder: in the case's language, with the amount, what it is for, the last day to pay, the
case's pay page, and the transfer's details with a structured communication that the case page
and the bank statements use too. Sent by the worker through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import formats, translation
from stdnum.be import ogm_vcs

from loket.cases.models import Case
from loket.cases.notices import notices_about
from loket.payments.expiry import do_remind_and_lapse, pay_by
from loket.payments.models import CaseFee, Payment
from loket.payments.reconcile import do_import_statement
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for
from tests.payments_helpers import start_payment
from tests.test_cases import apply_for_parking_card
from tests.test_notify import Inbox, smtp, with_email
from tests.test_payments_statements import camt053

__all__ = ["smtp"]  # the fixture, used by name

pytestmark = pytest.mark.django_db


def _body(message: Any) -> str:
    return str(message.get_payload(decode=True).decode())


def _communication(body: str) -> str:
    found = re.search(r"\+\+\+\d{3}/\d{4}/\d{5}\+\+\+", body)
    assert found is not None, body
    return found.group(0)


def _sent_awaiting_payment(language: str) -> Case:
    with_email("resident", language)
    case = apply_for_parking_card(client_for("resident"), lang=language, pay=False)
    assert case.status == Case.Status.AWAITING_PAYMENT
    return case


def test_sending_a_paid_application_mails_what_to_pay_and_how(smtp: Inbox) -> None:
    case = _sent_awaiting_payment("en")
    assert run_until_empty() == 1
    assert smtp.subjects() == [
        f"Application {case.reference} sent: pay €10.00 to have it handled"
        f" \u2013 {case.procedure.name}"
    ]
    body = _body(smtp.messages[0])
    fee = CaseFee.objects.get(case=case)
    with translation.override("en"):
        last_day = formats.date_format(pay_by(fee), "DATE_FORMAT")
    for expected in (
        "Amount: €10.00",
        f"What it is for: {fee.why}",
        f"Pay by {last_day} at the latest",
        f"http://127.0.0.1:8000/en/my-cases/{case.reference}/#payment",
        "Beneficiary: parking.brussels",
        "Account (IBAN): BE71 0961 2345 6769",
        "BIC: GKCCBEBB",
    ):
        assert expected in body, (expected, body)
    communication = _communication(body)
    assert ogm_vcs.is_valid(communication)
    assert fee.transfer_reference == communication
    assert not Payment.objects.filter(case=case).exists()  # no way chosen yet


def test_the_transfer_chosen_on_the_page_takes_the_mailed_communication(smtp: Inbox) -> None:
    case = _sent_awaiting_payment("en")
    run_until_empty()
    communication = _communication(_body(smtp.messages[0]))
    transfer = start_payment(client_for("resident"), case, provider="transfer")
    assert transfer.reference == communication
    card = start_payment(client_for("resident"), case, provider="demo")
    assert card.reference != communication


def test_a_transfer_made_from_the_mail_alone_pays_the_application(smtp: Inbox) -> None:
    case = _sent_awaiting_payment("en")
    run_until_empty()
    communication = _communication(_body(smtp.messages[0]))
    report = do_import_statement(camt053([("M1", "10.00", communication)], "FROM-MAIL"))
    assert [line.outcome for line in report.lines] == ["matched"]
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    payment = Payment.objects.get(case=case)
    assert (payment.provider, payment.reference, payment.status) == (
        "transfer",
        communication,
        Payment.Status.PAID,
    )
    assert CaseFee.objects.get(case=case).paid_by == payment
    # Its "pay" notice has done its work: no longer new in the inbox.
    assert notices_about(case).get(kind="payment_due").read_at is not None


def test_the_reminder_repeats_the_details_in_the_case_s_language(smtp: Inbox) -> None:
    case = _sent_awaiting_payment("nl")
    run_until_empty()
    first = _body(smtp.messages[0])
    case.applicant.preferred_language = "fr"  # changed since: the case's language still rules
    case.applicant.save(update_fields=["preferred_language"])
    fee = CaseFee.objects.get(case=case)
    assert do_remind_and_lapse(fee.created_at + timedelta(days=8)) == (1, 0)
    assert do_remind_and_lapse(fee.created_at + timedelta(days=9)) == (0, 0)  # once
    assert run_until_empty() == 1
    with translation.override("nl"):
        name = case.procedure.name
    assert smtp.subjects()[1] == (
        f"Uw aanvraag {case.reference} wacht op uw betaling \u2013 {name}"
    )
    reminder = _body(smtp.messages[1])
    assert f"/nl/my-cases/{case.reference}/#payment" in reminder
    assert "Betaal uiterlijk op" in reminder  # Dutch, the case's language, not French
    assert _communication(reminder) == _communication(first)
    assert "parking.brussels" in reminder
