"""Bank transfers: a structured communication per payment, an EPC QR code, and statements in
camt.053 and CODA reconciled line by line, with nothing lost."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import formats, timezone, translation
from stdnum import iban
from stdnum.be import ogm_vcs

from loket.cases.models import Case
from loket.payments import epc
from loket.payments.expiry import do_remind_and_lapse
from loket.payments.models import CaseFee, Payment, StatementLine
from loket.payments.reconcile import do_import_statement
from loket.payments.statements import StatementError, read_statement
from tests.conftest import client_for
from tests.payments_helpers import pay_with_demo, start_payment
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

# The refunds page's column of what is owed back to the applicant, with an amount in it.
OWED = '<td data-label="Owed back to the applicant"><strong>{amount}</strong>'


def transfer_for(client: Client, plate: str = "2-XYZ-789") -> Payment:
    """An application whose payment on the demo page was abandoned, retried by transfer."""
    case = apply_for_parking_card(client, plate=plate, pay=False)
    pay_with_demo(client, case, outcome="canceled")
    return start_payment(client, case, provider="transfer")


def camt053(entries: list[tuple[str, str, str]], statement: str = "STMT-1") -> bytes:
    """A camt.053.001.02 statement of credit entries (reference, amount, communication)."""
    booked = timezone.localdate().isoformat()
    ntries = "".join(
        f"""<Ntry>{"<NtryRef>" + ref + "</NtryRef>" if ref else ""}
        <Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
        <BookgDt><Dt>{booked}</Dt></BookgDt><NtryDtls><TxDtls>
        <RltdPties><Dbtr><Nm>An Peeters</Nm></Dbtr><DbtrAcct><Id><IBAN>BE68539007547034</IBAN>
        </Id></DbtrAcct></RltdPties>
        <RmtInf>{
            "<Strd><CdtrRefInf><Ref>" + comm + "</Ref></CdtrRefInf></Strd>"
            if comm.startswith("+")
            else "<Ustrd>" + comm + "</Ustrd>"
        }</RmtInf>
        </TxDtls></NtryDtls></Ntry>"""
        for ref, amount, comm in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId></GrpHdr><Stmt><Id>{statement}</Id>{ntries}</Stmt>
</BkToCstmrStmt></Document>""".encode()


def coda(entries: list[tuple[int, str]], on: date | None = None) -> bytes:
    """A CODA file with credit movements (cents, structured communication digits or text),
    its statement numbered 001 like every first statement of a year."""
    day = (on or timezone.localdate()).strftime("%d%m%y")
    records = [("00000" + day + "725" + "05").ljust(127) + "2"]
    records.append(("12001" + "BE71096123456769".ljust(34) + "EUR").ljust(125) + "001")
    for number, (cents, communication) in enumerate(entries, 1):
        structured = communication.isdigit()
        text = ("101" + communication) if structured else communication
        record = (
            f"21{number:04d}0000" + "BANKREF".ljust(21) + "0" + f"{cents * 10:015d}" + day
            + "00150000" + ("1" if structured else "0") + text.ljust(53) + day + "001"
        )  # fmt: skip
        records.append(record.ljust(128))
        records.append(("23" + f"{number:04d}0000" + "BE68539007547034".ljust(37)
                        + "AN PEETERS".ljust(35)).ljust(128))  # fmt: skip
    records.append("8001".ljust(128))
    records.append("9".ljust(128))
    return ("\n".join(records) + "\n").encode("latin-1")


def test_transfer_page_shows_account_communication_and_a_valid_epc_payload() -> None:
    client = client_for("resident")
    payment = transfer_for(client)
    assert ogm_vcs.is_valid(payment.reference)
    page = client.get(f"/en/payments/{payment.idempotency_key}/transfer/").content.decode()
    assert payment.reference in page and "<svg" in page
    lines = epc.payload(payment).split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert iban.is_valid(lines[6])
    assert ogm_vcs.is_valid(lines[9])
    assert lines[7] == f"EUR{payment.amount_cents / 100:.2f}"


