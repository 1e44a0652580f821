"""Importing the address register: the BeST address file and the street lists, streamed.

Every import upserts by the source's own ids, so running it again updates rows in place; BeST
addresses that vanished from a file are retired (never deleted) within the municipalities and
postcodes that the file covers, so a partial file does not retire the rest of the region.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from pathlib import Path

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from loket.core.models import Administration
from loket.geo import index
from loket.geo.best import AddressRow, FormatError, header_reader, open_text, read_chunks
from loket.geo.models import Address, RegisterImport, Status, Street
from loket.geo.text import name_key

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLES = ("best-streets-21004.csv", "best-sample-1130-haren.csv", "streets-osm-2020.csv")
CHUNK = 5000
STATUSES = frozenset(Status.values)
ADDRESS_FIELDS = ["street", "municipality", "postcode", "house_number", "box", "status"]
ADDRESS_FIELDS += ["lat", "lon", "x", "y", "seen_at"]
STREET_FIELDS = ["source", "name_fr", "name_nl", "municipality", "postcode", "status"]


@dataclass(frozen=True)
class ImportResult:
    """What one import did: rows written, addresses retired, rows left out (unknown NIS code)."""

    rows: int
    retired: int
    skipped: int


def _municipalities() -> frozenset[str]:
    kind = Administration.Kind.MUNICIPALITY
    return frozenset(Administration.objects.filter(kind=kind).values_list("id", flat=True))


def import_best(path: Path, progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import a BeST address CSV or zip: upsert streets and addresses, retire what vanished.
    ``progress`` is told, chunk by chunk, the rows imported and the rows skipped."""
    started = timezone.now()
    known = _municipalities()
    streets_seen: set[str] = set()
    covered: set[tuple[str, str]] = set()
    rows = skipped = 0
    with transaction.atomic():
        for chunk in read_chunks(path, CHUNK):
            usable = [row for row in chunk if row.nis_code in known and row.street_id]
            skipped += len(chunk) - len(usable)
            _upsert_streets_of(usable, streets_seen)
            written = _upsert_addresses(usable, started)
            rows += written
            covered.update((row.nis_code, row.postcode) for row in usable)
            if progress:
                progress(written, len(chunk) - len(usable))
        retired = _retire_vanished(covered, started)
        _record("best", path, started, ImportResult(rows, retired, skipped))
    index.invalidate()  # this process at once, even inside an outer transaction
    transaction.on_commit(index.invalidate)
    return ImportResult(rows, retired, skipped)


def _upsert_sql() -> str:
    """One INSERT … ON CONFLICT DO UPDATE (SQLite ≥ 3.24 and PostgreSQL alike)."""
    columns = [
        f"{name}_id" if name in ("street", "municipality") else name for name in ADDRESS_FIELDS
    ]
    columns.insert(0, "id")
    updates = ", ".join(f"{column} = excluded.{column}" for column in columns[1:])
    return (
        f"INSERT INTO {Address._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - our names
        f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT (id) DO UPDATE SET {updates}"
    )


def _upsert_addresses(rows: list[AddressRow], seen_at: datetime) -> int:
    """Write a chunk of addresses in one executemany: the ORM's per-row cost is avoided."""
    seen = connection.ops.adapt_datetimefield_value(seen_at)
    values = {
        row.address_id: (
            row.address_id,
            row.street_id,
            row.nis_code,
            row.postcode,
            row.house_number,
            row.box,
            row.status if row.status in STATUSES else Status.CURRENT,
            row.lat,
            row.lon,
            row.x,
            row.y,
            seen,
        )
        for row in rows
    }
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(), list(values.values()))
    return len(values)


def _upsert_streets_of(rows: list[AddressRow], seen: set[str]) -> None:
    streets: dict[str, Street] = {}
    for row in rows:
        if row.street_id not in seen and row.street_id not in streets:
            streets[row.street_id] = Street(
                id=row.street_id,
                source=Street.Source.BEST,
                name_fr=row.street_fr,
                name_nl=row.street_nl,
                municipality_id=row.nis_code,
                postcode=row.postcode,
                status=Status.CURRENT,
            )
    if streets:
        Street.objects.bulk_create(
            streets.values(),
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=STREET_FIELDS,
        )
        seen.update(streets)


