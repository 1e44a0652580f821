"""Reads of cases, scoped once and for all: tenancy is enforced here and nowhere else.

Who may see a case, its documents and its attachments is decided by the ``get_*_for_*``
functions below; each answers the same 404 for "not yours" as for "does not exist" (nobody learns
what exists elsewhere) and logs the refused attempt as a security event.
"""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, NoReturn

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import ExtractIsoYear, ExtractWeek
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.audit.actions import do_record_security_event
from loket.audit.models import AccessLogEntry
from loket.audit.subjects import person_pseudonym
from loket.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseMessage
from loket.cases.references import normalise_reference
from loket.catalog.models import Procedure
from loket.catalog.search import held_catalogue
from loket.core.administrations import held_administrations
from loket.core.models import Administration, Membership, User, national_number_index
from loket.core.prepared import PreparedInstance, PreparedRead
from loket.forms.definitions import OneRunning
from loket.forms.models import Attachment

BACK_OFFICE_ROLES = (Membership.Role.AGENT, Membership.Role.MANAGER)


def _back_office_memberships(user_id: int) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user_id, role__in=BACK_OFFICE_ROLES)


# Read on every back-office request (who may handle what): compiled once per process.
_agent_administrations = PreparedRead(
    lambda user_id: (
        _back_office_memberships(user_id)
        .order_by("administration_id")
        .values_list("administration_id")
    ),
    kinds=(int,),
)


# Looked up two or three times on every send (a second click, or another process, may have sent
# the draft already): compiled once per process.
def _sent_with(applicant_id: int, key: uuid.UUID) -> QuerySet[Case]:
    return Case.objects.filter(applicant_id=applicant_id, idempotency_key=key)


_CASE_SENT_WITH = PreparedInstance(Case, _sent_with, kinds=(int, uuid.UUID))
_SENT_AT = PreparedRead(
    lambda applicant_id, key: _sent_with(applicant_id, key).values_list("submitted_at"),
    kinds=(int, uuid.UUID),
)


def case_sent_with(applicant_id: int, key: uuid.UUID) -> Case | None:
    """The case ``applicant_id`` sent with the idempotency key ``key`` (one at most), or None."""
    return _CASE_SENT_WITH.first(applicant_id, key)


def sent_at(applicant_id: int, key: uuid.UUID) -> datetime | None:
    """When the case ``applicant_id`` sent with the key ``key`` was submitted, or None."""
    rows = _SENT_AT.rows(applicant_id, key)
    return rows[0][0] if rows else None


def agent_administration_ids(user: User) -> list[str]:
    """The administrations where ``user`` handles cases, by id."""
    return [row[0] for row in _agent_administrations.rows(user.pk)] if user.pk else []


def agent_administrations(user: User) -> list[Administration]:
    """The administrations where ``user`` handles cases, held in memory, in the model's order."""
    ids = set(agent_administration_ids(user))
    return [a for pk, a in held_administrations().items() if pk in ids]


def agent_memberships(user: User) -> QuerySet[Membership]:
    """The memberships that let ``user`` handle cases. Filtering on it puts the read of the
    memberships inside the query (a subquery), instead of one more round trip each time."""
    return _back_office_memberships(user.pk)