def test_camt053_with_matched_unmatched_overpaid_and_underpaid_lines() -> None:
    # Three cards, one per plate (one running card or application per plate).
    owners = (("resident", "2-XYZ-789"), ("resident", "1-ABC-123"), ("resident2", "1-JPN-451"))
    matched, overpaid, underpaid = (transfer_for(client_for(u), plate) for u, plate in owners)
    amounts = {p.pk: p.amount_cents for p in (matched, overpaid, underpaid)}
    statement = camt053([
        ("E1", f"{amounts[matched.pk] / 100:.2f}", matched.reference),
        ("E2", f"{amounts[overpaid.pk] / 100 + 5:.2f}", overpaid.reference),
        ("E3", f"{amounts[underpaid.pk] / 100 - 1:.2f}", underpaid.reference),
        ("E4", "12.34", "+++090/9337/55493+++"),
        ("E5", "7.00", "membership fee"),
    ])  # fmt: skip
    report = do_import_statement(statement)
    outcomes = {line.entry: line.outcome for line in report.lines}
    assert outcomes == {"E1": "matched", "E2": "overpaid", "E3": "underpaid",
                        "E4": "unmatched", "E5": "unmatched"}  # fmt: skip
    for payment, status in ((matched, "paid"), (overpaid, "paid"), (underpaid, "open")):
        payment.refresh_from_db()
        assert payment.status == status
    assert Case.objects.get(payments=matched).status == Case.Status.SUBMITTED
    assert Case.objects.get(payments=underpaid).status == Case.Status.AWAITING_PAYMENT
    assert StatementLine.objects.count() == 5  # every line kept
    again = do_import_statement(statement)  # the same file twice: nothing counted twice
    assert (len(again.lines), again.already_imported) == (0, 5)
    assert StatementLine.objects.count() == 5
    rest = camt053([("E9", "1.00", underpaid.reference)], statement="STMT-2")
    assert do_import_statement(rest).lines[0].outcome == "matched"
    underpaid.refresh_from_db()
    assert underpaid.status == "paid"


def test_coda_file_matches_structured_communications(tmp_path: Path) -> None:
    client = client_for("resident")
    payment = transfer_for(client)
    digits = ogm_vcs.compact(payment.reference)
    path = tmp_path / "statement.cod"
    path.write_bytes(coda([(payment.amount_cents, digits), (2500, "GIFT")]))
    lines = read_statement(path.read_bytes())
    assert [line.amount_cents for line in lines] == [payment.amount_cents, 2500]
    assert lines[0].counterparty == "AN PEETERS"
    out = StringIO()
    call_command("payments", "import-statement", str(path), stdout=out)
    assert "matched 1" in out.getvalue() and "unmatched 1" in out.getvalue()
    assert "GIFT" in out.getvalue()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID


def test_statement_001_of_next_year_is_imported_not_skipped() -> None:
    first = transfer_for(client_for("resident"))
    second = transfer_for(client_for("resident2"), plate="1-JPN-451")
    last_year = timezone.localdate() - timedelta(days=365)
    old = do_import_statement(coda([(first.amount_cents, ogm_vcs.compact(first.reference))],
                                   on=last_year))  # fmt: skip
    assert [line.outcome for line in old.lines] == ["matched"]
    new = do_import_statement(coda([(second.amount_cents, ogm_vcs.compact(second.reference))]))
    assert [line.outcome for line in new.lines] == ["matched"]
    assert new.already_imported == 0 and not new.conflicts
    second.refresh_from_db()
    assert second.status == Payment.Status.PAID
    assert StatementLine.objects.count() == 2


