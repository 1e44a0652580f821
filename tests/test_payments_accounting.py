"""The accountant's CSV of an administration's payments, refunds and settlements over a period:
its own administration's money only, still there when the case is gone, no formula in a cell,
and a period that is not one refused with what was typed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from loket.payments.models import Payment
from loket.payments.reconcile import do_import_statement
from loket.privacy.retention import delete_case
from tests.conftest import client_for
from tests.test_all_procedures import submit
from tests.test_payments_statements import camt053, transfer_for

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
URL = "/en/payments/back-office/accountant-export/"


def export(client: Client, administration: str, days_back: int = 1) -> list[list[str]]:
    today = timezone.localdate()
    response = client.get(
        URL,
        {
            "administration": administration,
            "start": (today - timedelta(days=days_back)).isoformat(),
            "end": (today + timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_export_lists_payments_refunds_and_statement_lines_of_the_administration_only() -> None:
    resident = client_for("resident")
    card = submit(resident, PARKING)  # paid on the demo page
    online = card.payments.get(status="paid")
    transfer = transfer_for(resident, "1-ABC-123")  # the other car's card, paid by transfer
    # A statement id typed by whoever made the file: a spreadsheet must not run it.
    statement = camt053(
        [("E1", f"{transfer.amount_cents / 100:.2f}", transfer.reference)],
        statement="=HYPERLINK(1)",
    )
    assert do_import_statement(statement).lines[0].outcome == "matched"
    agent = client_for("agent-parking")
    refund = {"payment": online.reference, "amount": "2,50", "reason": "Half year"}
    refunds_page = f"/en/payments/back-office/{card.reference}/refunds/"
    assert agent.post(refunds_page, refund).status_code == 302
    assert URL in agent.get(refunds_page).content.decode()  # the link to the export

    rows = export(agent, "parking-brussels")

    header, body = rows[0], rows[1:]
    assert header[:3] == ["Entry", "Date", "Case reference"]
    by_reference = {(row[0], row[5]): row for row in body}
    paid_online = by_reference[("Payment", online.reference.strip("+"))]
    assert paid_online[2] == card.reference and paid_online[3] == PARKING
    assert paid_online[6] == f"{online.amount_cents / 100:.2f}" and paid_online[7] == "2.50"
    assert paid_online[8] == "Paid" and paid_online[9] == f"demo:{online.provider_id}"
    paid_by_transfer = by_reference[("Payment", transfer.reference.strip("+"))]
    assert paid_by_transfer[4] == "Bank transfer"
    assert paid_by_transfer[9].startswith("'=HYPERLINK(1)/E1")  # neutralised
    assert by_reference[("Refund", online.reference.strip("+"))][7] == "2.50"
    abandoned = Payment.objects.get(
        case=transfer.case, status="cancelled"
    )  # the attempt before the transfer
    assert by_reference[("Payment", abandoned.reference.strip("+"))][8] == "Abandoned"

    # Another administration's civil servant sees none of it, and cannot ask for it.
    ixelles = client_for("agent-ixelles")
    month_ago = timezone.localdate() - timedelta(days=30)
    period = {"start": month_ago.isoformat(), "end": timezone.localdate().isoformat()}
    assert ixelles.get(URL, {"administration": "parking-brussels", **period}).status_code == 422
    # A resident is not a civil servant.
    assert resident.get(URL).status_code == 404


def test_a_payment_stays_in_the_books_after_its_case_is_deleted() -> None:
    resident = client_for("resident")
    case = submit(resident, PARKING)
    payment = case.payments.get(status="paid")
    reference = case.reference
    delete_case(case)
    payment.refresh_from_db()
    assert payment.case is None

    rows = export(client_for("agent-parking"), "parking-brussels")

    row = next(row for row in rows[1:] if row[5] == payment.reference.strip("+"))
    assert row[2] == reference and row[8] == "Paid"


def test_a_period_outside_the_payments_is_empty() -> None:
    submit(client_for("resident"), PARKING)
    agent = client_for("agent-parking")
    today = timezone.localdate()
    response = agent.get(
        URL,
        {
            "administration": "parking-brussels",
            "start": (today - timedelta(days=40)).isoformat(),
            "end": (today - timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode())))) == 1  # the header


def test_bad_dates_are_refused_with_what_was_typed() -> None:
    agent = client_for("agent-parking")
    assert agent.get(URL).status_code == 200  # the form
    wrong = agent.get(URL, {"administration": "parking-brussels", "start": "31/02/20x6",
                            "end": ""})  # fmt: skip
    page = wrong.content.decode()
    assert wrong.status_code == 422
    assert "Enter a real date" in page and "Enter the last day of the period." in page
    assert 'value="31/02/20x6"' in page
    today = timezone.localdate()
    backwards = agent.get(
        URL,
        {
            "administration": "parking-brussels",
            "start": today.isoformat(),
            "end": (today - timedelta(days=3)).isoformat(),
        },
    )
    assert backwards.status_code == 422
    assert "The end date must be after the start date." in backwards.content.decode()
    assert Payment.objects.count() == 0