def is_manager(user: User, administration_id: str) -> bool:
    return user.memberships.filter(
        administration_id=administration_id, role=Membership.Role.MANAGER
    ).exists()


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases of the administrations where ``user`` handles cases; nothing else."""
    administrations = agent_memberships(user).values("administration_id")
    return Case.objects.filter(administration_id__in=administrations).select_related(
        "procedure", "administration", "applicant", "assigned_to"
    )


def colleagues_of(user: User) -> QuerySet[User]:
    return User.objects.filter(
        memberships__administration_id__in=agent_memberships(user).values("administration_id"),
        memberships__role__in=BACK_OFFICE_ROLES,
    ).distinct()


def get_case_for_agent(user: User, reference: str) -> Case:
    """One case of the agent's administrations, or 404 — the same 404 whether the case exists
    elsewhere or not at all, so that nobody can learn about another administration's cases.
    The attempt is logged."""
    case = cases_visible_to(user).filter(reference=normalise_reference(reference) or "-").first()
    if case is None:
        _refuse(user, "case-outside-tenancy", reference=reference[:30])
    return case


def _refuse(user: User, kind: str, **detail: object) -> NoReturn:
    do_record_security_event(kind, actor_pseudonym=person_pseudonym(user), user_id=user.pk,
                             **detail)  # fmt: skip
    raise Http404


@dataclass(frozen=True)
class Changes:
    """What happened to a case after a given version: history entries and messages."""

    events: list[CaseEvent]
    messages: list[CaseMessage]


def changes_since(case: Case, version: int) -> Changes:
    """The history entries and messages that writes after ``version`` added (the back-office
    shows them to an agent whose change was refused because the case moved meanwhile)."""
    return Changes(
        events=list(case.events.filter(version__gt=version).select_related("actor", "assignee")),
        messages=list(
            case.messages.filter(version__gt=version)
            .select_related("author")
            .prefetch_related("attachments")
        ),
    )


# How the queue may be sorted: the form's value and the order it means (ties by reference).
QUEUE_ORDERS: dict[str, tuple[str, ...]] = {
    "due": ("due_on", "submitted_at"),
    "received": ("submitted_at",),
    "-received": ("-submitted_at",),
    "status": ("status", "due_on"),
    "procedure": ("procedure__id", "due_on"),
}


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    procedure: str = ""
    assigned: str = ""  # "", "me", "nobody" or a user id
    older_than_days: int | None = None
    overdue: bool = False
    replied: bool = False
    reference: str = ""
    sort: str = "due"


def filter_queue(cases: QuerySet[Case], filters: QueueFilters, me: User) -> QuerySet[Case]:
    """The queue as filtered and sorted, each case annotated with ``open_same`` (how many open
    cases its applicant has for the same procedure: more than one is flagged)."""
    order = (*QUEUE_ORDERS.get(filters.sort, QUEUE_ORDERS["due"]), "reference")
    if filters.reference:
        found = cases.filter(reference=normalise_reference(filters.reference) or "-")
        return _annotated(found).order_by(*order)
    cases = with_status(cases, filters.status)
    if filters.procedure:
        cases = cases.filter(procedure_id=filters.procedure)
    if filters.assigned == "me":
        cases = cases.filter(assigned_to=me)
    elif filters.assigned == "nobody":
        cases = cases.filter(assigned_to__isnull=True)
    elif filters.assigned.isdigit():
        cases = cases.filter(assigned_to_id=int(filters.assigned))
    if filters.older_than_days:
        cases = cases.filter(submitted_at__lte=timezone.now() - timedelta(filters.older_than_days))
    if filters.overdue:
        cases = cases.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
    if filters.replied:
        cases = cases.filter(reply_received_at__isnull=False)
    return _annotated(cases).order_by(*order)


def with_status(cases: QuerySet[Case], status: str) -> QuerySet[Case]:
    """The cases in ``status``, or open ("open"), or all ("all" or any other word)."""
    if status == "open":
        return cases.filter(status__in=OPEN_STATUSES)
    if status in Case.Status.values:
        return cases.filter(status=status)
    return cases


def cases_named(cases: QuerySet[Case], text: str) -> QuerySet[Case]:
    """The cases whose applicant's first or last name holds every word typed (2+ letters)."""
    words = [word for word in text.split() if len(word) >= 2][:4]
    if not words:
        return cases.none()
    for word in words:
        cases = cases.filter(
            Q(applicant__first_name__icontains=word) | Q(applicant__last_name__icontains=word)
        )
    return _annotated(cases).order_by(*QUEUE_ORDERS["-received"])


def cases_of_person(cases: QuerySet[Case], national_number: str) -> QuerySet[Case]:
    """The cases whose applicant holds this national number; call it only through
    ``cases.actions.do_find_person``, which logs the search as a consultation."""
    index = national_number_index(national_number)
    return _annotated(cases.filter(applicant__national_number_index=index)).order_by(
        *QUEUE_ORDERS["-received"]
    )


