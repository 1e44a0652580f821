"""Money reconciled: every line of an imported bank statement is stored, matched by its
structured communication to a transfer, and reported when it does not add up (no payment,
too little, too much, or a fee already paid). A line imported twice is stored once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Sum

from loket.cases.models import Case
from loket.payments.actions import do_apply_status, do_note_paid_twice, do_take_up_told_transfer
from loket.payments.models import CaseFee, Payment, StatementLine
from loket.payments.providers import RemoteStatus
from loket.payments.references import compact
from loket.payments.statements import BankLine, read_statement

Outcome = StatementLine.Outcome


@dataclass
class ImportReport:
    lines: list[StatementLine] = field(default_factory=list)
    already_imported: int = 0
    # Lines whose key was imported already but whose amount or date differ: never skipped
    # silently, an accountant must look at them (the bank line, the line imported before).
    conflicts: list[tuple[BankLine, StatementLine]] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(line.outcome for line in self.lines)

    @property
    def to_check(self) -> list[StatementLine]:
        """The lines an accountant must look at: everything not simply matched."""
        return [line for line in self.lines if line.outcome != Outcome.MATCHED]


def _payment_for(communication: str) -> Payment | None:
    digits = compact(communication)
    if not digits:
        return None
    reference = f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
    payment = Payment.objects.filter(reference=reference, provider="transfer").first()
    return payment or do_take_up_told_transfer(reference)  # paid from the mail, not chosen


def do_import_statement(data: bytes) -> ImportReport:
    """Read a camt.053 or CODA file and reconcile each of its lines, one transaction a line."""
    report = ImportReport()
    for bank_line in read_statement(data):
        if _seen(bank_line, report):
            continue
        try:
            report.lines.append(_reconcile(bank_line))
        except IntegrityError:  # imported concurrently by another run
            _seen(bank_line, report)
    return report


def _same(bank_line: BankLine, line: StatementLine) -> bool:
    return (line.amount_cents, line.booked_on, line.currency) == (
        bank_line.amount_cents, bank_line.booked_on, bank_line.currency,
    )  # fmt: skip


def _seen(bank_line: BankLine, report: ImportReport) -> bool:
    """Whether the line was imported before, counted as such or as a conflict in ``report``.
    A line kept under its former key (before keys carried a date) counts only if its amount
    and date are the same: otherwise it is another year's line with the same numbers."""
    line = StatementLine.objects.filter(
        statement=bank_line.statement, entry=bank_line.entry
    ).first()
    if line is not None:
        if _same(bank_line, line):
            report.already_imported += 1
        else:
            report.conflicts.append((bank_line, line))
        return True
    if bank_line.legacy_entry:
        former = StatementLine.objects.filter(
            statement=bank_line.legacy_statement, entry=bank_line.legacy_entry
        ).first()
        if former is not None and _same(bank_line, former):
            report.already_imported += 1
            return True
    return False


@transaction.atomic
def _reconcile(bank_line: BankLine) -> StatementLine:
    payment = _payment_for(bank_line.communication) if bank_line.amount_cents > 0 else None
    if payment is not None:
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
    line = StatementLine.objects.create(
        statement=bank_line.statement, entry=bank_line.entry, file_format=bank_line.file_format,
        booked_on=bank_line.booked_on, amount_cents=bank_line.amount_cents,
        currency=bank_line.currency, communication=bank_line.communication[:140],
        counterparty=bank_line.counterparty[:140],
        counterparty_account=bank_line.counterparty_account[:40], payment=payment,
        outcome=Outcome.UNMATCHED,
    )  # fmt: skip
    if payment is None or bank_line.currency != payment.currency:
        return line
    received = payment.statement_lines.aggregate(total=Sum("amount_cents"))["total"] or 0
    was_paid = payment.status == Payment.Status.PAID
    payment.paid_cents = received
    payment.save(update_fields=["paid_cents"])
    paid_elsewhere = payment.case_id is not None and (
        CaseFee.objects.filter(case__payments=payment)
        .exclude(paid_by=None)
        .exclude(paid_by=payment)
        .exists()
    )
    closed = (
        payment.case is not None
        and payment.case.status == Case.Status.WITHDRAWN
        and not CaseFee.objects.filter(paid_by=payment).exists()
    )
    if closed:
        line.outcome = Outcome.CASE_CLOSED  # money to give back: nothing is due any more
    elif received < payment.amount_cents:
        line.outcome = Outcome.UNDERPAID
    elif was_paid or paid_elsewhere:
        line.outcome = Outcome.ALREADY_PAID  # money to give back: the fee was paid already
    else:
        line.outcome = Outcome.OVERPAID if received > payment.amount_cents else Outcome.MATCHED
    if was_paid and payment.case is not None:
        do_note_paid_twice(payment, bank_line.amount_cents)
    if received >= payment.amount_cents and not was_paid:
        do_apply_status(
            payment,
            RemoteStatus(
                provider_id=payment.provider_id, status=Payment.Status.PAID,
                amount_cents=payment.amount_cents, currency=payment.currency,
                reference=payment.reference,
            ),
        )  # fmt: skip
    line.save(update_fields=["outcome"])
    return line
