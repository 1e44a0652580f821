"""The rows of each dataset, built from the aggregations and protected before they leave.

Counts per month form one table per month (with its totals), protected on its own: a month's
figures depend only on that month, so consecutive releases never differ by less than a whole
month and a withheld cell cannot be recovered by comparing releases. Figures over the whole
period (handling times, once-only shares) publish no counts, only statistics of groups of at
least the threshold.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from loket.catalog.models import Procedure
from loket.opendata import aggregate, certificates, incidents, journeys, revenue
from loket.opendata.aggregate import Counts, Period
from loket.opendata.disclosure import TOTAL, Key, ProtectedTable, protect, with_margins

Cell = str | int | float | None


@dataclass(frozen=True)
class Protection:
    threshold: int
    rounding: int = 0

    @classmethod
    def from_settings(cls) -> Protection:
        return cls(
            threshold=int(settings.LOKET_OPENDATA_THRESHOLD),
            rounding=int(settings.LOKET_OPENDATA_ROUNDING),
        )


@dataclass
class Table:
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    suppressed: int = 0
    features: list[dict[str, object]] | None = None  # GeoJSON features, for a map distribution


Builder = Callable[[Period, Protection], Table]
BUILDERS: dict[str, Builder] = {}


def builds(dataset_id: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        BUILDERS[dataset_id] = builder
        return builder

    return register


def protect_by_month(counts: Counts, threshold: int) -> dict[str, ProtectedTable]:
    """One protected table per month (the first key part), over the other key parts."""
    months: dict[str, dict[Key, int]] = defaultdict(dict)
    for (month, *rest), value in counts.items():
        months[month][tuple(rest)] = value
    return {month: protect(cells, 2, threshold) for month, cells in sorted(months.items())}


def _order(key: Key) -> tuple[object, ...]:
    return tuple((part == TOTAL, part) for part in key)


def monthly_rows(measures: list[Counts], protection: Protection) -> tuple[list[list[Cell]], int]:
    """Rows ``month, a, b, measure…``: each measure protected month by month."""
    tables = [protect_by_month(counts, protection.threshold) for counts in measures]
    months = sorted({month for protected in tables for month in protected})
    rows: list[list[Cell]] = []
    for month in months:
        slices = [protected.get(month, ProtectedTable({})) for protected in tables]
        keys = sorted({key for table in slices for key in table.values}, key=_order)
        for key in keys:
            published = [table.published(key, protection.rounding) for table in slices]
            rows.append([month, *key, *published])
    suppressed = sum(len(t.suppressed) for protected in tables for t in protected.values())
    return rows, suppressed


@builds("cases")
def cases_table(period: Period, protection: Protection) -> Table:
    counts = [aggregate.submitted_counts(period), aggregate.decided_counts(period)]
    rows, suppressed = monthly_rows(counts, protection)
    return Table(["month", "procedure", "municipality", "submitted", "decided"], rows, suppressed)


@builds("public-space-incidents")
def incidents_table(period: Period, protection: Protection) -> Table:
    counts = [incidents.reported_counts(period), incidents.resolved_counts(period)]
    rows, suppressed = monthly_rows(counts, protection)
    columns = ["month", "category", "municipality", "reported", "resolved"]
    return Table(columns, rows, suppressed, features=incidents.points(period))


@builds("certificates-issued")
def certificates_table(period: Period, protection: Protection) -> Table:
    counts = [certificates.issued_counts(period), certificates.revoked_counts(period)]
    rows, suppressed = monthly_rows(counts, protection)
    return Table(["month", "procedure", "municipality", "issued", "revoked"], rows, suppressed)


@builds("fee-revenue")
def fee_revenue_table(period: Period, protection: Protection) -> Table:
    """Paid fees per month, procedure and administration: the number of payments, protected as
    every count is, and their sum in euro, withheld exactly where the number is (the same
    pattern of withheld cells leaves the sums as unrecoverable as the counts)."""
    counts, cents = revenue.paid_counts_and_cents(period)
    table = Table(["month", "procedure", "administration", "payments", "revenue_eur"])
    months: dict[str, dict[Key, int]] = defaultdict(dict)
    for (month, *rest), value in cents.items():
        months[month][tuple(rest)] = value
    for month, protected in protect_by_month(counts, protection.threshold).items():
        sums = with_margins(months[month], 2)
        for key in sorted(protected.values, key=_order):
            withheld = key in protected.suppressed
            euro = None if withheld else round(sums.get(key, 0) / 100, 2)
            table.rows.append([month, *key, protected.published(key, protection.rounding), euro])
        table.suppressed += len(protected.suppressed)
    return table


@builds("service-performance")
def service_performance_table(period: Period, protection: Protection) -> Table:
    """Journeys started and sent and answers to the feedback question, each count protected
    month by month over procedure and door; the completion rate, the median time and the mean
    score only where the counts they come from are published (withheld exactly where those
    are, so that no sum or share gives a withheld count back)."""
    found = journeys.figures(period)
    measures = [found.started, found.sent, found.responses]
    rows, suppressed = monthly_rows(measures, protection)
    table = Table(
        ["month", "procedure", "door", "started", "sent", "completion_rate", "median_minutes",
         "responses", "mean_score"],
        suppressed=suppressed,
    )  # fmt: skip
    for month, procedure, door, started, sent, responses in rows:
        key = (str(month), str(procedure), str(door))
        rate = None
        if isinstance(started, int) and isinstance(sent, int) and started >= protection.threshold:
            rate = round(min(1.0, found.exact("sent", key) / found.exact("started", key)), 2)
        median = None
        if isinstance(sent, int) and sent >= protection.threshold:
            value = journeys.median_minutes(found, key)
            median = None if value is None else round(value, 1)
        mean = None
        if isinstance(responses, int) and responses >= protection.threshold:
            mean = round(found.score_sums.get(key, 0) / found.exact("responses", key), 2)
        table.rows.append([month, procedure, door, started, sent, rate, median, responses, mean])
    return table


@builds("register-consultations")
def consultations_table(period: Period, protection: Protection) -> Table:
    rows, suppressed = monthly_rows([aggregate.consultation_counts(period)], protection)
    columns = ["month", "source", "administration", "consultations"]
    return Table(columns, rows, suppressed)


@builds("handling-times")
def handling_times_table(period: Period, protection: Protection) -> Table:
    table = Table(["procedure", "administration", "median_days", "p90_days"])
    for group in aggregate.handling_times(period):
        if group.decided >= protection.threshold:
            table.rows.append(
                [
                    group.procedure,
                    group.administration,
                    round(group.median_days, 1),
                    round(group.p90_days, 1),
                ]
            )
        else:
            table.suppressed += 1
    table.rows.sort(key=lambda row: (str(row[0]), str(row[1])))
    return table


@builds("once-only")
def once_only_table(period: Period, protection: Protection) -> Table:
    table = Table(["procedure", "prefilled_share", "typed_share"])
    for procedure, (cases, prefilled, typed) in sorted(aggregate.field_counts(period).items()):
        if cases < protection.threshold or not prefilled + typed:
            table.suppressed += 1
            continue
        share = prefilled / (prefilled + typed)
        table.rows.append([procedure, round(share, 2), round(1 - share, 2)])
    return table


@builds("procedures")
def procedures_table(period: Period, protection: Protection) -> Table:
    table = Table(
        ["id", "name_fr", "name_nl", "name_en", "owner", "life_events", "fee_eur", "handling_days"]
    )
    for procedure in Procedure.objects.prefetch_related("life_events").order_by("position"):
        fee: Decimal = procedure.fee_eur
        table.rows.append(
            [
                procedure.id,
                *(procedure.names.get(language, "") for language in ("fr", "nl", "en")),
                procedure.administration_id or Procedure.Owner.MUNICIPALITY.value,
                ";".join(sorted(event.id for event in procedure.life_events.all())),
                f"{fee:.2f}",
                procedure.processing_days,
            ]
        )
    return table
