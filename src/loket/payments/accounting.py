"""The accountant's export: an administration's money over a period, as CSV.

By default it holds what an accountant books: one row per payment settled in the period (on the
day it was paid) and one row per refund (on the day it was made, as a negative amount), with how
each was settled (the provider's id, or the bank statement line that brought a transfer).
Attempts that brought no money (open, failed, abandoned, expired) are a separate, opt-in file.

Two spellings of the same rows (``FORMATS``): ``excel`` (the default) is what a spreadsheet
opens in a Belgian locale without an import wizard: ``;`` between cells, a decimal comma, a
UTF-8 byte order mark so that accents survive, CRLF line ends; ``csv-rfc4180`` is for programs:
``,`` between cells, a decimal point, no byte order mark, and the procedure's id beside its name.

Read from the payment records themselves (``Payment.administration``, ``case_reference``,
``procedure_code``), so a payment whose case was deleted under its retention rule is still in
the books. Written through ``core.csv_export``: no cell can start a spreadsheet formula.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.cases.selectors import agent_administration_ids
from loket.catalog.models import Procedure
from loket.core import csv_export
from loket.core.models import User
from loket.payments.fees import charged_administrations
from loket.payments.models import Payment, Refund, StatementLine

EXCEL = "excel"
RFC4180 = "csv-rfc4180"
FORMATS = (EXCEL, RFC4180)
MONEY = "money"
ATTEMPTS = "attempts"


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both days included, in local time."""

    start: date
    end: date

    def bounds(self) -> tuple[datetime, datetime]:
        zone = timezone.get_current_timezone()
        first = datetime.combine(self.start, time.min, tzinfo=zone)
        after = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return first, after

    @classmethod
    def month_before(cls, today: date) -> Period:
        """The last full calendar month before ``today``'s: what an accountant closes."""
        last = today.replace(day=1) - timedelta(days=1)
        return cls(last.replace(day=1), last)


def check_export_administration(agent: User, administration_id: str) -> str:
    """``administration_id`` if ``agent`` handles cases there; else 404, as for any
    back-office read of another administration."""
    if administration_id not in agent_administration_ids(agent):
        raise Http404
    return administration_id


def administrations_with_money(agent: User) -> list[str]:
    """The agent's administrations that charge a fee (fees.yaml) or hold payment records: those
    for which the back-office offers the accountant's export."""
    own = agent_administration_ids(agent)
    named = charged_administrations()
    holding = set(
        Payment.objects.filter(administration_id__in=own)
        .values_list("administration_id", flat=True)
        .distinct()
    )
    return sorted(a for a in own if a in named or a in holding)


def payments_for_accountant(administration_id: str, period: Period) -> QuerySet[Payment]:
    """The administration's payments through a payment service paid in the period (a
    transfer's money is counted from its statement lines)."""
    first, after = period.bounds()
    return (
        Payment.objects.filter(
            administration_id=administration_id,
            status=Payment.Status.PAID,
            finished_at__gte=first,
            finished_at__lt=after,
        )
        .exclude(provider="transfer")
        .select_related("case__fee")
        .order_by("finished_at", "id")
    )


def transfer_lines_for_accountant(
    administration_id: str, period: Period
) -> QuerySet[StatementLine]:
    """Each amount that reached the account on one of the administration's transfers in the
    period (booked then, or imported then when the bank gave no date), whatever became of it."""
    first, after = period.bounds()
    return (
        StatementLine.objects.filter(
            payment__administration_id=administration_id, amount_cents__gt=0
        )
        .filter(
            Q(booked_on__gte=period.start, booked_on__lte=period.end)
            | Q(booked_on=None, imported_at__gte=first, imported_at__lt=after)
        )
        .select_related("payment")
        .order_by("booked_on", "imported_at", "id")
    )


def _line_moment(line: StatementLine) -> datetime:
    if line.booked_on is None:
        return line.imported_at
    return datetime.combine(line.booked_on, time.min, tzinfo=timezone.get_current_timezone())


def attempts_for_accountant(administration_id: str, period: Period) -> QuerySet[Payment]:
    """The administration's attempts started in the period that brought no money."""
    first, after = period.bounds()
    return (
        Payment.objects.filter(administration_id=administration_id)
        .exclude(status=Payment.Status.PAID)
        .filter(created_at__gte=first, created_at__lt=after)
        .order_by("created_at", "id")
    )


def refunds_for_accountant(administration_id: str, period: Period) -> QuerySet[Refund]:
    first, after = period.bounds()
    return (
        Refund.objects.filter(payment__administration_id=administration_id)
        .filter(created_at__gte=first, created_at__lt=after)
        .select_related("payment")
        .order_by("created_at", "id")
    )


def rows_for_accountant(administration_id: str, period: Period, contents: str = MONEY) -> int:
    """How many rows :func:`accountant_csv` has for the period, its header aside: told before
    the download, so that an empty period is not found out from a file with a header only."""
    if contents == ATTEMPTS:
        return attempts_for_accountant(administration_id, period).count()
    return (
        payments_for_accountant(administration_id, period).count()
        + transfer_lines_for_accountant(administration_id, period).count()
        + refunds_for_accountant(administration_id, period).count()
    )


def _communication(payment: Payment) -> str:
    """``934/1174/12719``: the structured communication without the ``+++`` that a spreadsheet
    would read as a formula (and the export would have to quote)."""
    return payment.reference.strip("+")


class _Sheet:
    """The rows of one export, spelled for a spreadsheet or for a program."""

    def __init__(self, spelling: str) -> None:
        self.spelling = spelling
        self.out = io.StringIO()
        if spelling == EXCEL:
            self.out.write("\ufeff")
            self.writer = csv_export.Writer(self.out, delimiter=";", lineterminator="\r\n")
        else:
            self.writer = csv_export.Writer(self.out, lineterminator="\r\n")
        self._names = {
            procedure.pk: procedure.name for procedure in Procedure.objects.only("id", "names")
        }

    def euro(self, cents: int) -> str:
        """``-12,50`` for a spreadsheet in a Belgian locale, ``-12.50`` for a program."""
        text = f"{cents / 100:.2f}"
        return text.replace(".", ",") if self.spelling == EXCEL else text

    def procedure(self, payment: Payment) -> list[str]:
        name = self._names.get(payment.procedure_code, payment.procedure_code)
        return [name, payment.procedure_code] if self.spelling == RFC4180 else [name]

    def header(self, cells: Iterable[str]) -> None:
        cells = list(cells)
        if self.spelling == RFC4180:
            cells.insert(cells.index(_("Procedure")) + 1, _("Procedure id"))
        self.writer.writerow(cells)

    def text(self) -> str:
        return self.out.getvalue()


def accountant_csv(
    administration_id: str, period: Period, spelling: str = EXCEL, contents: str = MONEY
) -> str:
    """The money of the period, each amount on its own dated row, oldest first: a payment
    through a payment service, each amount a bank statement brought on a transfer (a transfer
    made twice is two rows), each refund (negative); a row whose money is to give back says so.
    With ``contents=ATTEMPTS``, the attempts that brought none."""
    sheet = _Sheet(spelling)
    if contents == ATTEMPTS:
        _attempts(sheet, administration_id, period)
        return sheet.text()
    sheet.header(
        [_("Kind of entry"), _("Date"), _("Case reference"), _("Procedure"), _("Way of paying"),
         _("Structured communication"), _("Amount (EUR)"), _("Settlement or statement line"),
         _("Reason for the refund"), _("To check")]
    )  # fmt: skip
    rows: list[tuple[datetime, list[object]]] = []
    for payment in payments_for_accountant(administration_id, period):
        assert payment.finished_at is not None  # a paid payment has finished
        rows.append((payment.finished_at, [
            _("Payment received"), timezone.localdate(payment.finished_at).isoformat(),
            payment.case_reference, *sheet.procedure(payment), payment.provider_label,
            _communication(payment), sheet.euro(payment.amount_cents),
            f"{payment.provider}:{payment.provider_id}" if payment.provider_id else "", "",
            _payment_flag(payment),
        ]))  # fmt: skip
    for line in transfer_lines_for_accountant(administration_id, period):
        paid = line.payment
        assert paid is not None  # the query follows it
        payment = paid
        rows.append((_line_moment(line), [
            _("Payment received"), timezone.localdate(_line_moment(line)).isoformat(),
            payment.case_reference, *sheet.procedure(payment), payment.provider_label,
            _communication(payment), sheet.euro(line.amount_cents),
            f"{line.statement}/{line.entry} ({line.booked_on or '?'})", "",
            str(LINE_FLAGS.get(StatementLine.Outcome(line.outcome), "")),
        ]))  # fmt: skip
    for refund in refunds_for_accountant(administration_id, period):
        payment = refund.payment
        settled = refund.provider_refund_id or (
            _("Paid back by transfer on %(on)s") % {"on": refund.paid_back_on.isoformat()}
            if refund.paid_back_on
            else _("To be paid back by transfer")
        )
        rows.append((refund.created_at, [
            _("Refund made"), timezone.localdate(refund.created_at).isoformat(),
            payment.case_reference, *sheet.procedure(payment), payment.provider_label,
            _communication(payment), sheet.euro(-refund.amount_cents), settled, refund.reason, "",
        ]))  # fmt: skip
    sheet.writer.writerows(row for _on, row in sorted(rows, key=lambda pair: pair[0]))
    return sheet.text()


RECEIVED_TWICE = gettext_lazy("Received twice — to give back")
AFTER_CLOSING = gettext_lazy(
    "Received after the application was withdrawn or lapsed — to give back"
)
# What a statement line's outcome asks of the accountant.
LINE_FLAGS = {
    StatementLine.Outcome.ALREADY_PAID: RECEIVED_TWICE,
    StatementLine.Outcome.OVERPAID: gettext_lazy("Paid too much — the excess is to give back"),
    StatementLine.Outcome.CASE_CLOSED: AFTER_CLOSING,
    StatementLine.Outcome.UNDERPAID: gettext_lazy("Paid too little — the fee is not settled yet"),
}


def _payment_flag(payment: Payment) -> str:
    """A payment through a payment service that did not settle its case's fee: received twice
    (another payment settled it), or after the application was closed."""
    case = payment.case
    fee = getattr(case, "fee", None) if case is not None else None
    if fee is None or fee.paid_by_id == payment.pk:
        return ""
    return str(RECEIVED_TWICE if fee.paid_by_id is not None else AFTER_CLOSING)


def _attempts(sheet: _Sheet, administration_id: str, period: Period) -> None:
    sheet.header(
        [_("Started on"), _("Case reference"), _("Procedure"), _("Way of paying"),
         _("Structured communication"), _("Amount asked (EUR)"), _("Status")]
    )  # fmt: skip
    sheet.writer.writerows(
        [
            timezone.localdate(payment.created_at).isoformat(),
            payment.case_reference,
            *sheet.procedure(payment),
            payment.provider_label,
            _communication(payment),
            sheet.euro(payment.amount_cents),
            payment.get_status_display(),
        ]
        for payment in attempts_for_accountant(administration_id, period)
    )
