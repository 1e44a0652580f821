"""Reads of cases, scoped once and for all: tenancy is enforced here and nowhere else.

Who may see a case, its documents and its attachments is decided by the ``get_*_for_*``
functions below; each answers the same 404 for "not yours" as for "does not exist" (nobody learns
what exists elsewhere) and logs the refused attempt as a security event.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.cases.models import OPEN_STATUSES, Case, CaseEvent, CaseMessage
from loket.cases.references import normalise_reference
from loket.core.models import Membership, User
from loket.forms.models import Attachment

BACK_OFFICE_ROLES = (Membership.Role.AGENT, Membership.Role.MANAGER)


def agent_administration_ids(user: User) -> list[str]:
    return list(
        user.memberships.filter(role__in=BACK_OFFICE_ROLES).values_list(
            "administration_id", flat=True
        )
    )


def is_manager(user: User, administration_id: str) -> bool:
    return user.memberships.filter(
        administration_id=administration_id, role=Membership.Role.MANAGER
    ).exists()


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases of the administrations where ``user`` handles cases; nothing else."""
    return Case.objects.filter(administration_id__in=agent_administration_ids(user)).select_related(
        "procedure", "administration", "applicant", "assigned_to"
    )


def colleagues_of(user: User) -> QuerySet[User]:
    return User.objects.filter(
        memberships__administration_id__in=agent_administration_ids(user),
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


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"
    procedure: str = ""
    assigned: str = ""  # "", "me", "nobody" or a user id
    older_than_days: int | None = None
    overdue: bool = False
    reference: str = ""


def filter_queue(cases: QuerySet[Case], filters: QueueFilters, me: User) -> QuerySet[Case]:
    if filters.reference:
        return cases.filter(reference=normalise_reference(filters.reference) or "-")
    if filters.status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif filters.status in Case.Status.values:
        cases = cases.filter(status=filters.status)
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
    return cases.order_by("due_on", "submitted_at")


@dataclass(frozen=True)
class Figures:
    open: int
    overdue: int
    waiting_for_applicant: int
    median_days: float | None


def queue_figures(cases: QuerySet[Case]) -> Figures:
    today = timezone.localdate()
    decided = cases.filter(decided_at__isnull=False).values_list("submitted_at", "decided_at")
    durations = [
        (decided_at - submitted_at).total_seconds() / 86400
        for submitted_at, decided_at in decided.order_by("-decided_at")[:1000]
        if decided_at is not None
    ]
    return Figures(
        open=cases.filter(status__in=OPEN_STATUSES).count(),
        overdue=cases.filter(Q(status__in=OPEN_STATUSES) & Q(due_on__lt=today)).count(),
        waiting_for_applicant=cases.filter(status=Case.Status.INFORMATION_REQUESTED).count(),
        median_days=round(statistics.median(durations), 1) if durations else None,
    )


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