def _annotated(cases: QuerySet[Case]) -> QuerySet[Case]:
    same = (
        Case.objects.filter(
            applicant=OuterRef("applicant"),
            procedure=OuterRef("procedure"),
            status__in=OPEN_STATUSES,
        )
        .values("applicant")
        .annotate(count=Count("id"))
        .values("count")
    )
    return cases.annotate(open_same=Subquery(same, output_field=IntegerField()))


def queue_procedures(user: User) -> list[Procedure]:
    """The procedures whose cases the agent's administrations handle: their own, and the
    municipalities' procedures for an agent of a municipality. From the held catalogue (no
    query but the agent's administrations), in the order of their ids."""
    ids = set(agent_administration_ids(user))
    held = held_administrations()
    municipal = any(i in held and held[i].kind == Administration.Kind.MUNICIPALITY for i in ids)
    procedures = held_catalogue().procedures.values()
    return sorted(
        (p for p in procedures if p.administration_id in ids
         or (municipal and p.administration_id is None)),
        key=lambda p: p.id,
    )  # fmt: skip


@dataclass(frozen=True)
class Figures:
    open: int
    overdue: int
    waiting_for_applicant: int
    replies: int
    median_days: float | None


def queue_figures(cases: QuerySet[Case]) -> Figures:
    today = timezone.localdate()
    decided = cases.filter(decided_at__isnull=False).values_list("submitted_at", "decided_at")
    durations = [
        (decided_at - submitted_at).total_seconds() / 86400
        for submitted_at, decided_at in decided.order_by("-decided_at")[:1000]
        if decided_at is not None
    ]
    is_open = Q(status__in=OPEN_STATUSES)
    counts = cases.order_by().aggregate(  # one pass over the cases, not one count each
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & Q(due_on__lt=today)),
        waiting_for_applicant=Count("pk", filter=Q(status=Case.Status.INFORMATION_REQUESTED)),
        replies=Count("pk", filter=is_open & Q(reply_received_at__isnull=False)),
    )
    return Figures(
        **counts, median_days=round(statistics.median(durations), 1) if durations else None
    )


@dataclass(frozen=True)
class Opening:
    who: str
    at: datetime


def openings_of_case(user: User, case: Case) -> list[Opening] | None:
    """Who opened the case and when (one entry per handling, see ``do_record_case_opening``),
    for a head of service of its administration; None for anyone else."""
    if not is_manager(user, case.administration_id):
        return None
    entries = AccessLogEntry.objects.filter(
        case_reference=case.reference, source="case", purpose="handle-case"
    ).order_by("-leaf_index")[:200]
    names = {person_pseudonym(u): u.display_name for u in colleagues_of(user)}
    gone = _("an agent no longer in the service")
    return [Opening(names.get(e.actor_pseudonym, gone), e.created_at) for e in entries]


@dataclass(frozen=True)
class FigureRow:
    key: str
    label: str
    received: int
    decided: int
    open: int
    overdue: int


def figures_by(cases: QuerySet[Case], dimension: str) -> list[FigureRow]:
    """Counts by ``procedure``, ``agent`` (assigned to) or ISO ``week`` of receipt: received,
    decided, still open and overdue among them."""
    today = timezone.localdate()
    is_open = Q(status__in=OPEN_STATUSES)
    counts = {
        "received": Count("id"),
        "decided": Count("id", filter=Q(decided_at__isnull=False)),
        "open": Count("id", filter=is_open),
        "overdue": Count("id", filter=is_open & Q(due_on__lt=today)),
    }
    if dimension == "week":
        since = timezone.now() - timedelta(weeks=26)
        rows = (
            cases.filter(submitted_at__gte=since)
            .annotate(year=ExtractIsoYear("submitted_at"), week=ExtractWeek("submitted_at"))
            .values("year", "week").annotate(**counts).order_by("-year", "-week")
        )  # fmt: skip
        weeks = [(f"{r['year']}-W{r['week']:02d}", r) for r in rows]
        return [_row(week, week, r) for week, r in weeks]
    field = "procedure_id" if dimension == "procedure" else "assigned_to_id"
    rows = cases.values(field).annotate(**counts).order_by(field)
    if dimension == "procedure":
        names = {p.id: p.name for p in Procedure.objects.filter(id__in=[r[field] for r in rows])}
    else:
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=[r[field] for r in rows])}
    nobody = _("Nobody")
    return [_row(str(r[field] or ""), names.get(r[field], nobody), r) for r in rows]


