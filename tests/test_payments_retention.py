"""Payment records are kept as accounting law asks (ten years from 1 January after the year of
payment), said so in the register of processing, then removed by the retention job: deleted,
or emptied while they still settle a case that exists."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone, translation

from loket.catalog.models import Procedure
from loket.payments.models import CaseFee, Payment, Refund, StatementLine
from loket.payments.reconcile import do_import_statement
from loket.payments.retention import RECORD_YEARS, records_kept_since
from loket.privacy.register import processing_of
from loket.privacy.retention import apply_retention, delete_case
from tests.conftest import client_for
from tests.test_all_procedures import submit
from tests.test_payments_statements import camt053, transfer_for

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"


def noon(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=timezone.get_current_timezone())


def test_the_register_states_the_accounting_retention_of_payment_records() -> None:
    with translation.override("en"):
        parking = processing_of(Procedure.objects.get(id=PARKING))
        free = processing_of(Procedure.objects.get(id="change-of-address"))
    assert "Payment records" in parking.retention and f"{RECORD_YEARS} years" in parking.retention
    assert "III.88" in parking.retention
    assert any("accounting law" in basis for basis in parking.legal_bases)
    # The ten years are tax law's (since 2023); accounting law's own term is seven.
    assert "seven years" in parking.retention and "art. 315" in parking.retention
    assert any("art. 315" in basis for basis in parking.legal_bases)
    assert "Payment records" not in free.retention  # no fee, no payment records


def test_a_record_goes_on_the_first_of_january_after_its_tenth_full_year() -> None:
    year = timezone.localdate().year
    assert records_kept_since(noon(year + RECORD_YEARS, 12, 31)) == noon(year, 1, 1).replace(hour=0)
    assert records_kept_since(noon(year + RECORD_YEARS + 1, 1, 1)) == noon(year + 1, 1, 1).replace(
        hour=0
    )


def test_retention_deletes_old_payment_records_and_empties_those_settling_a_kept_case() -> None:
    resident = client_for("resident")
    gone_case = submit(resident, PARKING)
    gone = gone_case.payments.get(status="paid")
    agent = client_for("agent-parking")
    refunds = f"/en/payments/back-office/{gone_case.reference}/refunds/"
    agent.post(
        refunds,
        {"payment": gone.reference, "amount": "1", "reason": "Moved out", "action": "confirm"},
    )
    delete_case(gone_case)  # the case went under its own rule; its payment stays
    transfer = transfer_for(resident)  # a second card, paid by transfer; this case stays
    statement = camt053(
        [("E1", f"{transfer.amount_cents / 100:.2f}", transfer.reference),
         ("E2", "7.00", "free text nobody can match")]
    )  # fmt: skip
    assert len(do_import_statement(statement).lines) == 2
    kept_case = transfer.case
    assert kept_case is not None
    kept_refunds = f"/en/payments/back-office/{kept_case.reference}/refunds/"
    agent.post(
        kept_refunds,
        {"payment": transfer.reference, "amount": "1", "reason": "Typo", "action": "confirm"},
    )
    assert Refund.objects.count() == 2
    year = timezone.localdate().year

    apply_retention(as_of=noon(year + RECORD_YEARS, 12, 31))  # still within the period
    assert Payment.objects.filter(pk=gone.pk).exists()
    assert StatementLine.objects.count() == 2

    run = apply_retention(as_of=noon(year + RECORD_YEARS + 1, 1, 2))

    assert not Payment.objects.filter(pk=gone.pk).exists()
    assert not Refund.objects.filter(reason="Moved out").exists()
    assert not StatementLine.objects.filter(payment__isnull=True).exists()  # the unmatched line
    # Still settling the fee of a case that exists: kept, with nobody's name or reason in it.
    transfer.refresh_from_db()
    assert CaseFee.objects.get(case=kept_case).paid_by == transfer
    line = StatementLine.objects.get(payment=transfer)
    assert (line.counterparty, line.counterparty_account) == ("", "")
    assert Refund.objects.get(payment=transfer).reason == ""
    records = run.counts["payment-records"]
    assert records["payments_deleted"] >= 1 and records["payments_emptied"] == 1
    assert records["rule_record_years"] == RECORD_YEARS
