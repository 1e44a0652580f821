"""How long payment records are kept, and removing them afterwards.

Payments, refunds and bank statement lines are accounting records and their supporting
documents. Two laws set how long they are kept, each counted from 1 January of the year after:

- accounting law, seven years: the Code of economic law, art. III.86 (supporting documents,
  "pièces justificatives"; three years for those that prove nothing towards third parties) and
  art. III.88 (the books), as the accounting standards commission (CNC/CBN) publishes them; the
  term went from ten to seven years with the law of 8 June 2008;
- tax law, ten years: the Income Tax Code 1992, art. 315, and the VAT Code, art. 60, as amended
  by the law of 20 November 2022 (Moniteur belge of 30 November 2022), from tax year 2023. A
  municipality or regional body is subject to the legal persons' tax, to which art. 315 applies.

Loket keeps the longer, ten years (``RECORD_YEARS``), counted from 1 January of the year after
the payment (or its last refund or statement line). Read as secondary sources publish these
texts (the CNC/CBN's copy of the Code, accountants' and fiscal publishers' summaries), not in
the Moniteur belge itself (docs/payments.md lists them); a
municipality's own accounting rules may ask otherwise: the period is one constant, named in the
register of processing.

Afterwards the records are deleted: statement lines (which name the payer and their account),
refunds (a civil servant's reason), the payments and the demo provider's checkouts. A payment
that still settles the fee of a case that exists is not deleted (the case would read as unpaid):
its refunds' reasons and its statement lines' payer are emptied, and the payment goes when the
case's own retention rule removes the case.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from loket.payments.models import CaseFee, DemoCheckout, Payment, Refund, StatementLine

RECORD_YEARS = 10


def records_kept_since(now: datetime) -> datetime:
    """Records dated before this instant are past their retention at ``now``: 1 January of
    the year ``RECORD_YEARS`` before, local time (a record of year Y goes on 1 January of
    Y + 1 + RECORD_YEARS)."""
    year = timezone.localtime(now).year - RECORD_YEARS
    return datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def do_remove_old_payment_records(now: datetime | None = None) -> dict[str, int]:
    """Delete (or, for one still settling a case's fee, empty) payment records past their
    retention; the counts of what was done, for the retention run's record."""
    cutoff = records_kept_since(now or timezone.now())
    old = (
        Payment.objects.alias(on=Coalesce("finished_at", "created_at"))
        .filter(on__lt=cutoff)
        .exclude(refunds__created_at__gte=cutoff)
        .exclude(statement_lines__imported_at__gte=cutoff)
    )
    settling = set(CaseFee.objects.filter(paid_by__in=old).values_list("paid_by_id", flat=True))
    gone = old.exclude(pk__in=settling)
    lines = StatementLine.objects.filter(
        Q(payment__in=gone) | Q(payment__isnull=True, imported_at__lt=cutoff)
    )
    counts = {"statement_lines_deleted": lines.delete()[0]}
    counts["refunds_deleted"] = Refund.objects.filter(payment__in=gone).delete()[0]
    doomed = list(gone.values_list("pk", flat=True))
    counts["payments_deleted"] = Payment.objects.filter(pk__in=doomed).delete()[0]
    Refund.objects.filter(payment_id__in=settling).exclude(reason="").update(reason="")
    StatementLine.objects.filter(payment_id__in=settling).update(
        counterparty="", counterparty_account=""
    )
    counts["payments_emptied"] = len(settling)
    counts["demo_checkouts_deleted"] = DemoCheckout.objects.filter(created_at__lt=cutoff).delete()[
        0
    ]
    return {key: value for key, value in counts.items() if value}