def test_a_line_imported_before_with_another_amount_is_a_conflict() -> None:
    payment = transfer_for(client_for("resident"))
    digits = ogm_vcs.compact(payment.reference)
    do_import_statement(coda([(payment.amount_cents, digits)]))
    again = do_import_statement(coda([(payment.amount_cents + 500, digits)]))
    assert (len(again.lines), again.already_imported, len(again.conflicts)) == (0, 0, 1)
    bank_line, former = again.conflicts[0]
    assert (bank_line.amount_cents, former.amount_cents) == (
        payment.amount_cents + 500, payment.amount_cents,
    )  # fmt: skip
    same = do_import_statement(coda([(payment.amount_cents, digits)]))
    assert (same.already_imported, same.conflicts) == (1, [])


def test_camt_entries_without_a_bank_reference_are_keyed_by_date_and_amount() -> None:
    payment = transfer_for(client_for("resident"))
    line = f"{payment.amount_cents / 100:.2f}"
    first = camt053([("", "5.00", "gift")], statement="STMT-1")
    second = camt053([("", line, payment.reference)], statement="STMT-1")
    assert do_import_statement(first).lines[0].outcome == "unmatched"
    assert do_import_statement(second).lines[0].outcome == "matched"


def test_a_file_that_is_no_statement_is_refused_clearly() -> None:
    with pytest.raises(StatementError):
        read_statement(b"hello")
    with pytest.raises(StatementError):
        read_statement(b"<html><body>not a statement</body></html>")


def test_a_transfer_after_withdrawal_is_to_refund_reported_and_listed() -> None:
    client = client_for("resident")
    payment = transfer_for(client)
    case = Case.objects.get(payments=payment)
    warning = client.get(f"/en/my-cases/{case.reference}/withdraw/").content.decode()
    assert "If you have already made it, the money will be refunded" in warning
    client.post(f"/en/my-cases/{case.reference}/withdraw/")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED  # a transfer is expected no more
    path_bytes = coda([(payment.amount_cents, ogm_vcs.compact(payment.reference))])
    report = do_import_statement(path_bytes)
    assert [line.outcome for line in report.lines] == ["case_closed"]
    assert report.to_check == report.lines
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID  # the money is real: recorded, to refund
    assert any("withdrawn or lapsed" in e.note for e in case.events.all())
    page = client_for("agent-parking").get(f"/en/payments/back-office/{case.reference}/refunds/")
    shown = page.content.decode()
    assert OWED.format(amount=payment.display) in shown
    assert "Received after the application was withdrawn or lapsed" in shown
    assert f'<option value="{payment.reference}"' in shown


def test_the_import_command_names_the_case_and_administration_to_refund(tmp_path: Path) -> None:
    client = client_for("resident")
    payment = transfer_for(client)
    case = Case.objects.get(payments=payment)
    client.post(f"/en/my-cases/{case.reference}/withdraw/")
    path = tmp_path / "statement.cod"
    path.write_bytes(coda([(payment.amount_cents, ogm_vcs.compact(payment.reference))]))
    out = StringIO()
    call_command("payments", "import-statement", str(path), stdout=out)
    assert "case_closed 1" in out.getvalue()
    assert f"case {case.reference} ({case.administration_id})" in out.getvalue()


def test_the_same_transfer_twice_is_noted_shown_and_listed_to_the_applicant() -> None:
    client = client_for("resident")
    payment = transfer_for(client)
    case = Case.objects.get(payments=payment)
    line = f"{payment.amount_cents / 100:.2f}"
    do_import_statement(camt053([("A", line, payment.reference)], statement="S-A"))
    second = do_import_statement(camt053([("B", line, payment.reference)], statement="S-B"))
    assert second.lines[0].outcome == "already_paid"
    assert sum(e.note.startswith("Paid:") for e in case.events.all()) == 1  # applied once
    assert sum(e.note.startswith("A second payment of") for e in case.events.all()) == 1
    page = client_for("agent-parking").get(f"/en/payments/back-office/{case.reference}/refunds/")
    shown = page.content.decode()
    owed = OWED.format(amount=payment.display)
    assert owed in shown and "Received twice or too much" in shown
    mine = client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert mine.count(f"Received {payment.display} on") == 2


