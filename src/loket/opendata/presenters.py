"""What the open-data pages show, computed from a release's published files only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from loket.catalog.models import Procedure
from loket.core.models import Administration
from loket.opendata.aggregate import UNKNOWN
from loket.opendata.charts import BarChart, bar_chart
from loket.opendata.datasets import FORMATS, DatasetSpec
from loket.opendata.disclosure import TOTAL
from loket.opendata.models import Release, ReleasedDataset
from loket.opendata.publish import read_rows

PREVIEW_ROWS = 20


@dataclass(frozen=True)
class Download:
    extension: str
    media_type: str
    url: str
    latest_url: str
    size: int | None


@dataclass(frozen=True)
class DatasetSummary:
    spec: DatasetSpec
    released: ReleasedDataset | None
    downloads: list[Download]

    @property
    def page_url(self) -> str:
        return reverse("opendata:dataset", kwargs={"dataset": self.spec.id})


def dataset_summary(spec: DatasetSpec, release: Release | None) -> DatasetSummary:
    released = release.datasets.filter(dataset=spec.id).first() if release else None
    downloads = []
    if released is not None:
        for extension in spec.formats:
            media_type = FORMATS[extension]
            names = {"dataset": spec.id, "extension": extension}
            downloads.append(
                Download(
                    extension.upper(),
                    media_type,
                    reverse(
                        "opendata-files:download", kwargs={"release": released.release_id, **names}
                    ),
                    reverse("opendata-files:latest", kwargs=names),
                    released.sizes.get(extension),
                )
            )
    return DatasetSummary(spec, released, downloads)


def _names(model: type[Procedure] | type[Administration]) -> dict[str, str]:
    return {str(item.pk): item.name for item in model.objects.all()}


def municipality_chart(release: Release) -> BarChart | None:
    rows = read_rows(release.id, "cases")
    months = sorted({row["month"] for row in rows})
    if not months:
        return None
    month = months[-1]
    names = _names(Administration)
    names[UNKNOWN] = _("Municipality not known")
    items = [
        (names.get(row["municipality"], row["municipality"]), row["submitted"])
        for row in rows
        if row["month"] == month and row["procedure"] == TOTAL and row["municipality"] != TOTAL
    ]
    return bar_chart(
        "chart-municipalities",
        _("Cases submitted per municipality, %(month)s") % {"month": month},
        _(
            "Horizontal bars: the number of cases submitted in each municipality that month. "
            "The same figures are in the table below."
        ),
        (_("Municipality"), _("Cases submitted")),
        items,
        _("withheld"),
    )


def handling_time_chart(release: Release) -> BarChart | None:
    rows = read_rows(release.id, "handling-times")
    if not rows:
        return None
    procedures, administrations = _names(Procedure), _names(Administration)
    items = [
        (
            f"{procedures.get(row['procedure'], row['procedure'])} · "
            f"{administrations.get(row['administration'], row['administration'])}",
            row["median_days"],
        )
        for row in rows
    ]
    return bar_chart(
        "chart-handling-times",
        _("Median handling time per procedure, in days"),
        _(
            "Horizontal bars: the median number of days from submission to decision, per "
            "procedure and administration. The same figures are in the table below."
        ),
        (_("Procedure · administration"), _("Median (days)")),
        items,
        _("withheld"),
    )


def consultations_chart(release: Release) -> BarChart | None:
    rows = read_rows(release.id, "register-consultations")
    months = sorted({row["month"] for row in rows})
    if not months:
        return None
    items = [
        (row["source"], row["consultations"])
        for row in rows
        if row["month"] == months[-1] and row["administration"] == TOTAL and row["source"] != TOTAL
    ]
    return bar_chart(
        "chart-consultations",
        _("Consultations per source, %(month)s") % {"month": months[-1]},
        _(
            "Horizontal bars: the number of times each authentic source was consulted that "
            "month. The same figures are in the table below."
        ),
        (_("Source"), _("Consultations")),
        items,
        _("withheld"),
    )


def once_only_chart(release: Release) -> BarChart | None:
    rows = read_rows(release.id, "once-only")
    if not rows:
        return None
    procedures = _names(Procedure)
    items = [
        (procedures.get(row["procedure"], row["procedure"]), row["prefilled_share"] * 100)
        for row in rows
    ]
    return bar_chart(
        "chart-once-only",
        _("Share of data taken from registers, per procedure (%)"),
        _(
            "Horizontal bars: the percentage of a case's data that came from authentic sources "
            "rather than being typed. The same figures are in the table below."
        ),
        (_("Procedure"), _("From registers (%)")),
        items,
        _("withheld"),
    )


CHARTS = {
    "cases": municipality_chart,
    "handling-times": handling_time_chart,
    "register-consultations": consultations_chart,
    "once-only": once_only_chart,
}


def overview_charts(release: Release) -> list[BarChart]:
    charts = [municipality_chart(release), handling_time_chart(release)]
    return [chart for chart in charts if chart is not None]


def dataset_charts(spec: DatasetSpec, release: Release | None) -> list[BarChart]:
    draw = CHARTS.get(spec.id)
    if release is None or draw is None or not release.datasets.filter(dataset=spec.id).exists():
        return []
    chart = draw(release)
    return [chart] if chart is not None else []


def preview(spec: DatasetSpec, release: Release | None) -> list[list[Any]]:
    """The first rows of the published file, as cells in column order."""
    if release is None or not release.datasets.filter(dataset=spec.id).exists():
        return []
    rows = read_rows(release.id, spec.id)[:PREVIEW_ROWS]
    return [[row.get(name) for name in spec.column_names()] for row in rows]
