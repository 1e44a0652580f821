"""The indicators of each procedure for the administration that runs it (GOV.UK's service KPIs:
completion rate, where people stop, time to complete, satisfaction), scoped like the queue.

A regional procedure belongs to its body; a municipal one (every municipality runs its own) is
measured per door: an Ixelles agent sees the journeys and answers that came through Ixelles'
door. Journeys of a municipal procedure on the region's door are in the open data only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet, Sum

from loket.cases.selectors import agent_administration_ids, queue_procedures
from loket.catalog.models import Procedure
from loket.core.models import User
from loket.performance.models import ANSWERS, QUESTIONS, Channel, Feedback, JourneyDay
from loket.performance.stops import PageStop, add_stops

SCORES = (5, 4, 3, 2, 1)
MAX_COMMENTS = 100


@dataclass(frozen=True)
class ChannelAnswers:
    question: str
    channel: str
    rows: list[tuple[str, int]]
    mean: float | None
    responses: int


@dataclass
class ProcedureIndicators:
    procedure: Procedure
    started: int = 0
    sent: int = 0
    median_minutes: float | None = None
    stops: list[PageStop] = field(default_factory=list)
    distribution: dict[int, int] = field(default_factory=dict)
    by_channel: dict[str, dict[int, int]] = field(default_factory=dict)
    comments: list[Feedback] = field(default_factory=list)

    @property
    def completion(self) -> float | None:
        """Sent per started, 0 to 1 (journeys started before the period may be sent in it)."""
        return min(1.0, self.sent / self.started) if self.started else None

    @property
    def median_whole_minutes(self) -> int | None:
        return None if self.median_minutes is None else round(self.median_minutes)

    @property
    def responses(self) -> int:
        return sum(self.distribution.values())

    @property
    def mean_score(self) -> float | None:
        total = sum(score * n for score, n in self.distribution.items())
        return total / self.responses if self.responses else None

    @property
    def channel_means(self) -> list[tuple[str, float | None, int]]:
        """Per channel: its label, mean answer and number of answers (procedure page first)."""
        return [(c.channel, c.mean, c.responses) for c in self.channels]

    @property
    def channels(self) -> list[ChannelAnswers]:
        """Each question with its answers, best first, and its mean (for the page)."""
        found = []
        for channel in (Channel.PROCEDURE_PAGE, Channel.AFTER_APPLICATION):
            scores = self.by_channel.get(channel, {})
            n = sum(scores.values())
            rows = [(str(ANSWERS[channel][s]), scores.get(s, 0)) for s in SCORES]
            mean = sum(s * k for s, k in scores.items()) / n if n else None
            found.append(ChannelAnswers(str(QUESTIONS[channel]), str(channel.label), rows, mean, n))
        return found

    @property
    def score_rows(self) -> list[tuple[int, int]]:
        return [(score, self.distribution.get(score, 0)) for score in SCORES]


def weighted_median(pairs: Iterable[tuple[float, int]]) -> float | None:
    """The median of values given with their counts (the mean of the two middle ones)."""
    ordered = sorted((value, n) for value, n in pairs if n > 0)
    total = sum(n for _value, n in ordered)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found: list[float] = []
    seen = 0
    for value, n in ordered:
        while middle and middle[0] < seen + n:
            found.append(value)
            middle.pop(0)
        seen += n
    return sum(found) / len(found)


def _scope(ids: list[str]) -> Q:
    return Q(procedure__administration_id__in=ids) | Q(
        procedure__administration__isnull=True, door__administration_id__in=ids
    )


# A municipal procedure used on the region's door: no municipality runs it there, the region's
# service designers read its figures and comments.
REGION_DOOR_OF_MUNICIPAL = Q(
    procedure__administration__isnull=True, door__administration__isnull=True
)


@dataclass(frozen=True)
class Scope:
    """What one reader of the indicators sees: which procedures, and which rows of them
    (journeys, answers, drafts and cases alike carry a procedure and a door)."""

    procedures: list[Procedure]
    rows: Q
    region_door: bool  # the municipal procedures' rows of the region's door are included


def scope_of(user: User, region_designer: bool = False) -> Scope:
    """An agent's administrations' procedures (a municipal one through the agent's own door);
    for the region's service designers (``web.region.is_region_designer``, decided by the
    caller), also every municipal procedure's journeys and answers on the region's door."""
    ids = agent_administration_ids(user)
    procedures = list(queue_procedures(user)) if ids else []
    rows = _scope(ids)
    if region_designer:
        known = {p.id for p in procedures}
        municipal = Procedure.objects.filter(administration__isnull=True).order_by("id")
        procedures += [p for p in municipal if p.id not in known]
        rows |= REGION_DOOR_OF_MUNICIPAL
    return Scope(procedures, rows, region_designer)


def journeys_visible_to(user: User) -> QuerySet[JourneyDay]:
    return JourneyDay.objects.filter(_scope(agent_administration_ids(user)))


def feedback_visible_to(user: User) -> QuerySet[Feedback]:
    return Feedback.objects.filter(_scope(agent_administration_ids(user)))


def indicators_for(
    user: User, since: date, region_designer: bool = False
) -> list[ProcedureIndicators]:
    """Each procedure in the reader's scope (:func:`scope_of`), measured from ``since`` (drafts
    still in progress whenever they were started)."""
    scope = scope_of(user, region_designer)
    found = {p.id: ProcedureIndicators(p) for p in scope.procedures}
    journeys = JourneyDay.objects.filter(scope.rows, day__gte=since, procedure_id__in=found)
    totals = journeys.values("procedure_id", "event").annotate(n=Sum("count"))
    for row in totals:
        if row["event"] == JourneyDay.Event.STARTED:
            found[row["procedure_id"]].started = row["n"]
        elif row["event"] == JourneyDay.Event.SENT:
            found[row["procedure_id"]].sent = row["n"]
    minutes: dict[str, list[tuple[float, int]]] = defaultdict(list)
    sent = journeys.filter(event=JourneyDay.Event.SENT).values("procedure_id", "minutes")
    for sent_row in sent.annotate(n=Sum("count")):
        minutes[sent_row["procedure_id"]].append((sent_row["minutes"] or 0, sent_row["n"]))
    for procedure_id, pairs in minutes.items():
        found[procedure_id].median_minutes = weighted_median(pairs)
    add_stops(scope, found, journeys, since)
    answers = Feedback.objects.filter(scope.rows, day__gte=since, procedure_id__in=found)
    for score_row in answers.values("procedure_id", "channel", "score").annotate(n=Count("id")):
        indicators = found[score_row["procedure_id"]]
        score, n = score_row["score"], score_row["n"]
        indicators.distribution[score] = indicators.distribution.get(score, 0) + n
        by_channel = indicators.by_channel.setdefault(score_row["channel"], {})
        by_channel[score] = by_channel.get(score, 0) + n
    comments = answers.exclude(text="").select_related("door").order_by("-day", "-id")
    for answer in comments[: MAX_COMMENTS * 4]:
        kept = found[answer.procedure_id].comments
        if len(kept) < MAX_COMMENTS:
            kept.append(answer)
    return [found[p.id] for p in scope.procedures]
