"""The certificates-issued dataset: certificates issued per kind, municipality and month, and
those revoked, counted by the database from the register of issued certificates.

Every certificate issued counts in the month it was issued, whatever became of it since: a
superseded one (the holder asked again) and a revoked one were issued all the same. Revocations
count again, apart, in the month they were made. Only kind, administration and dates are read;
never what a certificate certifies.
"""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import TruncMonth

from loket.certificates.models import IssuedCertificate
from loket.opendata.aggregate import (
    Counts,
    Period,
    _keyed,
    municipality_expression,
    municipality_ids,
)


def issued_counts(period: Period) -> Counts:
    """(month of issue, kind, municipality) → certificates issued, revoked ones included."""
    rows = (
        IssuedCertificate.objects.filter(period.q("issued_at"))
        .order_by()
        .values("kind", month=TruncMonth("issued_at"))
        .annotate(municipality=municipality_expression("case__"), n=Count("id"))
    )
    return _keyed(rows, municipality_ids(), "kind", "municipality")


def revoked_counts(period: Period) -> Counts:
    """(month of revocation, kind, municipality) → certificates revoked."""
    rows = (
        IssuedCertificate.objects.filter(
            period.q("changed_at"), status=IssuedCertificate.Status.REVOKED
        )
        .order_by()
        .values("kind", month=TruncMonth("changed_at"))
        .annotate(municipality=municipality_expression("case__"), n=Count("id"))
    )
    return _keyed(rows, municipality_ids(), "kind", "municipality")
