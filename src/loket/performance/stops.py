"""Where people stop: the page a journey that was not sent stopped ON (the page after the last
one answered: the first question when nothing was answered, "Check your answers" after the last
question), and, for a procedure with a fee, the payment of an application sent but never paid.

The counters keep the last page answered (``JourneyDay.page``); this module turns it into the
page the person was looking at when they left, in the order of the current form.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils.translation import gettext as _

from loket.cases.models import Case, CaseEvent
from loket.core.i18n import pick
from loket.forms.definitions import get_definition
from loket.forms.models import Draft
from loket.performance.journeys import last_page_answered
from loket.performance.models import JourneyDay

if TYPE_CHECKING:
    from loket.performance.selectors import ProcedureIndicators, Scope

CHECK_PAGE = "check"
PAYMENT = "payment"


@dataclass(frozen=True)
class PageStop:
    page_id: str
    title: str
    stopped: int
    in_progress: int
    percent_of_started: int | None  # stopped here per journey started in the period


def stopped_on(pages: list[str], last_answered: str) -> str:
    """The page after ``last_answered`` in ``pages`` (``CHECK_PAGE`` after the last); a page
    unknown to the current form stays as it is."""
    if not pages:
        return CHECK_PAGE
    if not last_answered:
        return pages[0]
    if last_answered not in pages:
        return last_answered
    index = pages.index(last_answered)
    return pages[index + 1] if index + 1 < len(pages) else CHECK_PAGE


def _unpaid(scope: Scope, procedure_ids: list[str], since: date) -> tuple[dict, dict]:
    """Per procedure: the applications sent in the period and withdrawn unpaid (the payment
    period lapsed, or the person withdrew before paying), and those awaiting payment now."""
    cases = Case.objects.filter(scope.rows, procedure_id__in=procedure_ids)
    was_awaiting = CaseEvent.objects.filter(
        case=OuterRef("pk"), status=Case.Status.AWAITING_PAYMENT
    )
    was_paid = CaseEvent.objects.filter(case=OuterRef("pk"), status=Case.Status.SUBMITTED)
    lapsed = cases.filter(
        Exists(was_awaiting), ~Exists(was_paid), status=Case.Status.WITHDRAWN,
        submitted_at__date__gte=since,
    )  # fmt: skip
    waiting = cases.filter(status=Case.Status.AWAITING_PAYMENT)

    def per_procedure(rows: QuerySet[Case]) -> dict[str, int]:
        counted = rows.values("procedure_id").annotate(n=Count("id"))
        return {row["procedure_id"]: row["n"] for row in counted}

    return per_procedure(lapsed), per_procedure(waiting)


def add_stops(
    scope: Scope, found: dict[str, ProcedureIndicators], journeys: QuerySet[JourneyDay], since: date
) -> None:
    """The journeys not sent, by the page they stopped on: given up or removed in the period,
    and still waiting now (read from the drafts themselves, counted, never shown)."""
    stopped: dict[tuple[str, str], int] = defaultdict(int)
    rows = journeys.filter(event=JourneyDay.Event.STOPPED).values("procedure_id", "page")
    waiting: dict[tuple[str, str], int] = defaultdict(int)
    page_ids: dict[str, list[str]] = {}
    titles: dict[str, dict[str, str]] = {}
    for procedure_id in found:
        definition = get_definition(procedure_id)
        page_ids[procedure_id] = [p.id for p in definition.pages] if definition else []
        titles[procedure_id] = {p.id: pick(p.title) for p in definition.pages} if definition else {}
    for row in rows.annotate(n=Sum("count")):
        procedure_id = row["procedure_id"]
        stopped[(procedure_id, stopped_on(page_ids[procedure_id], row["page"]))] += row["n"]
    drafts = Draft.objects.filter(scope.rows, procedure_id__in=found).only(
        "procedure_id", "definition_version", "answers"
    )
    for draft in drafts.iterator(chunk_size=2000):
        procedure_id = draft.procedure_id
        waiting[(procedure_id, stopped_on(page_ids[procedure_id], last_page_answered(draft)))] += 1
    lapsed, unpaid = _unpaid(scope, list(found), since)
    for procedure_id, indicators in found.items():
        if not page_ids[procedure_id]:
            continue
        names = {**titles[procedure_id], CHECK_PAGE: _("Check your answers before sending")}
        order = [*page_ids[procedure_id], CHECK_PAGE]
        order += sorted(
            {page for (pid, page) in [*stopped, *waiting] if pid == procedure_id} - set(order)
        )
        counts = {
            page: (stopped[(procedure_id, page)], waiting[(procedure_id, page)]) for page in order
        }
        if indicators.procedure.fee_eur > 0 or procedure_id in lapsed or procedure_id in unpaid:
            names[PAYMENT] = _("Payment (application sent, not paid)")
            order.append(PAYMENT)
            counts[PAYMENT] = (lapsed.get(procedure_id, 0), unpaid.get(procedure_id, 0))
        started = indicators.started
        indicators.stops = [
            PageStop(
                page,
                names.get(page, page),
                counts[page][0],
                counts[page][1],
                round(100 * counts[page][0] / started) if started else None,
            )
            for page in order
        ]
