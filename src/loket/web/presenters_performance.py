"""What the public page "Performance of our services" shows: the published rows of the
``service-performance`` dataset of the latest open data release (never the raw counters), for
the latest month, with a municipality's door leading with its own procedures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from loket.catalog.models import Procedure
from loket.doors.models import Door
from loket.opendata.charts import BarChart, bar_chart
from loket.opendata.disclosure import TOTAL
from loket.opendata.publish import latest_release, read_rows

DATASET = "service-performance"


@dataclass(frozen=True)
class PerformanceRow:
    label: str
    started: int | None
    sent: int | None
    completion_percent: int | None
    median_minutes: float | None
    responses: int | None
    mean_score: float | None


@dataclass(frozen=True)
class PerformanceSection:
    id: str
    title: str
    rows: list[PerformanceRow]


def _row(label: str, published: dict[str, Any]) -> PerformanceRow:
    rate = published.get("completion_rate")
    return PerformanceRow(
        label=label,
        started=published.get("started"),
        sent=published.get("sent"),
        completion_percent=None if rate is None else round(rate * 100),
        median_minutes=published.get("median_minutes"),
        responses=published.get("responses"),
        mean_score=published.get("mean_score"),
    )


def _charts(rows: list[PerformanceRow], withheld: str) -> list[BarChart]:
    completion = bar_chart(
        "chart-completion",
        _("Applications sent per application started (%)"),
        _(
            "Horizontal bars: for each procedure, the percentage of the applications started "
            "that month that were sent. The same figures are in the table below."
        ),
        (_("Procedure"), _("Completion (%)")),
        [(row.label, row.completion_percent) for row in rows],
        withheld,
    )
    ease = bar_chart(
        "chart-ease",
        _("Was it easy? Mean answer, from 1 (very difficult) to 5 (very easy)"),
        _(
            "Horizontal bars: for each procedure, the mean answer of the people who said how "
            "easy it was. The same figures are in the table below."
        ),
        (_("Procedure"), _("Mean answer (1 to 5)")),
        [(row.label, row.mean_score) for row in rows],
        withheld,
    )
    return [completion, ease]


def public_figures(door: Door | None) -> dict[str, Any]:
    release = latest_release()
    context: dict[str, Any] = {"release": release, "sections": [], "charts": [], "month": ""}
    if release is None or not release.datasets.filter(dataset=DATASET).exists():
        return context
    rows = read_rows(release.id, DATASET)
    months = sorted({row["month"] for row in rows})
    if not months:
        return context
    month = months[-1]
    of_month = {(r["procedure"], r["door"]): r for r in rows if r["month"] == month}
    procedures = list(Procedure.objects.order_by("position"))
    sections: list[PerformanceSection] = []
    municipality = door.administration if door is not None and door.administration_id else None
    if municipality is not None and door is not None:
        own = [
            _row(p.name, of_month[(p.id, door.id)])
            for p in procedures
            if p.is_municipal and (p.id, door.id) in of_month
        ]
        if own:
            title = _("Procedures of %(municipality)s") % {"municipality": municipality.name}
            sections.append(PerformanceSection("own", title, own))
    shown = {p.id for p in procedures if municipality is not None and p.is_municipal}
    others = [
        _row(p.name, of_month[(p.id, TOTAL)])
        for p in procedures
        if p.id not in shown and (p.id, TOTAL) in of_month
    ]
    if others:
        title = _("Regional procedures") if municipality is not None else _("All procedures")
        sections.append(PerformanceSection("all", title, others))
    withheld = _("withheld")
    context.update(
        month=month,
        sections=sections,
        charts=_charts([row for section in sections for row in section.rows], withheld),
        total=_row(_("All procedures, all doors"), of_month[(TOTAL, TOTAL)])
        if (TOTAL, TOTAL) in of_month
        else None,
        threshold=release.threshold,
    )
    return context
