"""Importing help points from CSV: the same code for ``loket seed``, the command and the upload.

Columns (UTF-8, comma-separated, a header line; lists separated by ``|``)::

    external_id,kind,name,organisation,street,number,postcode,municipality,languages,
    wheelchair,wheelchair_note,services,hours,phone,email,website,is_demo

and, optional, ``wheelchair_note_fr`` and ``wheelchair_note_nl``: the access note in French and
Dutch (``wheelchair_note`` is the English one), each shown in the page's language.

Each address is checked against the address register (``loket.geo``), which also gives the
point on the map. A line with a problem is reported with its line number and skipped; the good
lines are saved. Re-importing updates the places by ``external_id``; with ``replace`` the places
of the same origin (demo or not) absent from the file are deactivated.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from loket.appointments.hours import HoursError, Range, parse_hours
from loket.appointments.models import HelpPoint, OpeningRange
from loket.appointments.services import LANGUAGES, SERVICES
from loket.core.models import Administration
from loket.geo.best import transformer
from loket.geo.validation import validate_address

COLUMNS = (
    "external_id", "kind", "name", "organisation", "street", "number", "postcode",
    "municipality", "languages", "wheelchair", "wheelchair_note", "services", "hours", "phone",
    "email", "website", "is_demo", "wheelchair_note_fr", "wheelchair_note_nl",
)  # fmt: skip
REQUIRED = ("external_id", "kind", "name", "street", "postcode", "municipality")
TRUE = {"1", "true", "yes", "oui", "ja", "y"}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def saved(self) -> int:
        return self.created + self.updated


class LineError(ValueError):
    """A problem with one line; the message is user-facing."""


def _codes(text: str, known: dict[str, Any], what: str) -> list[str]:
    codes = [c.strip().lower() for c in text.replace(",", "|").split("|") if c.strip()]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise LineError(
            _("unknown %(what)s: %(codes)s") % {"what": what, "codes": ", ".join(unknown)}
        )
    return codes


def _administration(text: str) -> Administration | None:
    if not text.strip():
        return None
    found = Administration.objects.filter(pk=text.strip()).first()
    if found is None:
        raise LineError(_("unknown organisation “%(id)s”") % {"id": text.strip()})
    return found


def _located(row: dict[str, str]) -> dict[str, Any]:
    """The address checked against the register, with its municipality and point."""
    check = validate_address(row["street"], row.get("number", ""), row["postcode"],
                             row["municipality"])  # fmt: skip
    if not check.ok:
        raise LineError(" ".join(str(error) for error in check.errors))
    place: dict[str, Any] = {"municipality_id": check.nis_code, "lat": None, "lon": None,
                             "x": None, "y": None}  # fmt: skip
    candidate = check.candidate
    if candidate is not None and candidate.lat is not None and candidate.lon is not None:
        x, y = transformer("EPSG:4326", "EPSG:31370").transform(candidate.lon, candidate.lat)
        place.update(lat=candidate.lat, lon=candidate.lon, x=round(x, 1), y=round(y, 1))
    return place


def parse_row(row: dict[str, str]) -> tuple[dict[str, Any], list[Range]]:
    """The fields of one help point and its opening ranges; raises LineError."""
    row = {key: (value or "").strip() for key, value in row.items() if key}
    missing = [name for name in REQUIRED if not row.get(name)]
    if missing:
        raise LineError(_("missing %(columns)s") % {"columns": ", ".join(missing)})
    if row["kind"] not in HelpPoint.Kind.values:
        raise LineError(_("unknown kind “%(kind)s”") % {"kind": row["kind"]})
    wheelchair = row.get("wheelchair", "").lower() or "no"
    if wheelchair not in HelpPoint.Access.values:
        raise LineError(_("wheelchair must be yes, partly or no"))
    try:
        ranges = parse_hours(row.get("hours", ""))
    except HoursError as problem:
        raise LineError(str(problem)) from None
    values = {
        "kind": row["kind"], "name": row["name"][:200],
        "administration": _administration(row.get("organisation", "")),
        "street": row["street"][:200], "house_number": row.get("number", "")[:20],
        "postcode": row["postcode"][:4],
        "languages": _codes(row.get("languages", ""), LANGUAGES, _("language")),
        "wheelchair": wheelchair, "wheelchair_note": row.get("wheelchair_note", "")[:300],
        "wheelchair_note_fr": (row.get("wheelchair_note_fr") or "")[:300],
        "wheelchair_note_nl": (row.get("wheelchair_note_nl") or "")[:300],
        "services": _codes(row.get("services", ""), SERVICES, _("service")),
        "phone": row.get("phone", "")[:40], "email": row.get("email", "")[:254],
        "website": row.get("website", "")[:200],
        "is_demo": row.get("is_demo", "").lower() in TRUE, "is_active": True,
    }  # fmt: skip
    values.update(_located(row))
    return values, ranges


@transaction.atomic
def save_help_point(external_id: str, values: dict[str, Any], ranges: list[Range]) -> bool:
    """Create or update one help point and replace its hours; True when it was created."""
    point, created = HelpPoint.objects.update_or_create(external_id=external_id, defaults=values)
    point.hours.all().delete()
    OpeningRange.objects.bulk_create(
        OpeningRange(help_point=point, weekday=r.weekday, opens=r.opens, closes=r.closes)
        for r in ranges
    )
    return created


def import_help_points(text: str, replace: bool = False) -> ImportReport:
    """Import the CSV ``text``; each bad line is reported with its line number and skipped."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    absent = [name for name in REQUIRED if name not in (reader.fieldnames or [])]
    if absent:
        report.errors.append(
            (1, _("missing columns: %(columns)s") % {"columns": ", ".join(absent)})
        )
        return report
    seen: set[str] = set()
    demo_file = False
    for row in reader:
        line = reader.line_num
        try:
            values, ranges = parse_row(row)
        except LineError as problem:
            report.errors.append((line, str(problem)))
            continue
        external_id = row["external_id"].strip()[:60]
        if external_id in seen:
            message = _("external_id “%(id)s” appears twice") % {"id": external_id}
            report.errors.append((line, message))
            continue
        seen.add(external_id)
        demo_file = demo_file or bool(values["is_demo"])
        if save_help_point(external_id, values, ranges):
            report.created += 1
        else:
            report.updated += 1
    if replace and seen:
        report.deactivated = (
            HelpPoint.objects.filter(is_demo=demo_file, is_active=True)
            .exclude(external_id__in=seen)
            .update(is_active=False)
        )
    return report
