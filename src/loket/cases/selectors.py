"""Reads of cases, scoped once and for all: tenancy is enforced here and nowhere else."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from loket.audit.actions import do_record_security_event
from loket.cases.models import Case
from loket.core.identifiers import pseudonym
from loket.core.models import Membership, User


def agent_administration_ids(user: User) -> list[str]:
    return list(
        user.memberships.filter(role=Membership.Role.AGENT).values_list(
            "administration_id", flat=True
        )
    )


def cases_visible_to(user: User) -> QuerySet[Case]:
    """The cases of the administrations where ``user`` is a case handler; nothing else."""
    return Case.objects.filter(administration_id__in=agent_administration_ids(user)).select_related(
        "procedure", "administration", "applicant"
    )


def get_case_for_agent(user: User, reference: str) -> Case:
    """One case of the agent's administrations, or 404 — the same 404 whether the case exists
    elsewhere or not at all, so that nobody can learn about another administration's cases.
    The attempt is logged."""
    case = cases_visible_to(user).filter(reference=reference).first()
    if case is None:
        do_record_security_event(
            "case-outside-tenancy",
            actor_pseudonym=pseudonym(user.national_number or f"user:{user.pk}"),
            reference=reference[:20],
            user_id=user.pk,
        )
        raise Http404
    return case


def cases_of_applicant(user: User) -> QuerySet[Case]:
    return Case.objects.filter(applicant=user).select_related("procedure", "administration")


def get_case_for_applicant(user: User, reference: str) -> Case:
    case = cases_of_applicant(user).filter(reference=reference).first()
    if case is None:
        raise Http404
    return case
