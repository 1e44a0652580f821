"""Where a reported place is: its point, municipality and register ids, and the road it is on.

A ``location`` answer holds the address typed (or filled from the map) and, when the map was
used, the point clicked. ``resolve_place`` checks the address against the register and keeps the
clicked point when there is one, else the address's point.

Regional roads: ``data/regional-roads.csv`` lists, per municipality, the streets managed by the
Region (voiries régionales / gewestwegen). The file shipped is a demonstration subset (the
regional roads of Haren and a few main axes); production replaces it with the UrbIS road
classification.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from loket.geo.search import validate_address
from loket.geo.text import name_key

REGIONAL_ROADS = Path(__file__).resolve().parent / "data" / "regional-roads.csv"


@dataclass(frozen=True)
class Place:
    """A reported place: ``lat``/``lon`` may be ``None`` when neither map nor register gives one."""

    nis_code: str
    street_fr: str
    street_nl: str
    address_id: str  # the register's address id, or its street id when only the street is known
    precision: str  # "address", "street" or "unknown" (not in the register)
    lat: float | None
    lon: float | None


def _float(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def resolve_place(location: dict[str, Any]) -> Place:
    """The place of a ``location`` (or ``brussels_address``) answer."""
    check = validate_address(
        str(location.get("street", "")), str(location.get("house_number", "")),
        str(location.get("postcode", "")), str(location.get("municipality", "")),
    )  # fmt: skip
    candidate = check.candidate
    lat, lon = _float(location.get("lat")), _float(location.get("lon"))
    if (lat is None or lon is None) and candidate is not None:
        lat, lon = candidate.lat, candidate.lon
    return Place(
        nis_code=check.nis_code or str(location.get("municipality", "")),
        street_fr=candidate.street_fr if candidate else str(location.get("street", "")),
        street_nl=candidate.street_nl if candidate else "",
        address_id=candidate.id if candidate else "",
        precision=check.precision,
        lat=lat,
        lon=lon,
    )


@cache
def _regional_roads() -> frozenset[tuple[str, str]]:
    with REGIONAL_ROADS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = ("name_fr", "name_nl")
    return frozenset((row["nis_code"], name_key(row[c])) for row in rows for c in columns)


def is_regional_road(place: Place) -> bool:
    """Whether the place's street is managed by the Region rather than the municipality."""
    roads = _regional_roads()
    return any(
        (place.nis_code, name_key(name)) in roads for name in (place.street_fr, place.street_nl)
        if name
    )  # fmt: skip
