"""The aggregations behind the datasets, done by the database (GROUP BY), never row by row.

PostgreSQL computes percentiles and JSON key counts itself (``percentile_cont``,
``jsonb_path_query_array``); on SQLite (development and tests) those two fall back to Python
over the few rows of a test database. Months are calendar months in Brussels time.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Case as When_
from django.db.models import CharField, Count, F, Q, Value, When
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce, TruncMonth

from loket.audit.models import AccessLogEntry
from loket.cases.models import Case, CaseEvent
from loket.core.models import Administration

UNKNOWN = "unknown"
DECIDED = (Case.Status.APPROVED, Case.Status.REJECTED)
# Consultations that are not a register read (an agent opening a case file).
NOT_A_REGISTER = ("case",)


@dataclass(frozen=True)
class Period:
    """Everything before ``until`` (the first day of a month: only complete months)."""

    until: datetime

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__lt": self.until})


@dataclass(frozen=True)
class HandlingTime:
    procedure: str
    administration: str
    decided: int
    median_days: float
    p90_days: float


Counts = dict[tuple[str, ...], int]


def municipality_expression(prefix: str = "") -> When_:
    """The case's municipality: its administration, else the applicant's address in the facts."""
    return When_(
        When(
            **{f"{prefix}administration__kind": "municipality"}, then=F(f"{prefix}administration")
        ),
        default=Coalesce(
            KeyTextTransform(
                "nis_code", KeyTransform("address", KeyTransform("population", f"{prefix}facts"))
            ),
            Value(UNKNOWN),
        ),
        output_field=CharField(),
    )


def _keyed(rows: Any, municipalities: set[str], *fields: str) -> Counts:
    counts: Counts = defaultdict(int)
    for row in rows:
        key = [row["month"].strftime("%Y-%m"), *(str(row[f]) for f in fields)]
        if fields[-1] == "municipality" and key[-1] not in municipalities:
            key[-1] = UNKNOWN  # outside the region or unreadable: never a rare place name
        counts[tuple(key)] += row["n"]
    return dict(counts)


def municipality_ids() -> set[str]:
    kind = Administration.Kind.MUNICIPALITY
    return set(Administration.objects.filter(kind=kind).values_list("id", flat=True))


def submitted_counts(period: Period) -> Counts:
    """(month of submission, procedure, municipality) → cases."""
    rows = (
        Case.objects.filter(period.q("submitted_at"))
        .order_by()
        .values("procedure_id", month=TruncMonth("submitted_at"))
        .annotate(municipality=municipality_expression(), n=Count("id"))
    )
    return _keyed(rows, municipality_ids(), "procedure_id", "municipality")


def decided_counts(period: Period) -> Counts:
    """(month of decision, procedure, municipality) → cases decided."""
    rows = (
        CaseEvent.objects.filter(period.q("at"), status__in=DECIDED)
        .order_by()
        .values(month=TruncMonth("at"), procedure_id=F("case__procedure_id"))
        .annotate(municipality=municipality_expression("case__"), n=Count("id"))
    )
    return _keyed(rows, municipality_ids(), "procedure_id", "municipality")


def consultation_counts(period: Period) -> Counts:
    """(month, source, administration) → consultations of registers. Pseudonyms never read."""
    rows = (
        AccessLogEntry.objects.filter(period.q("created_at"))
        .exclude(source__in=NOT_A_REGISTER)
        .order_by()
        .values("source", "administration_id", month=TruncMonth("created_at"))
        .annotate(n=Count("id"))
    )
    return _keyed(rows, set(), "source", "administration_id")


HANDLING_SQL = """
SELECT c.procedure_id, c.administration_id, count(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY d.days),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY d.days)
FROM (SELECT e.case_id, extract(epoch FROM min(e.at)) AS decided_at
      FROM cases_caseevent e WHERE e.status IN ('approved', 'rejected') AND e.at < %s
      GROUP BY e.case_id) AS de
JOIN cases_case c ON c.id = de.case_id
CROSS JOIN LATERAL (SELECT (de.decided_at - extract(epoch FROM c.submitted_at)) / 86400.0
                    AS days) AS d
GROUP BY c.procedure_id, c.administration_id
"""


def handling_times(period: Period) -> list[HandlingTime]:
    """Days from submission to decision per procedure and handling administration."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(HANDLING_SQL, [period.until])
            return [HandlingTime(p, a, n, float(m), float(p90)) for p, a, n, m, p90 in cursor]
    days: dict[tuple[str, str], list[float]] = defaultdict(list)
    events = CaseEvent.objects.filter(period.q("at"), status__in=DECIDED).order_by("case_id", "at")
    seen: set[int] = set()
    for event in events.select_related("case"):
        if event.case_id not in seen:
            seen.add(event.case_id)
            case = event.case
            elapsed = (event.at - case.submitted_at).total_seconds() / 86400
            days[(case.procedure_id, case.administration_id)].append(elapsed)
    return [
        HandlingTime(p, a, len(v), statistics.median(v), _percentile(v, 0.9))
        for (p, a), v in sorted(days.items())
    ]


def _percentile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks, as PostgreSQL's ``percentile_cont``."""
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


FIELDS_SQL = """
SELECT c.procedure_id, count(*),
       sum(jsonb_array_length(jsonb_path_query_array(c.facts, '$.*.*'))),
       sum(jsonb_array_length(jsonb_path_query_array(c.answers, '$.*')))
FROM cases_case c WHERE c.submitted_at < %s GROUP BY c.procedure_id
"""


def field_counts(period: Period) -> dict[str, tuple[int, int, int]]:
    """Procedure → (cases, facts read from registers, answers typed)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(FIELDS_SQL, [period.until])
            return {p: (n, int(f or 0), int(a or 0)) for p, n, f, a in cursor}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    cases = Case.objects.filter(period.q("submitted_at")).values_list(
        "procedure_id", "facts", "answers"
    )
    for procedure, facts, answers in cases.iterator():
        row = totals[procedure]
        row[0] += 1
        row[1] += sum(len(v) for v in facts.values() if isinstance(v, dict))
        row[2] += len(answers) if isinstance(answers, dict) else 0
    return {p: (n, f, a) for p, (n, f, a) in totals.items()}
