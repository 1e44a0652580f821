"""``publish()``: rebuild every dataset into a new, kept release (CLI and scheduled task alike)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from loket.cases.models import Case
from loket.core import csv_export
from loket.opendata.aggregate import Period
from loket.opendata.datasets import FORMATS, DatasetSpec, available_datasets
from loket.opendata.models import Release, ReleasedDataset
from loket.opendata.tables import BUILDERS, Protection, Table

logger = logging.getLogger(__name__)


def file_name(release_id: str, dataset_id: str, extension: str) -> str:
    return f"opendata/{release_id}/{dataset_id}.{extension}"


def start_of_month(moment: datetime) -> datetime:
    """The first instant of the month of ``moment`` in Brussels: only complete months are out."""
    local = moment.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def new_release_id(moment: datetime) -> str:
    base = moment.astimezone(UTC).strftime("%Y-%m-%dT%H%MZ")
    release_id, n = base, 1
    while Release.objects.filter(id=release_id).exists():
        n += 1
        release_id = f"{base}-{n}"
    return release_id


def publish(
    now: datetime | None = None,
    until: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Release:
    """Build every available dataset and store it as CSV and JSON in a new release.

    ``until`` (default: the start of the current month) ends the period: the month in progress
    is never published.
    """
    now = now or timezone.now()
    period = Period(until or start_of_month(now))
    protection = Protection.from_settings()
    first = Case.objects.filter(period.q("submitted_at")).aggregate(first=Min("submitted_at"))
    with transaction.atomic():
        release = Release.objects.create(
            id=new_release_id(now),
            published_at=now,
            period_start=start_of_month(first["first"]).date() if first["first"] else None,
            period_end=period.until.date(),
            threshold=protection.threshold,
            rounding=protection.rounding,
        )
        for spec in available_datasets():
            table = BUILDERS[spec.id](period, protection)
            sizes = write_files(release, spec, table)
            ReleasedDataset.objects.create(
                release=release,
                dataset=spec.id,
                rows=len(table.rows),
                suppressed=table.suppressed,
                sizes=sizes,
            )
            if progress:  # rows published, cells withheld by disclosure control
                progress(len(table.rows), table.suppressed)
    logger.info("open data release %s published", release.id)
    return release


def write_files(release: Release, spec: DatasetSpec, table: Table) -> dict[str, int]:
    contents = {"csv": as_csv(table), "json": as_json(release, spec, table)}
    if "geojson" in spec.formats:
        contents["geojson"] = as_geojson(release, spec, table)
    assert set(contents) == set(spec.formats) and set(contents) <= set(FORMATS)
    sizes = {}
    for extension, content in contents.items():
        name = file_name(release.id, spec.id, extension)
        if default_storage.exists(name):
            default_storage.delete(name)  # a release id reused after a failed run
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:
            raise RuntimeError(f"storage wrote {saved} instead of {name}")
        sizes[extension] = len(content)
    return sizes


def as_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv_export.Writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(["" if cell is None else cell for cell in row] for row in table.rows)
    return out.getvalue().encode("utf-8")


def as_json(release: Release, spec: DatasetSpec, table: Table) -> bytes:
    document: dict[str, Any] = {
        "dataset": spec.id,
        "release": release.id,
        "licence": spec.licence.uri,
        "threshold": release.threshold,
        "columns": table.columns,
        "rows": [dict(zip(table.columns, row, strict=True)) for row in table.rows],
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def as_geojson(release: Release, spec: DatasetSpec, table: Table) -> bytes:
    document = {
        "type": "FeatureCollection",
        "dataset": spec.id,
        "release": release.id,
        "licence": spec.licence.uri,
        "features": table.features or [],
    }
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def read_rows(release_id: str, dataset_id: str) -> list[dict[str, Any]]:
    """The published rows of a dataset (what the pages draw: never the raw counts)."""
    with default_storage.open(file_name(release_id, dataset_id, "json"), "rb") as handle:
        rows: list[dict[str, Any]] = json.load(handle)["rows"]
    return rows


def latest_release() -> Release | None:
    return Release.objects.order_by("-published_at", "-id").first()
