"""How long payment records are kept, and removing them afterwards.

Payments, refunds and bank statement lines are accounting records. The Code of economic law,
art. III.88, sets how long an enterprise keeps its books, counted from 1 January of the year
after they are closed: seven years in the text the Belgian accounting standards commission
(CNC/CBN) publishes; ten years since a later amendment, as we understand it, not checked here
against the Moniteur belge. Loket keeps the longer, ten years, counted from 1 January of the
year after the payment (or its last refund or statement line). A municipality's own accounting
rules may ask otherwise: the period is one constant, named in the register of processing.

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