def _row(key: str, label: str, counts: Mapping[str, Any]) -> FigureRow:
    return FigureRow(key, label, counts["received"], counts["decided"], counts["open"],
                     counts["overdue"])  # fmt: skip


def cases_of_applicant(user: User) -> QuerySet[Case]:
    return Case.objects.filter(applicant=user).select_related("procedure", "administration")


def get_case_for_applicant(user: User, reference: str) -> Case:
    """One of the user's own cases, or 404 (logged): another resident's case is not there."""
    case = cases_of_applicant(user).filter(reference=reference[:30]).first()
    if case is None:
        _refuse(user, "case-not-applicants", reference=reference[:30])
    return case


def cases_sent_at_counter_since(agent: User, resident_id: int, since: datetime) -> QuerySet[Case]:
    """What the agent sent at a counter for the resident since ``since`` (the start of the
    counter session), oldest first."""
    return Case.objects.filter(
        applicant_id=resident_id,
        submitted_by=agent,
        channel=Case.Channel.COUNTER,
        submitted_at__gte=since,
    ).order_by("submitted_at")


def get_case_sent_at_counter(agent: User, reference: str) -> Case:
    """A case this agent entered at a counter today: what the counter's confirmation shows and
    lets them print for the resident present. Any other case is the same logged 404; the next
    day the case is only reachable through the back-office, like any other."""
    case = (
        Case.objects.filter(
            reference=normalise_reference(reference) or "-",
            channel=Case.Channel.COUNTER,
            submitted_by=agent,
            submitted_at__date=timezone.localdate(),
        )
        .select_related("procedure", "administration", "applicant", "counter_administration")
        .first()
    )
    if case is None:
        _refuse(agent, "counter-case-refused", reference=reference[:30])
    return case


def get_attachment_for(user: User, attachment_id: str) -> Attachment:
    """A file for whoever may see it: its uploader, the applicant of its case, or an agent of
    the case's administration. Anyone else gets 404, and the attempt is logged."""
    attachment = Attachment.objects.filter(id=attachment_id).first()
    if attachment is None or not _may_see(user, attachment):
        _refuse(user, "attachment-refused", attachment=str(attachment_id)[:40])
    return attachment


def get_case_attachment_for_agent(user: User, reference: str, attachment_id: str) -> Attachment:
    """A file of one case of the agent's administrations (the API's document links), or 404,
    logged: a file of another case is not reached through this one."""
    case = get_case_for_agent(user, reference)
    attachment = Attachment.objects.filter(case=case, id=attachment_id).first()
    if attachment is None:
        _refuse(user, "attachment-refused", attachment=str(attachment_id)[:40])
    return attachment


def _may_see(user: User, attachment: Attachment) -> bool:
    if attachment.owner_id == user.pk:
        return True
    case = attachment.cases.first()  # a file belongs to at most one case
    if case is None:
        return False
    return case.applicant_id == user.pk or case.administration_id in agent_administration_ids(user)


@dataclass(frozen=True)
class RunningGrant:
    """A grant (a card, a permit) that stops a new application for the same thing: granted and
    valid ``until`` that day, or (``until`` None) an application still being handled."""

    value: str
    until: date | None
    reference: str = ""
    applicant_id: int | None = None
    awaiting_payment: bool = False  # the application is handled once its fee is paid


def running_grants(
    procedure_id: str, rule: OneRunning, values: Iterable[str], today: date | None = None
) -> dict[str, RunningGrant]:
    """The running grants of this procedure for these answers of ``rule.field``, by answer;
    whoever applied (the thing, not the person, holds the grant: a household shares its cars)."""
    wanted = [value for value in values if value]
    if not wanted:
        return {}
    today = today or timezone.localdate()
    granted = (Case.Status.APPROVED, Case.Status.DELIVERED)
    cases = Case.objects.filter(
        procedure_id=procedure_id,
        status__in=(*OPEN_STATUSES, *granted),
        **{f"answers__{rule.field}__in": wanted},
    ).only("status", "answers", "decided_at", "submitted_at", "reference", "applicant_id")
    found: dict[str, RunningGrant] = {}
    for case in cases:
        value = str(case.answers.get(rule.field))
        until = None
        if case.status not in OPEN_STATUSES:
            until = _grant_start(case, rule) + timedelta(days=rule.valid_days - 1)
            if until < today:
                continue
        if value not in found or _outlasts(until, found[value].until):
            found[value] = RunningGrant(
                value, until, case.reference, case.applicant_id,
                awaiting_payment=case.status == Case.Status.AWAITING_PAYMENT,
            )  # fmt: skip
    return found