def test_a_transfer_after_a_card_payment_shows_received_twice() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client, pay=False)
    transfer = start_payment(client, case, provider="transfer")
    card = pay_with_demo(client, case)
    assert card.status == Payment.Status.PAID
    line = f"{transfer.amount_cents / 100:.2f}"
    report = do_import_statement(camt053([("T", line, transfer.reference)], statement="S-T"))
    assert report.lines[0].outcome == "already_paid"
    assert sum(e.note.startswith("Paid:") for e in case.events.all()) == 1  # applied once
    assert sum(e.note.startswith("A second payment of") for e in case.events.all()) == 1
    page = client_for("agent-parking").get(f"/en/payments/back-office/{case.reference}/refunds/")
    shown = page.content.decode()
    assert f"Received twice: the fee was already paid by {card.shown_reference}." in shown


def test_a_refund_by_transfer_will_be_paid_back_until_accounting_marks_it_done() -> None:
    client = client_for("resident")
    payment = transfer_for(client)
    case = Case.objects.get(payments=payment)
    do_import_statement(coda([(payment.amount_cents, ogm_vcs.compact(payment.reference))]))
    agent = client_for("agent-parking")
    url = f"/en/payments/back-office/{case.reference}/refunds/"
    form = agent.get(url).content.decode()
    language = {"en": "English", "fr": "French", "nl": "Dutch"}[case.language]
    assert f"Write it in {language}, the language of the application." in form
    typed = {"payment": payment.reference, "amount": "2,50", "reason": "Half year"}
    assert agent.post(url, {**typed, "action": "confirm"}).status_code == 302
    refund = payment.refunds.get()
    assert refund.pending
    notes = [event.note for event in case.events.all()]
    assert any(note.startswith("Will be paid back by transfer: €2.50") for note in notes)
    assert not any(note.startswith("Refunded:") for note in notes)
    mine = client.get("/en/my-cases/").content.decode()
    assert "€2.50 will be paid back by transfer" in mine and "refunded on" not in mine
    page = client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "Will be paid back by bank transfer to the account that paid" in page
    assert agent.post(url, {"action": "paid_back", "refund": "x"}).status_code == 404
    assert agent.post(url, {"action": "paid_back", "refund": str(refund.pk)}).status_code == 302
    refund.refresh_from_db()
    assert refund.paid_back_on == timezone.localdate() and not refund.pending
    with translation.override("en"):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert f"€2.50 refunded on {today}" in client.get("/en/my-cases/").content.decode()


def test_a_line_imported_under_its_former_key_is_not_imported_again() -> None:
    payment = transfer_for(client_for("resident"))
    data = coda([(payment.amount_cents, ogm_vcs.compact(payment.reference))])
    bank_line = read_statement(data)[0]
    assert bank_line.legacy_statement == "coda-BE71096123456769-001-001"
    StatementLine.objects.create(  # as imported before statement keys carried a date
        statement=bank_line.legacy_statement, entry=bank_line.legacy_entry, file_format="coda",
        booked_on=bank_line.booked_on, amount_cents=bank_line.amount_cents, currency="EUR",
        payment=payment, outcome="matched",
    )  # fmt: skip
    report = do_import_statement(data)
    assert (report.lines, report.already_imported) == ([], 1)
    other_year = coda([(payment.amount_cents, ogm_vcs.compact(payment.reference))],
                      on=timezone.localdate() - timedelta(days=365))  # fmt: skip
    assert len(do_import_statement(other_year).lines) == 1  # another year's 001: imported


def test_a_lapsed_application_expects_no_transfer_and_a_late_one_is_to_refund() -> None:
    payment = transfer_for(client_for("resident"))
    case = Case.objects.get(payments=payment)
    CaseFee.objects.filter(case=case).update(created_at=timezone.now() - timedelta(days=31))
    assert do_remind_and_lapse() == (0, 1)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CANCELLED
    report = do_import_statement(coda([(payment.amount_cents, ogm_vcs.compact(payment.reference))]))
    assert [line.outcome for line in report.lines] == ["case_closed"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID
