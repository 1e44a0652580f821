"""Money reconciled: every line of an imported bank statement is stored, matched by its
structured communication to a transfer, and reported when it does not add up (no payment,
too little, too much, or a fee already paid). A line imported twice is stored once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from loket.cases.models import Case
from loket.cases.selectors import agent_administration_ids
from loket.core.models import User
from loket.payments.actions import (
    PaymentRefused,
    do_apply_status,
    do_note_paid_twice,
    do_take_up_told_transfer,
)
from loket.payments.epc import grouped_iban
from loket.payments.fees import format_amount
from loket.payments.merchants import compact_iban, importable_accounts, may_manage, paid_into
from loket.payments.models import CaseFee, MerchantAccount, Payment, StatementLine
from loket.payments.providers import RemoteStatus
from loket.payments.references import compact
from loket.payments.statements import BankLine, read_statement

Outcome = StatementLine.Outcome


# The order of a report: what settled fees, what is to give back, what matched nothing, and
# the money that left the account (outgoing, not for us) apart from all money received.
REPORT_ORDER = (
    Outcome.MATCHED, Outcome.OVERPAID, Outcome.UNDERPAID, Outcome.ALREADY_PAID,
    Outcome.CASE_CLOSED, Outcome.UNMATCHED, Outcome.OUTGOING,
)  # fmt: skip


@dataclass(frozen=True)
class OutcomeTotal:
    outcome: str
    lines: list[StatementLine]

    @property
    def label(self) -> str:
        return str(Outcome(self.outcome).label)

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def amount(self) -> str:
        return format_amount(sum(line.amount_cents for line in self.lines))

    @property
    def outgoing(self) -> bool:
        return self.outcome == Outcome.OUTGOING


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
    def totals(self) -> list[OutcomeTotal]:
        """Per outcome, in :data:`REPORT_ORDER` (money in first, money out last): how many
        lines, how much, and the lines themselves."""
        return [
            OutcomeTotal(outcome, [line for line in self.lines if line.outcome == outcome])
            for outcome in REPORT_ORDER
            if any(line.outcome == outcome for line in self.lines)
        ]

    @property
    def to_check(self) -> list[StatementLine]:
        """The lines an accountant must look at: everything not simply matched."""
        return [line for line in self.lines if line.outcome != Outcome.MATCHED]


def _payment_for(communication: str, account: str) -> Payment | None:
    """The transfer with this structured communication, among those paid into ``account`` (an
    administration's own account, or the platform's): another administration's payment is never
    matched. A statement that does not name its account matches any."""
    digits = compact(communication)
    if not digits:
        return None
    reference = f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
    payments = Payment.objects.filter(reference=reference, provider="transfer")
    if account:
        payments = payments.filter(paid_into(account))
    # Paid from the mail that told the communication, before a transfer was chosen.
    return payments.first() or do_take_up_told_transfer(reference, account)


def do_import_statement(data: bytes) -> ImportReport:
    """Read a camt.053 or CODA file and reconcile each of its lines, one transaction a line."""
    return do_import_lines(read_statement(data))


def check_may_import(agent: User, lines: list[BankLine]) -> None:
    """A civil servant imports the statements of their administration's own account; the
    region's staff (``merchants.may_manage``) those of any account Loket knows, the platform's
    included, and a statement that does not name its account. Else :class:`PaymentRefused`,
    before anything is imported."""
    region = may_manage(agent)
    accounts = importable_accounts(agent_administration_ids(agent))
    own = {account.iban for account in accounts}
    known = own | {compact_iban(settings.CONFIG.payment_account["iban"])}
    if region:
        known |= set(MerchantAccount.objects.exclude(iban="").values_list("iban", flat=True))
    for account in sorted({compact_iban(line.account) for line in lines}):
        if not account and not region:
            raise PaymentRefused(
                _("This statement does not name its account: only the region's staff can import "
                  "it.") + " " + _may_import(accounts)
            )  # fmt: skip
        if account and account not in (known if region else own):
            raise PaymentRefused(
                _("This statement is of the account %(account)s, which is not one of your "
                  "administration's: nothing was imported.") % {"account": grouped_iban(account)}
                + " " + _may_import(accounts)
            )  # fmt: skip


def _may_import(accounts: list[MerchantAccount]) -> str:
    """Which statements the civil servant may import, to say with a refusal."""
    if not accounts:
        return _(
            "Your administration has no bank account of its own in Loket: its transfers go "
            "to the platform's account, whose statements the region's staff import."
        )
    named = ", ".join(
        f"{grouped_iban(account.iban)} ({account.administration.name})" for account in accounts
    )
    return ngettext(
        "You may import the statements of this account: %(accounts)s.",
        "You may import the statements of these accounts: %(accounts)s.",
        len(accounts),
    ) % {"accounts": named}


def do_import_lines(bank_lines: list[BankLine]) -> ImportReport:
    """Reconcile each line read from a statement, one transaction a line."""
    report = ImportReport()
    for bank_line in bank_lines:
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
    payment = (
        _payment_for(bank_line.communication, bank_line.account)
        if bank_line.amount_cents > 0
        else None
    )
    if payment is not None:
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
    line = StatementLine.objects.create(
        statement=bank_line.statement, entry=bank_line.entry, file_format=bank_line.file_format,
        account=bank_line.account[:34],
        booked_on=bank_line.booked_on, amount_cents=bank_line.amount_cents,
        currency=bank_line.currency, communication=bank_line.communication[:140],
        counterparty=bank_line.counterparty[:140],
        counterparty_account=bank_line.counterparty_account[:40], payment=payment,
        outcome=Outcome.UNMATCHED,
    )  # fmt: skip
    if bank_line.amount_cents < 0:  # money that left the account: not for a payment of ours
        line.outcome = Outcome.OUTGOING
        line.save(update_fields=["outcome"])
        return line
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
