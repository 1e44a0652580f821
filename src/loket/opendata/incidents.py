"""The public-space incidents dataset: reports per category, municipality and month, and the
reports as points snapped to a grid of at least 100 m (GeoJSON). Never a reporter's words."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F
from django.db.models.functions import TruncMonth

from loket.cases.models import Case, CaseEvent
from loket.incidents.models import Incident
from loket.incidents.selectors import coarse_point, public_status
from loket.opendata.aggregate import Counts, Period, _keyed, municipality_ids


def reported_counts(period: Period) -> Counts:
    """(month of the report, category, municipality of the place) → reports."""
    rows = (
        Incident.objects.filter(period.q("case__submitted_at"))
        .order_by()
        .values("category", "municipality", month=TruncMonth("case__submitted_at"))
        .annotate(n=Count("id"))
    )
    return _keyed(rows, municipality_ids(), "category", "municipality")


def resolved_counts(period: Period) -> Counts:
    """(month of repair, category, municipality of the place) → reports resolved."""
    rows = (
        CaseEvent.objects.filter(
            period.q("at"), status=Case.Status.APPROVED, case__incident__isnull=False
        )
        .order_by()
        .values(
            category=F("case__incident__category"),
            municipality=F("case__incident__municipality"),
            month=TruncMonth("at"),
        )
        .annotate(n=Count("id"))
    )
    return _keyed(rows, municipality_ids(), "category", "municipality")


def points(period: Period) -> list[dict[str, Any]]:
    """One GeoJSON feature per report, at the centre of its grid cell; withdrawn ones left out."""
    incidents = (
        Incident.objects.filter(period.q("case__submitted_at"), lat__isnull=False)
        .exclude(case__status=Case.Status.WITHDRAWN)
        .values_list("lat", "lon", "category", "municipality", "case__submitted_at", "case__status")
        .order_by("case__submitted_at", "id")
    )
    features = []
    for lat, lon, category, municipality, submitted_at, status in incidents:
        if lat is None or lon is None:
            continue
        cell_lat, cell_lon = coarse_point(lat, lon)
        features.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [cell_lon, cell_lat]},
            "properties": {"month": submitted_at.strftime("%Y-%m"), "category": category,
                           "municipality": municipality, "status": public_status(status)[0]},
        })  # fmt: skip
    return features