# What makes two main addresses the same home (``since`` is each resident's own).
HOME_KEYS = ("street_fr", "house_number", "box", "postcode")


def home_of(facts: Mapping[str, Any]) -> dict[str, Any] | None:
    """The main address in the facts read for a case (``population.address``), or None."""
    population = facts.get("population") if isinstance(facts, Mapping) else None
    address = population.get("address") if isinstance(population, Mapping) else None
    if not isinstance(address, Mapping) or not address.get("postcode"):
        return None
    return {key: address.get(key, "") for key in HOME_KEYS}


def count_running_for_home(
    procedure_id: str, rule: OneRunning | None, facts: Mapping[str, Any], applicant: User,
    exclude: int | None = None, today: date | None = None,
) -> int:  # fmt: skip
    """How many applications of this procedure are open, or granted and still valid (per
    ``rule``; without one, granted at all), for the same home as ``facts`` say: everyone living
    at the same main address. Without an address in the facts, the applicant's own ones. An
    expired grant (last year's card being renewed) does not count."""
    today = today or timezone.localdate()
    granted = (Case.Status.APPROVED, Case.Status.DELIVERED)
    cases = Case.objects.filter(procedure_id=procedure_id, status__in=(*OPEN_STATUSES, *granted))
    home = home_of(facts)
    if home is None:
        cases = cases.filter(applicant=applicant)
    else:
        cases = cases.filter(
            **{f"facts__population__address__{key}": value for key, value in home.items()}
        )
    if exclude is not None:
        cases = cases.exclude(pk=exclude)
    count = 0
    for case in cases.only("status", "answers", "decided_at", "submitted_at"):
        if case.status in granted and rule is not None:
            until = _grant_start(case, rule) + timedelta(days=rule.valid_days - 1)
            if until < today:
                continue
        count += 1
    return count


def awaiting_payment_for(
    applicant: User, procedure_id: str, rule: OneRunning, value: str
) -> Case | None:
    """The applicant's own application of this procedure for ``value`` (a plate) that waits for
    its payment: what to pay instead of applying again."""
    if not value:
        return None
    waiting = Case.objects.filter(
        applicant=applicant, procedure_id=procedure_id, status=Case.Status.AWAITING_PAYMENT
    )
    return waiting.filter(**{f"answers__{rule.field}": value}).order_by("-submitted_at").first()


def open_applications_of(applicant: User, procedure_id: str) -> list[Case]:
    """The applicant's own applications of this procedure still being handled, newest first."""
    return list(
        Case.objects.filter(
            applicant=applicant, procedure_id=procedure_id, status__in=OPEN_STATUSES
        ).order_by("-submitted_at")
    )


def _outlasts(until: date | None, other: date | None) -> bool:
    """An open application (None) comes first, then the grant that runs the longest."""
    return other is not None and (until is None or until > other)


def _grant_start(case: Case, rule: OneRunning) -> date:
    answered = case.answers.get(rule.starts) if rule.starts else None
    if isinstance(answered, str):
        try:
            return date.fromisoformat(answered)
        except ValueError:
            pass
    moment = case.decided_at or case.submitted_at
    return timezone.localdate(moment)


def open_request(case: Case) -> CaseMessage | None:
    """The administration's request for information that the applicant has yet to answer (the
    case waits for it), or None."""
    if case.status != Case.Status.INFORMATION_REQUESTED:
        return None
    return (
        case.messages.filter(requests_information=True)
        .prefetch_related("attachments")
        .order_by("-created_at", "-id")
        .first()
    )
