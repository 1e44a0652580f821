"""The accountant's CSV of an administration's payments, refunds and settlements over a period:
its own administration's money only, still there when the case is gone, no formula in a cell,
and a period that is not one refused with what was typed."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from loket.cases.models import Case
from loket.catalog.models import Procedure
from loket.payments.accounting import Period
from loket.payments.models import Payment
from loket.payments.reconcile import do_import_statement
from loket.privacy.retention import delete_case
from tests.conftest import client_for
from tests.payments_helpers import pay_with_demo, start_payment
from tests.test_all_procedures import submit
from tests.test_cases import apply_for_parking_card
from tests.test_payments_statements import camt053, transfer_for

pytestmark = pytest.mark.django_db

PARKING = "residents-parking-card"
URL = "/en/payments/back-office/accountant-export/"
BOM = "\ufeff".encode()


def export(
    client: Client, administration: str, days_back: int = 1, **options: str
) -> list[list[str]]:
    """The rows of the export as a program reads them (``format=csv-rfc4180``)."""
    today = timezone.localdate()
    response = client.get(
        URL,
        {
            "administration": administration,
            "start": (today - timedelta(days=days_back)).isoformat(),
            "end": (today + timedelta(days=1)).isoformat(),
            "format": "csv-rfc4180",
            **options,
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert response["Content-Type"].startswith("text/csv")
    assert not response.content.startswith(BOM)
    return list(csv.reader(io.StringIO(response.content.decode())))


def refund(agent: Client, case: Case, payment: Payment, amount: str, reason: str) -> None:
    page = f"/en/payments/back-office/{case.reference}/refunds/"
    typed = {"payment": payment.reference, "amount": amount, "reason": reason}
    assert agent.post(page, {**typed, "action": "confirm"}).status_code == 302


def test_export_lists_money_of_the_administration_only_each_refund_on_its_own_row() -> None:
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
    refund(agent, card, online, "2,50", "Half year")

    rows = export(agent, "parking-brussels")

    header, body = rows[0], rows[1:]
    assert header[:5] == ["Kind of entry", "Date", "Case reference", "Procedure", "Procedure id"]
    assert header[-1] == "To check"
    by_reference = {(row[0], row[6]): row for row in body}
    paid_online = by_reference[("Payment received", online.reference.strip("+"))]
    name = Procedure.objects.get(pk=PARKING).names["en"]
    assert paid_online[2:5] == [card.reference, name, PARKING]
    assert paid_online[7] == f"{online.amount_cents / 100:.2f}"
    assert paid_online[8] == f"demo:{online.provider_id}"
    paid_by_transfer = by_reference[("Payment received", transfer.reference.strip("+"))]
    assert paid_by_transfer[5] == "Bank transfer"
    assert paid_by_transfer[8].startswith("'=HYPERLINK(1)/E1")  # neutralised
    refunded = by_reference[("Refund made", online.reference.strip("+"))]
    assert refunded[1] == timezone.localdate().isoformat()
    assert (refunded[7], refunded[9]) == ("-2.50", "Half year")
    # Only money: the abandoned attempt before the transfer is not among the rows...
    abandoned = Payment.objects.get(case=transfer.case, status="cancelled")
    assert all(row[6] != abandoned.reference.strip("+") for row in body)
    # ...but in the attempts' own file, when asked for.
    attempts = export(agent, "parking-brussels", contents="attempts")
    assert attempts[0][0] == "Started on"
    assert [(row[5], row[-1]) for row in attempts[1:]] == [
        (abandoned.reference.strip("+"), "Abandoned")
    ]

    # Another administration's civil servant sees none of it, and cannot ask for it.
    ixelles = client_for("agent-ixelles")
    month_ago = timezone.localdate() - timedelta(days=30)
    period = {"start": month_ago.isoformat(), "end": timezone.localdate().isoformat()}
    assert ixelles.get(URL, {"administration": "parking-brussels", **period}).status_code == 422
    # A resident is not a civil servant.
    assert resident.get(URL).status_code == 404


def test_by_default_the_export_opens_in_a_belgian_spreadsheet() -> None:
    """``;`` between cells, a decimal comma, a byte order mark for the accents, and the
    procedure by its name."""
    card = submit(client_for("resident"), PARKING)
    online = card.payments.get(status="paid")
    agent = client_for("agent-parking")
    refund(agent, card, online, "2,50", "Trop payé, désolé")
    today = timezone.localdate()
    response = agent.get(
        "/fr/payments/back-office/accountant-export/",
        {"administration": "parking-brussels", "start": today.isoformat(),
         "end": today.isoformat()},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.content.startswith(BOM)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == 10  # no procedure id: a person reads the name
    payment, refunded = rows[1], rows[2]
    assert payment[3] == Procedure.objects.get(pk=PARKING).names["fr"]
    assert payment[6] == f"{online.amount_cents // 100},{online.amount_cents % 100:02d}"
    assert (refunded[6], refunded[8]) == ("-2,50", "Trop payé, désolé")


def test_the_form_proposes_the_last_full_month() -> None:
    today = timezone.localdate()
    last = today.replace(day=1) - timedelta(days=1)
    page = client_for("agent-parking").get(URL).content.decode()
    assert f'value="{last.replace(day=1).isoformat()}"' in page
    assert f'value="{last.isoformat()}"' in page


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2027, 3, 15), date(2027, 2, 1), date(2027, 2, 28)),
        (date(2028, 3, 1), date(2028, 2, 1), date(2028, 2, 29)),
        (date(2027, 1, 31), date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_the_last_full_month(today: date, start: date, end: date) -> None:
    assert Period.month_before(today) == Period(start, end)


def test_the_back_office_links_to_the_export_for_administrations_with_fees_only() -> None:
    assert URL in client_for("agent-parking").get("/en/back-office/").content.decode()
    assert URL not in client_for("agent-mobility").get("/en/back-office/").content.decode()


def test_a_payment_stays_in_the_books_after_its_case_is_deleted() -> None:
    resident = client_for("resident")
    case = submit(resident, PARKING)
    payment = case.payments.get(status="paid")
    reference = case.reference
    delete_case(case)
    payment.refresh_from_db()
    assert payment.case is None

    rows = export(client_for("agent-parking"), "parking-brussels")

    row = next(row for row in rows[1:] if row[6] == payment.reference.strip("+"))
    assert row[0] == "Payment received" and row[2] == reference


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


def test_money_received_twice_is_one_row_per_amount_the_second_flagged() -> None:
    resident = client_for("resident")
    transfer = transfer_for(resident)
    amount = f"{transfer.amount_cents / 100:.2f}"
    do_import_statement(camt053([("A", amount, transfer.reference)], statement="S-A"))
    do_import_statement(camt053([("B", amount, transfer.reference)], statement="S-B"))
    # A card paid after a transfer the bank then brings: the transfer's money is the second.
    card_case = apply_for_parking_card(resident, plate="1-ABC-123", pay=False)
    late = start_payment(resident, card_case, provider="transfer")
    card = pay_with_demo(resident, card_case)
    late_amount = f"{late.amount_cents / 100:.2f}"
    do_import_statement(camt053([("C", late_amount, late.reference)], statement="S-C"))

    rows = export(client_for("agent-parking"), "parking-brussels")

    twice = [row for row in rows[1:] if row[6] == transfer.reference.strip("+")]
    assert [(row[0], row[7], row[-1]) for row in twice] == [
        ("Payment received", amount, ""),
        ("Payment received", amount, "Received twice — to give back"),
    ]
    assert twice[0][8].startswith("S-A/A") and twice[1][8].startswith("S-B/B")
    by_card = next(row for row in rows[1:] if row[6] == card.reference.strip("+"))
    assert by_card[-1] == ""  # the card settled the fee
    after = next(row for row in rows[1:] if row[6] == late.reference.strip("+"))
    assert (after[7], after[-1]) == (late_amount, "Received twice — to give back")


def test_the_form_says_before_download_that_the_proposed_month_is_empty_and_counts_another() -> (
    None
):
    client = client_for("resident")
    pay_with_demo(client, apply_for_parking_card(client, pay=False))  # paid today
    agent = client_for("agent-parking")
    page = agent.get(URL).content.decode()
    assert 'id="export-count"' in page and "Nothing from" in page
    assert "header row only" in page
    today = timezone.localdate()
    counted = agent.get(URL, {
        "administration": "parking-brussels", "start": today.replace(day=1).isoformat(),
        "end": today.isoformat(), "action": "count",
    })  # fmt: skip
    assert counted.status_code == 200 and counted["Content-Type"].startswith("text/html")
    assert ": 1 row." in counted.content.decode()
    rows = export(agent, "parking-brussels", days_back=today.day - 1)
    assert len(rows) == 1 + 1  # the header and the one payment counted
