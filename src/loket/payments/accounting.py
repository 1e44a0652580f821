"""The accountant's export: an administration's payments, refunds and their settlement (the
provider's id, or the bank statement line that brought a transfer) over a period, as CSV.

Read from the payment records themselves (``Payment.administration``, ``case_reference``,
``procedure_code``), so a payment whose case was deleted under its retention rule is still in
the books. Written through ``core.csv_export``: no cell can start a spreadsheet formula.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases.selectors import agent_administration_ids
from loket.core import csv_export
from loket.core.models import User
from loket.payments.models import Payment, Refund, StatementLine


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


def check_export_administration(agent: User, administration_id: str) -> str:
    """``administration_id`` if ``agent`` handles cases there; else 404, as for any
    back-office read of another administration."""
    if administration_id not in agent_administration_ids(agent):
        raise Http404
    return administration_id


def payments_for_accountant(administration_id: str, period: Period) -> QuerySet[Payment]:
    """The administration's payments settled in the period (paid ones by the day they were
    paid) or started in it (the others), with refunds and statement lines."""
    first, after = period.bounds()
    return (
        Payment.objects.filter(administration_id=administration_id)
        .filter(
            Q(status=Payment.Status.PAID, finished_at__gte=first, finished_at__lt=after)
            | (~Q(status=Payment.Status.PAID) & Q(created_at__gte=first, created_at__lt=after))
        )
        .prefetch_related("refunds", Prefetch("statement_lines", StatementLine.objects.all()))
        .order_by("finished_at", "created_at", "id")
    )


def refunds_for_accountant(administration_id: str, period: Period) -> QuerySet[Refund]:
    first, after = period.bounds()
    return (
        Refund.objects.filter(payment__administration_id=administration_id)
        .filter(created_at__gte=first, created_at__lt=after)
        .select_related("payment")
        .order_by("created_at", "id")
    )


def _euro(cents: int) -> str:
    """An amount as an accountant's spreadsheet reads it in any language: 12.50."""
    return f"{cents / 100:.2f}"


def _communication(payment: Payment) -> str:
    """``934/1174/12719``: the structured communication without the ``+++`` that a spreadsheet
    would read as a formula (and the export would have to quote)."""
    return payment.reference.strip("+")


def _settlement(payment: Payment) -> str:
    lines = [
        f"{line.statement}/{line.entry} ({line.booked_on or '?'}, {line.get_outcome_display()})"
        for line in payment.statement_lines.all()
    ]
    if lines:
        return "; ".join(lines)
    return f"{payment.provider}:{payment.provider_id}" if payment.provider_id else ""


def accountant_csv(administration_id: str, period: Period) -> str:
    """One row per payment and one per refund in the period, oldest first."""
    out = io.StringIO()
    writer = csv_export.Writer(out)
    writer.writerow(
        [_("Entry"), _("Date"), _("Case reference"), _("Procedure"), _("Way of paying"),
         _("Structured communication"), _("Amount (EUR)"),
         _("Refunded amount (EUR)"), _("Status"), _("Settlement or statement line")]
    )  # fmt: skip
    rows: list[tuple[datetime, list[object]]] = []
    for payment in payments_for_accountant(administration_id, period):
        on = payment.finished_at if payment.status == Payment.Status.PAID else payment.created_at
        assert on is not None  # a paid payment has finished
        refunded = sum(refund.amount_cents for refund in payment.refunds.all())
        rows.append((on, [
            _("Payment"), timezone.localdate(on).isoformat(), payment.case_reference,
            payment.procedure_code, payment.provider_label, _communication(payment),
            _euro(payment.amount_cents), _euro(refunded),
            payment.get_status_display(), _settlement(payment),
        ]))  # fmt: skip
    for refund in refunds_for_accountant(administration_id, period):
        payment = refund.payment
        settled = refund.provider_refund_id or _("To be paid back by transfer")
        rows.append((refund.created_at, [
            _("Refund"), timezone.localdate(refund.created_at).isoformat(),
            payment.case_reference, payment.procedure_code, payment.provider_label,
            _communication(payment), "", _euro(refund.amount_cents), _("Refunded"), settled,
        ]))  # fmt: skip
    writer.writerows(row for _on, row in sorted(rows, key=lambda pair: pair[0]))
    return out.getvalue()
