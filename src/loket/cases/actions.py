"""Every write on cases: submitting, and changing status. Views, API, CLI and tests call these."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from loket.audit.actions import do_record_consultation
from loket.cases.models import Case, CaseEvent
from loket.cases.references import new_reference
from loket.catalog.models import Procedure
from loket.core.identifiers import pseudonym
from loket.core.models import Administration, User
from loket.forms.models import Draft


class CannotSubmit(Exception):
    """The draft cannot become a case (e.g. no handling administration can be determined)."""


def handling_administration(procedure: Procedure, facts: dict[str, Any]) -> Administration:
    """The regional body that owns the procedure, or the municipality of residence."""
    if procedure.administration_id:
        return Administration.objects.get(id=procedure.administration_id)
    nis_code = facts.get("population", {}).get("address", {}).get("nis_code")
    administration = Administration.objects.filter(
        id=nis_code, kind=Administration.Kind.MUNICIPALITY
    ).first()
    if administration is None:
        raise CannotSubmit("no municipality of residence")
    return administration


def do_submit_case(draft: Draft, answers: dict[str, Any]) -> Case:
    """Turn a draft into a case in one transaction; a repeated submit returns the same case."""
    existing = Case.objects.filter(
        applicant=draft.user, idempotency_key=draft.idempotency_key
    ).first()
    if existing is not None:
        return existing
    administration = handling_administration(draft.procedure, draft.facts)
    try:
        with transaction.atomic():
            case = _create_case(draft, answers, administration)
            CaseEvent.objects.create(case=case, status=case.status, actor=draft.user)
            draft.delete()
    except IntegrityError:
        # A concurrent submit of the same draft won the race: return its case.
        return Case.objects.get(applicant=draft.user, idempotency_key=draft.idempotency_key)
    return case


def _create_case(draft: Draft, answers: dict[str, Any], administration: Administration) -> Case:
    for _attempt in range(5):
        reference = new_reference()
        if not Case.objects.filter(reference=reference).exists():
            break
    return Case.objects.create(
        reference=reference,
        procedure=draft.procedure,
        definition_version=draft.definition_version,
        applicant=draft.user,
        administration=administration,
        facts=draft.facts,
        answers=answers,
        declared_instead=draft.unavailable,
        language=draft.user.preferred_language,
        idempotency_key=draft.idempotency_key,
    )


ALLOWED_TRANSITIONS = {
    Case.Status.SUBMITTED: {Case.Status.IN_PROGRESS, Case.Status.APPROVED, Case.Status.REJECTED},
    Case.Status.IN_PROGRESS: {Case.Status.APPROVED, Case.Status.REJECTED},
}


class InvalidTransition(Exception):
    pass


@transaction.atomic
def do_change_status(case: Case, agent: User, status: str, note: str = "") -> Case:
    """Move a case along its workflow. The caller has already scoped ``case`` to ``agent``."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if status not in ALLOWED_TRANSITIONS.get(Case.Status(case.status), set()):
        raise InvalidTransition(f"{case.status} → {status}")
    case.status = status
    case.save(update_fields=["status", "updated_at"])
    CaseEvent.objects.create(case=case, status=status, actor=agent, note=note)
    return case


def do_record_case_opening(case: Case, agent: User) -> None:
    """An agent opened a case holding personal data: the applicant sees it under My data."""
    do_record_consultation(
        subject_pseudonym=pseudonym(case.applicant.national_number or f"user:{case.applicant_id}"),
        subject_kind="person",
        source="case",
        attributes=["file"],
        procedure_id=case.procedure_id,
        purpose="handle-case",
        legal_basis_id=f"{case.procedure_id}/handle-case",
        actor_pseudonym=pseudonym(agent.national_number or f"user:{agent.pk}"),
        actor_role="agent",
        administration_id=case.administration_id,
        case_reference=case.reference,
        outcome="answered",
    )
