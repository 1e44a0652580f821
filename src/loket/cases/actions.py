"""Every write on cases: submit, change status, request information, message, assign, withdraw.

Views, the API, the CLI and the tests call these; each is one transaction, and each event that
matters to the applicant queues its notification in that same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from loket.audit.actions import do_record_consultation
from loket.audit.subjects import person_pseudonym
from loket.cases import notices
from loket.cases.models import Case, CaseEvent, CaseMessage
from loket.cases.references import new_reference
from loket.catalog.models import Procedure
from loket.core.i18n import current_language
from loket.core.models import Administration, Membership, User
from loket.forms.definitions import FormDefinition, get_definition
from loket.forms.models import Attachment, Draft
from loket.geo.feedback import do_record_unknown_address
from loket.geo.places import is_regional_road, resolve_place

Status = Case.Status
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.IN_PROGRESS, Status.INFORMATION_REQUESTED, Status.APPROVED,
                       Status.REJECTED},
    Status.IN_PROGRESS: {Status.INFORMATION_REQUESTED, Status.APPROVED, Status.REJECTED},
    Status.INFORMATION_REQUESTED: {Status.IN_PROGRESS, Status.APPROVED, Status.REJECTED},
}  # fmt: skip


class CannotSubmit(Exception):
    """The draft cannot become a case (e.g. no handling administration can be determined)."""


class InvalidTransition(Exception):
    pass


def add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def handling_administration(
    procedure: Procedure, definition: FormDefinition | None, facts: dict[str, Any],
    answers: dict[str, Any],
) -> Administration:  # fmt: skip
    """The body chosen by the definition's routing, the owning body, the municipality of
    residence, or the municipality of the location."""
    if definition is not None and definition.routing is not None:
        routed = _routed_administration(definition, answers)
        if routed is not None:
            return routed
    if procedure.administration_id:
        return Administration.objects.get(id=procedure.administration_id)
    nis_code = ""
    if definition is not None and definition.handling == "municipality-of-location":
        nis_code = _location_municipality(definition, answers)
    if not nis_code:
        nis_code = facts.get("population", {}).get("address", {}).get("nis_code", "")
    if not nis_code:
        nis_code = (answers.get("declared") or {}).get("population.address.municipality", "")
    administration = Administration.objects.filter(
        id=nis_code, kind=Administration.Kind.MUNICIPALITY
    ).first()
    if administration is None:
        raise CannotSubmit("no municipality can be determined")
    return administration


def _location_municipality(definition: FormDefinition, answers: dict[str, Any]) -> str:
    location = answers.get(definition.location_field) or ""
    return str(location.get("municipality", "") if isinstance(location, dict) else location)


def _routed_administration(
    definition: FormDefinition, answers: dict[str, Any]
) -> Administration | None:
    """The first routing rule that matches the answers; ``None`` leaves it to the owning body."""
    routing = definition.routing
    assert routing is not None
    answer = str(answers.get(routing.field) or "")
    location = answers.get(definition.location_field)
    for rule in routing.rules:
        if answer not in rule.values:
            continue
        if rule.road == "regional" and not (
            isinstance(location, dict) and is_regional_road(resolve_place(location))
        ):
            continue
        return Administration.objects.get(id=rule.to)
    if routing.otherwise == "body":
        return None
    nis_code = routing.otherwise
    if routing.otherwise == "municipality-of-location":
        nis_code = _location_municipality(definition, answers)
    return Administration.objects.filter(id=nis_code).first()


def do_submit_case(
    draft: Draft, answers: dict[str, Any], submitted_by: User | None = None, channel: str = ""
) -> Case:
    """Turn a draft into a case in one transaction; a repeated submit returns the same case.

    ``submitted_by`` is whoever pressed submit for the applicant: a helper under a mandate, or
    (``channel="counter"``) an agent entering a paper application at a municipal counter.
    """
    existing = Case.objects.filter(
        applicant=draft.user, idempotency_key=draft.idempotency_key
    ).first()
    if existing is not None:
        return existing
    definition = get_definition(draft.procedure_id, draft.definition_version)
    administration = handling_administration(draft.procedure, definition, draft.facts, answers)
    language = current_language()
    if draft.user.preferred_language != language:  # notices follow the language applied in
        User.objects.filter(pk=draft.user_id).update(preferred_language=language)
        draft.user.preferred_language = language
    try:
        with transaction.atomic():
            case = _create_case(draft, answers, administration, submitted_by, channel)
            CaseEvent.objects.create(
                case=case, status=case.status, actor=submitted_by or draft.user
            )
            _link_files(case, Attachment.objects.filter(id__in=_attachment_ids(answers)))
            notices.do_notify_applicant(case, notices.SUBMITTED, "submitted")
            _pass_on_unknown_addresses(case)
            draft.delete()
    except IntegrityError:
        # A concurrent submit of the same draft won the race: return its case.
        return Case.objects.get(applicant=draft.user, idempotency_key=draft.idempotency_key)
    return case


def _pass_on_unknown_addresses(case: Case) -> None:
    """Addresses the applicant vouched for but the register lacks go to the register's owner."""
    for value in case.answers.values():
        if isinstance(value, dict) and value.get("precision") == "declared":
            do_record_unknown_address(value, case.procedure_id, case.reference)


def _link_files(case: Case, attachments: Iterable[Attachment]) -> None:
    """The files become the case's (the case owns the link: forms, below, never names a case).
    A file already linked to a case stays with it."""
    ids = [attachment.pk for attachment in attachments]
    case.attachments.add(*Attachment.objects.filter(pk__in=ids, case__isnull=True))


