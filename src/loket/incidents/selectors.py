"""Reads of reports: open ones near a point, and the public list (no names, no free text)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from loket.cases.models import OPEN_STATUSES, Case
from loket.core.i18n import current_language, pick
from loket.core.models import Administration
from loket.forms.definitions import get_definition
from loket.geo.index import distance_m
from loket.incidents.actions import CATEGORY, INCIDENT_PROCEDURE
from loket.incidents.models import Incident

DUPLICATE_METRES = 50.0
# Public points are snapped to the centre of a grid cell of at least 100 m each way.
GRID_LAT = 0.001  # about 111 m
GRID_LON = 0.0016  # about 112 m at 50.85° N
PUBLIC_STATUSES = {
    "open": (_("Open"), OPEN_STATUSES),
    "resolved": (_("Resolved"), (Case.Status.APPROVED,)),
    "closed": (_("Closed without repair"), (Case.Status.REJECTED,)),
}


def coarse_point(lat: float, lon: float) -> tuple[float, float]:
    """The centre of the grid cell holding the point: a place, not a doorstep."""
    cell_lat = (math.floor(lat / GRID_LAT) + 0.5) * GRID_LAT
    cell_lon = (math.floor(lon / GRID_LON) + 0.5) * GRID_LON
    return round(cell_lat, 5), round(cell_lon, 5)


def category_labels() -> dict[str, str]:
    definition = get_definition(INCIDENT_PROCEDURE)
    if definition is None:
        return {}
    field = next((f for f in definition.fields() if f.name == CATEGORY), None)
    choices = field.options.get("choices", {}) if field else {}
    return {key: pick(texts) for key, texts in choices.items()}


def public_status(status: str) -> tuple[str, str]:
    for key, (label, statuses) in PUBLIC_STATUSES.items():
        if status in statuses:
            return key, str(label)
    return "withdrawn", ""


def open_incidents_near(
    category: str, lat: float, lon: float, metres: float = DUPLICATE_METRES
) -> list[Incident]:
    """Open reports of ``category`` within ``metres`` of the point, nearest first."""
    box_lat = metres / 111_000 * 1.5
    box_lon = box_lat / max(math.cos(math.radians(lat)), 0.1)
    candidates = Incident.objects.filter(
        category=category, case__status__in=OPEN_STATUSES,
        lat__range=(lat - box_lat, lat + box_lat), lon__range=(lon - box_lon, lon + box_lon),
    ).select_related("case")  # fmt: skip
    near = [
        (distance_m(lat, lon, i.lat, i.lon), i)
        for i in candidates
        if i.lat is not None and i.lon is not None
    ]
    return [incident for metres_away, incident in sorted(near, key=lambda pair: pair[0])
            if metres_away <= metres]  # fmt: skip


@dataclass(frozen=True)
class PublicIncident:
    """What anyone may see of a report: never the reporter, never their words."""

    id: int
    category: str
    category_label: str
    place: str
    municipality: str
    status: str
    status_label: str
    reported_on: date
    lat: float | None
    lon: float | None
    supporters: int


def _public(incidents: QuerySet[Incident]) -> list[PublicIncident]:
    labels = category_labels()
    names = {a.id: a.name for a in Administration.objects.filter(kind="municipality")}
    result = []
    for incident in incidents.annotate(supporters=Count("supports")).select_related("case"):
        status, status_label = public_status(incident.case.status)
        point = (
            coarse_point(incident.lat, incident.lon)
            if incident.lat is not None and incident.lon is not None
            else (None, None)
        )
        municipality = str(names.get(incident.municipality, ""))
        dutch = current_language() == "nl"
        street = (incident.street_nl if dutch else "") or incident.street_fr
        result.append(
            PublicIncident(
                id=incident.pk, category=incident.category,
                category_label=labels.get(incident.category, incident.category),
                place=", ".join(p for p in (street, municipality) if p),
                municipality=incident.municipality, status=status, status_label=status_label,
                reported_on=incident.reported_at.date(), lat=point[0], lon=point[1],
                supporters=incident.supporters,
            )
        )  # fmt: skip
    return result


def public_incidents(status: str = "", category: str = "") -> list[PublicIncident]:
    """Reports for the public map and list, newest first; withdrawn ones are left out."""
    incidents = Incident.objects.exclude(case__status=Case.Status.WITHDRAWN)
    if status in PUBLIC_STATUSES:
        incidents = incidents.filter(case__status__in=PUBLIC_STATUSES[status][1])
    if category:
        incidents = incidents.filter(category=category)
    return _public(incidents)


def public_incident(incident: Incident) -> PublicIncident:
    return _public(Incident.objects.filter(pk=incident.pk))[0]