def _retire_vanished(covered: set[tuple[str, str]], started: datetime) -> int:
    if not covered:
        return 0
    scope = reduce(or_, (Q(municipality_id=nis, postcode=code) for nis, code in covered))
    vanished = Address.objects.filter(scope).exclude(seen_at=started)
    return vanished.exclude(status=Status.RETIRED).update(status=Status.RETIRED)


def _record(kind: str, path: Path, started: datetime, result: ImportResult) -> None:
    RegisterImport.objects.create(
        kind=kind,
        file_name=path.name[:300],
        started=started,
        finished=timezone.now(),
        rows=result.rows,
        retired=result.retired,
        skipped=result.skipped,
    )


def import_streets(path: Path) -> ImportResult:
    """Import a street list: the BeST list (``best_street_id``) or the OSM-derived one."""
    started = timezone.now()
    known = _municipalities()
    rows = skipped = 0
    with transaction.atomic(), open_text(path) as handle:
        columns, lines = header_reader(handle)
        needed = ("street_name_fr", "street_name_nl", "nis_code")
        if any(name not in columns for name in needed):
            raise FormatError(f"{path.name}: not a street list ({', '.join(needed)} needed)")
        streets: dict[str, Street] = {}
        for line in lines:
            street = _street(dict(zip(columns, line, strict=False)), known)
            if street is None:
                skipped += 1
                continue
            streets[street.id] = street
            if len(streets) >= CHUNK:
                rows += _save_streets(streets)
        rows += _save_streets(streets)
        _record("streets", path, started, ImportResult(rows, 0, skipped))
    index.invalidate()  # this process at once, even inside an outer transaction
    transaction.on_commit(index.invalidate)
    return ImportResult(rows, 0, skipped)


def _street(record: dict[str, str], known: frozenset[str]) -> Street | None:
    name_fr = (record.get("street_name_fr") or "").strip()
    name_nl = (record.get("street_name_nl") or "").strip()
    nis = (record.get("nis_code") or "").strip()
    if nis not in known or not (name_fr or name_nl):
        return None
    best_id = (record.get("best_street_id") or "").strip()
    osm_ids = (record.get("osm_ids") or "").split()
    if best_id:
        street_id, source = best_id, Street.Source.BEST
    else:
        key = osm_ids[0] if osm_ids else re.sub(r"\W+", "-", name_key(name_fr or name_nl))
        street_id, source = f"osm:{nis}:{key}"[:80], Street.Source.OSM
    status = (record.get("status") or "current").strip().lower()
    lat, lon = _point(record.get("lat", ""), record.get("lon", ""))
    return Street(
        id=street_id,
        source=source,
        name_fr=name_fr or name_nl,
        name_nl=name_nl,
        municipality_id=nis,
        postcode=(record.get("postcode") or "").strip()[:4],
        status=status if status in STATUSES else Status.CURRENT,
        lat=lat,
        lon=lon,
    )


def _point(lat: str | None, lon: str | None) -> tuple[float | None, float | None]:
    try:
        return (float(lat), float(lon)) if lat and lon else (None, None)
    except ValueError:
        return None, None


def _save_streets(streets: dict[str, Street]) -> int:
    count = len(streets)
    if streets:
        Street.objects.bulk_create(
            streets.values(),
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=[*STREET_FIELDS, "lat", "lon"],
        )
        streets.clear()
    return count


def import_shipped_samples() -> dict[str, int]:
    """Import the three samples shipped in ``loket/data`` (idempotent); rows per file."""
    counts: dict[str, int] = {}
    for name in SAMPLES:
        path = DATA_DIR / name
        result = import_best(path) if name.startswith("best-sample") else import_streets(path)
        counts[name] = result.rows
    return counts
