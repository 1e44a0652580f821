"""The fee-revenue dataset: fees paid per procedure, handling administration and month, counted
and summed by the database from the payment records.

A payment counts in the month it was paid (``finished_at``), whatever became of its case since
(payments outlive cases). Refunds are not subtracted: the figures are what was received. Only
the procedure, administration, date and amount of a paid payment are read; never who paid.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from loket.opendata.aggregate import Counts, Period
from loket.payments.models import Payment


def _paid(period: Period) -> Any:
    return (
        Payment.objects.filter(
            period.q("finished_at"), status=Payment.Status.PAID, administration__isnull=False
        )
        .exclude(procedure_code="")
        .order_by()
        .values("procedure_code", "administration_id", month=TruncMonth("finished_at"))
        .annotate(n=Count("id"), cents=Sum("amount_cents"))
    )


def paid_counts_and_cents(period: Period) -> tuple[Counts, Counts]:
    """(month paid, procedure, administration) → payments, and → the cents they brought."""
    counts: Counts = defaultdict(int)
    cents: Counts = defaultdict(int)
    for row in _paid(period):
        key = (row["month"].strftime("%Y-%m"), row["procedure_code"], row["administration_id"])
        counts[key] += row["n"]
        cents[key] += row["cents"]
    return dict(counts), dict(cents)
