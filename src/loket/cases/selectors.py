"""Reads of cases, scoped once and for all: tenancy is enforced here and nowhere else."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.cases.models import OPEN_STATUSES, Case
from loket.cases.references import normalise_reference
from loket.core.models import Membership, User

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
        do_record_security_event(
            "case-outside-tenancy",
            actor_pseudonym=person_pseudonym(user),
            reference=reference[:30],
            user_id=user.pk,
        )
        raise Http404
    return case


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
    case = cases_of_applicant(user).filter(reference=reference).first()
    if case is None:
        raise Http404
    return case