def _attachment_ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [str(value["attachment"])] if "attachment" in value else []
        return found + [i for v in value.values() for i in _attachment_ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _attachment_ids(v)]
    return []


def _create_case(
    draft: Draft, answers: dict[str, Any], administration: Administration,
    submitted_by: User | None, channel: str,
) -> Case:  # fmt: skip
    if submitted_by == draft.user:
        submitted_by = None
    counter = None
    if submitted_by is not None and channel == Case.Channel.COUNTER:
        counter = counter_administration(submitted_by)
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
        language=current_language(),
        idempotency_key=draft.idempotency_key,
        due_on=add_working_days(timezone.localdate(), draft.procedure.processing_days or 10),
        submitted_by=submitted_by,
        channel=Case.Channel.COUNTER if counter else _channel(submitted_by),
        counter_administration=counter,
    )


def _channel(submitted_by: User | None) -> str:
    return Case.Channel.HELPER if submitted_by else Case.Channel.ONLINE


def counter_administration(agent: User) -> Administration | None:
    """The municipality at whose counter this agent works (their first agent membership of a
    municipality), or None: only municipal agents enter applications at a counter."""
    return (
        Administration.objects.filter(
            kind=Administration.Kind.MUNICIPALITY,
            memberships__user=agent,
            memberships__role=Membership.Role.AGENT,
        )
        .order_by("id")
        .first()
    )


@transaction.atomic
def do_change_status(case: Case, agent: User, status: str, note: str = "") -> Case:
    """Move a case along its workflow. The caller has already scoped ``case`` to ``agent``."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if status not in ALLOWED_TRANSITIONS.get(case.status, set()):
        raise InvalidTransition(f"{case.status} → {status}")
    if case.status == Status.INFORMATION_REQUESTED:
        _resume(case)
    case.status = status
    if case.is_decided:
        case.decided_at = timezone.now()
    case.save()
    event = CaseEvent.objects.create(case=case, status=status, actor=agent, note=note)
    if case.is_decided:
        notices.do_notify_applicant(case, notices.DECIDED, f"event-{event.pk}")
    return case


def _resume(case: Case) -> None:
    """Coming back from a request for information: the paused days do not count."""
    paused_since = (
        case.events.filter(status=Status.INFORMATION_REQUESTED).order_by("-at").values_list(
            "at", flat=True
        ).first()
    )  # fmt: skip
    if paused_since and case.due_on:
        case.due_on += timezone.localdate() - timezone.localtime(paused_since).date()


@transaction.atomic
def do_request_information(
    case: Case, agent: User, body: str, attachments: Sequence[Attachment] = ()
) -> CaseMessage:
    """Ask the applicant for something; the case waits (and its clock stops) until they answer."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if Status.INFORMATION_REQUESTED not in ALLOWED_TRANSITIONS.get(case.status, set()):
        raise InvalidTransition(f"{case.status} → {Status.INFORMATION_REQUESTED}")
    message = _message(case, agent, body, attachments, from_applicant=False, request=True)
    case.status = Status.INFORMATION_REQUESTED
    case.save(update_fields=["status", "updated_at"])
    CaseEvent.objects.create(case=case, status=case.status, actor=agent, note=body)
    notices.do_notify_applicant(case, notices.INFORMATION_REQUESTED, f"msg-{message.pk}")
    return message


@transaction.atomic
def do_post_message(
    case: Case, author: User, body: str, attachments: Sequence[Attachment] = ()
) -> CaseMessage:
    """A message on the case. The applicant's answer to a request resumes the case."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    from_applicant = author.pk == case.applicant_id
    message = _message(case, author, body, attachments, from_applicant, request=False)
    if from_applicant and case.status == Status.INFORMATION_REQUESTED:
        _resume(case)
        case.status = Status.IN_PROGRESS
        case.save(update_fields=["status", "due_on", "updated_at"])
        CaseEvent.objects.create(case=case, status=case.status, actor=author)
    elif not from_applicant:
        notices.do_notify_applicant(case, notices.MESSAGE, f"msg-{message.pk}")
    return message


def _message(
    case: Case, author: User, body: str, attachments: Sequence[Attachment], from_applicant: bool,
    request: bool,
) -> CaseMessage:  # fmt: skip
    message = CaseMessage.objects.create(
        case=case, author=author, from_applicant=from_applicant, body=body,
        requests_information=request,
    )  # fmt: skip
    _link_files(case, attachments)
    message.attachments.set(attachments)
    return message


@transaction.atomic
def do_withdraw(case: Case, applicant: User) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk, applicant=applicant)
    if not case.is_open:
        raise InvalidTransition(f"{case.status} → withdrawn")
    case.status = Status.WITHDRAWN
    case.save(update_fields=["status", "updated_at"])
    CaseEvent.objects.create(case=case, status=case.status, actor=applicant)
    return case


def do_assign(case: Case, assignee: User | None) -> Case:
    Case.objects.filter(pk=case.pk).update(assigned_to=assignee)
    case.assigned_to = assignee
    return case


def do_record_case_opening(case: Case, agent: User) -> None:
    """An agent opened a case holding personal data: the applicant sees it under My data."""
    do_record_consultation(
        subject_pseudonym=person_pseudonym(case.applicant),
        subject_kind="person",
        source="case",
        attributes=["file"],
        procedure_id=case.procedure_id,
        purpose="handle-case",
        legal_basis_id=f"{case.procedure_id}/handle-case",
        actor_pseudonym=person_pseudonym(agent),
        actor_role="agent",
        administration_id=case.administration_id,
        case_reference=case.reference,
        outcome="answered",
    )
