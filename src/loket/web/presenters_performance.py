"""What the public page "Performance of our services" shows: the published rows of the
``service-performance`` dataset of the latest open data release (never the raw counters), for
the latest month, with a municipality's door leading with its own procedures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from loket.cases.selectors import agent_administration_ids
from loket.catalog.models import Procedure
from loket.core.i18n import with_french_elision
from loket.core.models import Administration, User
from loket.doors.models import Door
from loket.opendata.charts import BarChart, bar_chart
from loket.opendata.disclosure import TOTAL
from loket.opendata.publish import latest_release, read_rows
from loket.performance.selectors import ProcedureIndicators

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


def month_name(month: str) -> str:
    """``2026-11`` as the page's language names it: "novembre 2026", "November 2026"."""
    year, number = (int(part) for part in month.split("-"))
    return date_format(date(year, number, 1), "YEAR_MONTH_FORMAT")


def figures_of(month: str) -> str:
    name = month_name(month)
    return with_french_elision(
        _("Figures of %(month)s, from the open data.") % {"month": name}, name
    )


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
            name = municipality.name
            title = with_french_elision(
                _("Procedures of %(municipality)s") % {"municipality": name}, name
            )
            sections.append(PerformanceSection("own", title, own))
    shown = {p.id for p in procedures if municipality is not None and p.is_municipal}
    others = [
        _row(p.name, of_month[(p.id, TOTAL)])
        for p in procedures
        if p.id not in shown and (p.id, TOTAL) in of_month
    ]
    if others:
        # On a municipality's door its own rows are of its door; these are of every door.
        title = (
            _("Regional procedures (all doors)")
            if municipality is not None
            else _("All procedures")
        )
        sections.append(PerformanceSection("all", title, others))
    withheld = _("withheld")
    context.update(
        month=month,
        figures_of=figures_of(month),
        total_title=_("All procedures together (all doors)")
        if municipality is not None
        else _("All procedures together"),
        sections=sections,
        charts=_charts([row for section in sections for row in section.rows], withheld),
        total=_row(_("All procedures, all doors"), of_month[(TOTAL, TOTAL)])
        if (TOTAL, TOTAL) in of_month
        else None,
        threshold=release.threshold,
    )
    return context


def scope_sentence(reader: User, region_designer: bool) -> list[str]:
    """Whose journeys and answers the back-office page counts, in a sentence per kind of
    procedure: it differs by door for the procedures every municipality runs."""
    ids = agent_administration_ids(reader)
    sentences = []
    administrations = Administration.objects.filter(id__in=ids).order_by("id")
    for administration in administrations:
        if administration.kind == Administration.Kind.MUNICIPALITY:
            name = administration.name
            sentence = _(
                "Procedures that every municipality runs: only the applications and answers "
                "that came through the door of %(municipality)s. Procedures of %(municipality)s "
                "alone: those of every door."
            ) % {"municipality": name}
            sentences.append(with_french_elision(sentence, name))
        else:
            sentences.append(
                _(
                    "Procedures of %(administration)s: the applications and answers of every "
                    "door, the region's and the municipalities'."
                )
                % {"administration": administration.name}
            )
    if region_designer:
        sentences.append(
            _(
                "Procedures that every municipality runs, used on the region's door: no "
                "municipality reads these; you see them as one of the region's service designers."
            )
        )
    return sentences


def export_headings() -> list[str]:
    return [
        _("Procedure"), pgettext("start of a period", "From"), pgettext("end of a period", "To"),
        _("Applications started"), _("Applications sent"),
        _("Completion rate (per cent)"), _("Median time from start to sending (minutes)"),
        _("Answers on the procedure page"), _("Mean answer on the procedure page (1 to 5)"),
        _("Answers after sending"), _("Mean answer after sending (1 to 5)"),
    ]  # fmt: skip


def _decimal(value: float | None, places: int = 1) -> str:
    return "" if value is None else f"{value:.{places}f}"


def export_row(item: ProcedureIndicators, since: date, until: date) -> list[object]:
    """One procedure's figures, numbers unlocalised (a spreadsheet reads 12.5 in any language)."""
    completion = None if item.completion is None else 100 * item.completion
    (_page, page_mean, page_n), (_after, after_mean, after_n) = item.channel_means
    return [
        item.procedure.name, since.isoformat(), until.isoformat(), item.started, item.sent,
        _decimal(completion), _decimal(item.median_minutes), page_n, _decimal(page_mean, 2),
        after_n, _decimal(after_mean, 2),
    ]  # fmt: skip
