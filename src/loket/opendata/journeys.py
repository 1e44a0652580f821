"""The service-performance dataset's figures: journeys started and sent, their time, and the
answers to "Was it easy?", per month, procedure and door, read from the anonymous counters of
``loket.performance`` (never a draft, a case or a comment: free text is never published).

Months are those of the day counted (a journey started in one month and sent in the next
counts as started in the first and sent in the second), so a complete month never changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import product

from django.db.models import Count, Sum

from loket.opendata.aggregate import Counts, Period
from loket.opendata.disclosure import TOTAL, Key
from loket.performance.models import Channel, Feedback, JourneyDay
from loket.performance.selectors import weighted_median

NO_DOOR = "none"  # a journey made before doors existed, or whose door was removed


@dataclass
class Figures:
    """Counts per (month, procedure, door), and what the derived figures are computed from,
    per key and for every margin (``total``) of the procedure and the door."""

    started: Counts = field(default_factory=dict)
    sent: Counts = field(default_factory=dict)
    responses: Counts = field(default_factory=dict)
    minutes: dict[Key, list[tuple[float, int]]] = field(default_factory=dict)
    score_sums: dict[Key, int] = field(default_factory=dict)
    margins: dict[str, dict[Key, int]] = field(default_factory=dict)

    def exact(self, measure: str, key: Key) -> int:
        """The unrounded count of a key or margin (what shares and means are computed from)."""
        return self.margins.get(measure, {}).get(key, 0)


def _month(day: date) -> str:
    return day.strftime("%Y-%m")


def _with_margins(key: Key) -> Iterator[Key]:
    """The key and its margins over the procedure and the door (the month stays)."""
    month, *rest = key
    for mask in product((False, True), repeat=len(rest)):
        yield (month, *(TOTAL if m else part for part, m in zip(rest, mask, strict=True)))


def figures(period: Period) -> Figures:
    until = period.until.date()
    found = Figures()
    counts: dict[str, Counts] = {"started": defaultdict(int), "sent": defaultdict(int)}
    minutes: dict[Key, list[tuple[float, int]]] = defaultdict(list)
    rows = (
        JourneyDay.objects.filter(day__lt=until, event__in=("started", "sent"))
        .order_by()
        .values("day", "procedure_id", "door_id", "event", "minutes")
        .annotate(n=Sum("count"))
    )
    for row in rows:
        key = (_month(row["day"]), row["procedure_id"], row["door_id"] or NO_DOOR)
        counts[row["event"]][key] += row["n"]
        if row["event"] == "sent":
            for margin in _with_margins(key):
                minutes[margin].append((row["minutes"] or 0, row["n"]))
    responses: Counts = defaultdict(int)
    score_sums: dict[Key, int] = defaultdict(int)
    answers = (
        # "Was it easy?", asked after sending; the procedure page's "did you find what you
        # needed?" is another question, for the administration only.
        Feedback.objects.filter(day__lt=until, channel=Channel.AFTER_APPLICATION)
        .order_by()
        .values("day", "procedure_id", "door_id", "score")
        .annotate(n=Count("id"))
    )
    for answer in answers:
        cell = (_month(answer["day"]), answer["procedure_id"], answer["door_id"] or NO_DOOR)
        responses[cell] += answer["n"]
        for margin in _with_margins(cell):
            score_sums[margin] += answer["score"] * answer["n"]
    found.started, found.sent = dict(counts["started"]), dict(counts["sent"])
    found.responses, found.minutes, found.score_sums = dict(responses), minutes, score_sums
    for measure, cells in (("started", found.started), ("sent", found.sent),
                           ("responses", found.responses)):  # fmt: skip
        margins: dict[Key, int] = defaultdict(int)
        for cell_key, value in cells.items():
            for margin in _with_margins(cell_key):
                margins[margin] += value
        found.margins[measure] = dict(margins)
    return found


def median_minutes(found: Figures, key: Key) -> float | None:
    return weighted_median(found.minutes.get(key, []))
