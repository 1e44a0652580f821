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
from loket.core.i18n import pick
from loket.core.models import User
from loket.forms.definitions import get_definition
from loket.forms.models import Draft
from loket.performance.journeys import last_page_answered
from loket.performance.models import Feedback, JourneyDay

SCORES = (5, 4, 3, 2, 1)
MAX_COMMENTS = 100


@dataclass(frozen=True)
class PageStop:
    page_id: str
    title: str
    stopped: int
    in_progress: int


@dataclass
class ProcedureIndicators:
    procedure: Procedure
    started: int = 0
    sent: int = 0
    median_minutes: float | None = None
    stops: list[PageStop] = field(default_factory=list)
    distribution: dict[int, int] = field(default_factory=dict)
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


def journeys_visible_to(user: User) -> QuerySet[JourneyDay]:
    return JourneyDay.objects.filter(_scope(agent_administration_ids(user)))


def feedback_visible_to(user: User) -> QuerySet[Feedback]:
    return Feedback.objects.filter(_scope(agent_administration_ids(user)))


def indicators_for(user: User, since: date) -> list[ProcedureIndicators]:
    """Each procedure the agent's administrations run, measured from ``since`` (drafts still in
    progress whenever they were started)."""
    procedures = list(queue_procedures(user))
    found = {p.id: ProcedureIndicators(p) for p in procedures}
    journeys = journeys_visible_to(user).filter(day__gte=since, procedure_id__in=found)
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
    _add_stops(user, found, journeys)
    answers = feedback_visible_to(user).filter(day__gte=since, procedure_id__in=found)
    for score_row in answers.values("procedure_id", "score").annotate(n=Count("id")):
        found[score_row["procedure_id"]].distribution[score_row["score"]] = score_row["n"]
    for answer in answers.exclude(text="").order_by("-day", "-id")[: MAX_COMMENTS * 4]:
        comments = found[answer.procedure_id].comments
        if len(comments) < MAX_COMMENTS:
            comments.append(answer)
    return [found[p.id] for p in procedures]


def _add_stops(
    user: User, found: dict[str, ProcedureIndicators], journeys: QuerySet[JourneyDay]
) -> None:
    """Where the journeys that were not sent stopped: the last page answered, of the drafts
    thrown away or removed in the period and of those still waiting now."""
    stopped: dict[tuple[str, str], int] = defaultdict(int)
    rows = journeys.filter(event=JourneyDay.Event.STOPPED).values("procedure_id", "page")
    for row in rows.annotate(n=Sum("count")):
        stopped[(row["procedure_id"], row["page"])] += row["n"]
    waiting: dict[tuple[str, str], int] = defaultdict(int)
    drafts = Draft.objects.filter(
        _scope(agent_administration_ids(user)), procedure_id__in=found
    ).only("procedure_id", "definition_version", "answers")
    for draft in drafts.iterator(chunk_size=2000):
        waiting[(draft.procedure_id, last_page_answered(draft))] += 1
    for procedure_id, indicators in found.items():
        definition = get_definition(procedure_id)
        pages = [("", None)] + [(p.id, p.title) for p in definition.pages] if definition else []
        indicators.stops = [
            PageStop(
                page_id,
                pick(title) if title else "",
                stopped[(procedure_id, page_id)],
                waiting[(procedure_id, page_id)],
            )
            for page_id, title in pages
        ]
