"""Every write on cases: submit, change status, decide, request information, message, assign,
withdraw; and the checks that refuse a write.

Views, the API, the CLI and the tests call these; each ``do_*`` is one transaction, and each event
that matters to the applicant queues its notification in that same transaction. A ``check_*``
states one rule and raises a :class:`CaseRefused` whose message says why, in the active
language; the ``do_*`` calls it on the locked case, and a view may call it first to refuse before
storing an upload. Every ``do_*`` raises the case's ``version``; given ``expected_version``, it
refuses (:class:`StaleCase`) a case that another writer changed since the caller read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from loket.audit.actions import do_record_consultation
from loket.audit.models import AccessLogEntry
from loket.audit.subjects import person_pseudonym
from loket.cases import charging, decision_documents, delivery, notices
from loket.cases.models import Case, CaseEvent, CaseMessage, CaseNote
from loket.cases.motivations import MotivationModel
from loket.cases.references import new_reference
from loket.cases.selectors import (
    BACK_OFFICE_ROLES,
    agent_administration_ids,
    case_sent_with,
    cases_of_person,
    running_grants,
)
from loket.catalog.models import Procedure
from loket.core.administrations import held_administrations
from loket.core.holidays import next_working_day
from loket.core.i18n import current_language, guess_language, language_name, pick
from loket.core.identifiers import clean_national_number, pseudonym
from loket.core.models import Administration, Membership, User
from loket.forms.definitions import FormDefinition, get_definition
from loket.forms.models import Attachment, Draft
from loket.geo.feedback import do_record_unknown_address
from loket.geo.places import is_regional_road, resolve_place
from loket.observe import metrics

Status = Case.Status
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.SUBMITTED: {Status.IN_PROGRESS, Status.INFORMATION_REQUESTED, Status.APPROVED,
                       Status.REJECTED},
    Status.IN_PROGRESS: {Status.INFORMATION_REQUESTED, Status.APPROVED, Status.REJECTED},
    Status.INFORMATION_REQUESTED: {Status.IN_PROGRESS, Status.APPROVED, Status.REJECTED},
    Status.REVIEW_REQUESTED: {Status.IN_PROGRESS, Status.INFORMATION_REQUESTED, Status.APPROVED,
                              Status.REJECTED},
}  # fmt: skip
# A case is closed as delivered from any open status, by do_close_as_delivered only.
DECISIONS = (Status.APPROVED, Status.REJECTED)
REVIEW_REASONS_REQUIRED = gettext_lazy("Say why the decision should be reviewed.")
REASONS_REQUIRED = gettext_lazy(
    "A refusal must give its reasons: write them in the message to the applicant."
)

INFORMATION_REQUIRED = gettext_lazy(
    "The applicant asked for information: write it in the reasons, or attach a document that "
    "gives it."
)
MODEL_WITHOUT_REQUEST = gettext_lazy(
    "This model refuses because information asked for was not received, but no information was "
    "asked for on this case: write reasons that fit it."
)
MODEL_AFTER_REPLY = gettext_lazy(
    "This model refuses because information asked for was not received, but the applicant "
    "replied on %(when)s, after the last request: read their reply and decide on it, or ask "
    "again."
)
REASONS_IN_OTHER_LANGUAGE = gettext_lazy(
    "The reasons are not in the language of the case, and a decision must not mix languages: it "
    "was not sent. Language the reasons seem written in: %(written)s. Language of the case: "
    "%(language)s. Write the reasons in the language of the case."
)
MESSAGE_IN_OTHER_LANGUAGE = gettext_lazy(
    "The message is not in the language of the case: it was not sent. Language it seems written "
    "in: %(written)s. Language of the case: %(language)s. Write it in the language of the case."
)


class CannotSubmit(Exception):
    """The draft cannot become a case (e.g. no handling administration can be determined)."""


class CaseRefused(Exception):
    """A rule refused a write on a case; ``message`` says why, in the language active when it
    was raised, for the person who tried. ``code`` names the rule (the API's problem type)."""

    code = "refused"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidTransition(CaseRefused):
    code = "invalid-transition"


class CaseClosed(CaseRefused):
    code = "case-closed"


class NotAColleague(CaseRefused):
    code = "invalid-assignee"


class AlreadyRunning(CaseRefused):
    """The thing applied for (a plate, say) already has a running grant or application."""

    code = "already-running"


class UnfitText(CaseRefused):
    """What was written cannot be sent as it is (in another language than the case's, an answer
    with nothing in it): the writer corrects ``field`` and sends again."""

    code = "unfit-text"

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


class WrongLanguage(UnfitText):
    """Text for the applicant written in another language than the case's: the language laws
    make an act that mixes languages defective, so it is refused rather than sent."""

    code = "wrong-language"


class EmptyAnswer(UnfitText):
    code = "empty-answer"


class StaleCase(CaseRefused):
    """The case changed since the caller read it (``expected_version``); ``case`` is as it is
    now, so the caller can show what changed and let the person check and send again."""

    code = "stale"

    def __init__(self, case: Case, expected_version: int) -> None:
        super().__init__(
            _("This case was changed by someone else meanwhile. Here is what changed: "
              "please check it and send again.")
        )  # fmt: skip
        self.case = case
        self.expected_version = expected_version


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
        held = held_administrations().get(procedure.administration_id)
        # One created in another process less than a few seconds ago is not held here yet.
        return held or Administration.objects.get(id=procedure.administration_id)
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
    existing = case_sent_with(draft.user_id, draft.idempotency_key)
    if existing is not None:
        return existing
    definition = get_definition(draft.procedure_id, draft.definition_version)
    check_none_running(draft.procedure_id, definition, answers)
    administration = handling_administration(draft.procedure, definition, draft.facts, answers)
    language = _case_language(draft.user, submitted_by)
    if draft.user.preferred_language != language:  # notices follow the language applied in
        User.objects.filter(pk=draft.user_id).update(preferred_language=language)
        draft.user.preferred_language = language
    try:
        with transaction.atomic():
            case = _create_case(draft, answers, administration, submitted_by, channel, language)
            if charging.charge(case):  # a fee is due: handled, and the time counted, once paid
                case.status = Status.AWAITING_PAYMENT
                case.due_on = None
                case.save(update_fields=["status", "due_on"])
            CaseEvent.objects.create(
                case=case, status=case.status, actor=submitted_by or draft.user,
                version=case.version,
            )  # fmt: skip
            _link_files(case, _attachment_ids(answers))
            at_once = delivery.delivered_at_once(definition)
            if case.status == Status.AWAITING_PAYMENT:
                at_once = []  # told and delivered once paid (do_record_payment)
            elif at_once:  # one notice, once the outcome is known: delivered or passed on
                delivery.enqueue_backstop(case)
            else:
                notices.do_notify_applicant(case, notices.SUBMITTED, "submitted")
            _pass_on_unknown_addresses(case)
            draft.delete()
    except IntegrityError:
        # A concurrent submit of the same draft won the race: return its case.
        return Case.objects.get(applicant=draft.user, idempotency_key=draft.idempotency_key)
    metrics.submitted(case.procedure_id, channel)
    if at_once:
        delivery.deliver(case)
    return case


def _pass_on_unknown_addresses(case: Case) -> None:
    """Addresses the applicant vouched for but the register lacks go to the register's owner."""
    for value in case.answers.values():
        if isinstance(value, dict) and value.get("precision") == "declared":
            do_record_unknown_address(value, case.procedure_id, case.reference)


def _link_files(case: Case, ids: Sequence[UUID | str]) -> None:
    """The files of ``ids`` become the case's (the case owns the link: forms, below, never
    names a case). A file already linked to a case stays with it. No file, no query."""
    if ids:
        case.attachments.add(*Attachment.objects.filter(pk__in=ids, case__isnull=True))


def _attachment_ids(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [str(value["attachment"])] if "attachment" in value else []
        return found + [i for v in value.values() for i in _attachment_ids(v)]
    if isinstance(value, list):
        return [i for v in value for i in _attachment_ids(v)]
    return []


def _case_language(applicant: User, submitted_by: User | None) -> str:
    """The language the case, its notices and documents speak: the one the applicant applied in,
    or, when someone else sent it for them (a helper, a counter), the applicant's own."""
    if submitted_by is not None and submitted_by != applicant:
        return applicant.preferred_language or current_language()
    return current_language()


def _create_case(
    draft: Draft, answers: dict[str, Any], administration: Administration,
    submitted_by: User | None, channel: str, language: str,
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
        language=language,
        idempotency_key=draft.idempotency_key,
        due_on=draft.procedure.answer_deadline(timezone.localdate()),
        submitted_by=submitted_by,
        channel=Case.Channel.COUNTER if counter else _channel(submitted_by),
        counter_administration=counter,
        door_id=draft.door_id,
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


def running_grant_text(definition: FormDefinition, until: date | None) -> str:
    """What the choice of a thing already granted says after its label, in the active language:
    the definition's "already has a card until …", or that an application is under way."""
    rule = definition.one_running
    assert rule is not None
    if until is None:
        return _("an application is already being handled")
    return pick(rule.running).format(until=formats.date_format(until, "DATE_FORMAT"))


def check_none_running(
    procedure_id: str, definition: FormDefinition | None, answers: dict[str, Any]
) -> None:
    """Refuse a second card (permit…) for the same thing while one runs or is applied for."""
    if definition is None or definition.one_running is None:
        return
    value = str(answers.get(definition.one_running.field) or "")
    grant = running_grants(procedure_id, definition.one_running, [value]).get(value)
    if grant is None:
        return
    if grant.until is None:
        raise AlreadyRunning(
            _("An application for %(value)s is already being handled: you cannot apply for it "
              "twice.") % {"value": value}
        )  # fmt: skip
    raise AlreadyRunning(
        _("%(value)s %(running)s: you cannot apply for it again before then.")
        % {"value": value, "running": running_grant_text(definition, grant.until)}
    )


def check_version(case: Case, expected_version: int | None) -> None:
    """Refuse a write based on an older read of the case (``None``: the caller does not ask)."""
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(case, expected_version)


def check_transition(case: Case, status: str) -> None:
    if status not in ALLOWED_TRANSITIONS.get(case.status, set()):
        raise InvalidTransition(
            _("The case cannot take this status now: it is %(status)s.")
            % {"status": case.get_status_display()}
        )


def check_can_decide(case: Case, status: str, note: str = "", with_documents: bool = False) -> None:
    """A decision approves or rejects, from a status that allows it; a refusal states its
    reasons (the formal motivation of administrative acts, law of 29 July 1991), in the case's
    language; information given has something in it (the text, or a document)."""
    if status not in DECISIONS:
        raise InvalidTransition(_("A decision is approved or rejected."))
    check_transition(case, status)
    if status == Status.REJECTED and not note.strip():
        raise InvalidTransition(str(REASONS_REQUIRED))
    if (
        status == Status.APPROVED
        and case.gives_information
        and not note.strip()
        and not with_documents
    ):
        raise EmptyAnswer(str(INFORMATION_REQUIRED), "note")
    check_language(case, note, "note")


class ModelUnfit(UnfitText):
    """A model motivation whose facts are not the case's (a refusal for information never
    received, when the applicant has answered): the agent writes reasons that fit."""

    code = "model-unfit"


def last_information_request(case: Case) -> CaseMessage | None:
    """The case's latest request for information to the applicant, or None."""
    requests = case.messages.filter(requests_information=True, from_applicant=False)
    return requests.order_by("-created_at", "-pk").first()


def check_model_fits(case: Case, model: MotivationModel | None) -> None:
    """Refuse a model that says the applicant did not answer a request for information when no
    request was made or when they have written since the last one (their reply is to be read)."""
    if model is None or not model.after_unanswered_request:
        return
    request = last_information_request(case)
    if request is None:
        raise ModelUnfit(str(MODEL_WITHOUT_REQUEST), "note")
    reply = (
        case.messages.filter(from_applicant=True, created_at__gt=request.created_at)
        .order_by("created_at")
        .first()
    )
    if reply is not None:
        when = formats.date_format(timezone.localtime(reply.created_at), "DATETIME_FORMAT")
        raise ModelUnfit(str(MODEL_AFTER_REPLY) % {"when": when}, "note")


def model_text(case: Case, model: MotivationModel) -> str:
    """The model's text for ``case``: a refusal for want of an answer names the request's date
    (in the case's language) instead of leaving "[date]" to fill in."""
    request = last_information_request(case) if model.after_unanswered_request else None
    if request is None:
        return model.text
    with translation.override(case.language or "fr"):
        asked = formats.date_format(timezone.localtime(request.created_at).date(), "DATE_FORMAT")
    return model.text.replace("[date]", asked).replace("[datum]", asked)


def check_language(
    case: Case, text: str, field: str = "body", template: Promise | str | None = None
) -> None:
    """Text sent to the applicant (reasons, a message, a request, a refund's reason) is in the
    case's language. Only text confidently in another language is refused: one too short or too
    mixed to tell passes. ``template`` words the refusal for another kind of text."""
    language = case.language or "fr"
    written = guess_language(text)
    if written is None or written == language:
        return
    if template is None:
        template = REASONS_IN_OTHER_LANGUAGE if field == "note" else MESSAGE_IN_OTHER_LANGUAGE
    raise WrongLanguage(
        str(template) % {"written": language_name(written), "language": language_name(language)},
        field,
    )


def check_can_post_message(case: Case) -> None:
    """No message on a closed case: whoever writes (applicant, agent, API) learns it is closed."""
    if not case.is_open:
        raise CaseClosed(_("This case is closed: no more messages can be sent on it."))


def check_can_request_review(case: Case) -> None:
    """A review is asked of a decision, within ``REVIEW_DAYS`` of it."""
    deadline = case.review_until
    if deadline is None:
        raise InvalidTransition(_("There is no decision on this case to review."))
    if timezone.localdate() > deadline:
        raise CaseClosed(
            _("A review could be asked until %(date)s: that time has passed.")
            % {"date": formats.date_format(deadline, "DATE_FORMAT")}
        )


def check_can_assign(case: Case, assignee: User | None) -> None:
    """A case is assigned to nobody or to someone who handles the cases of its administration."""
    if assignee is None:
        return
    if not assignee.memberships.filter(
        administration_id=case.administration_id, role__in=BACK_OFFICE_ROLES
    ).exists():
        raise NotAColleague(
            _("This person does not handle the cases of %(administration)s.")
            % {"administration": case.administration.name}
        )


def check_can_withdraw(case: Case) -> None:
    if not case.is_open:
        raise InvalidTransition(
            _("The case cannot be withdrawn now: it is %(status)s.")
            % {"status": case.get_status_display()}
        )


def _locked(case: Case, expected_version: int | None) -> Case:
    """The case, locked until the end of the transaction, as another writer may have left it."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    check_version(locked, expected_version)
    return locked


def _new_version(case: Case) -> int:
    """One action, one new version: its events and messages carry it (``changes_since``)."""
    case.version += 1
    return case.version


@transaction.atomic
def do_change_status(
    case: Case, agent: User, status: str, note: str = "", expected_version: int | None = None
) -> Case:
    """Move a case along its workflow; a decision is :func:`do_decide`. The caller has already
    scoped ``case`` to ``agent``."""
    if status in DECISIONS:
        return do_decide(case, agent, status, note, expected_version=expected_version)
    case = _locked(case, expected_version)
    check_transition(case, status)
    return _set_status(case, agent, status, note, _new_version(case))


def _set_status(case: Case, agent: User, status: str, note: str, version: int) -> Case:
    if case.status == Status.INFORMATION_REQUESTED:
        _resume(case)
    case.status = status
    if case.is_decided:
        case.decided_at = timezone.now()
    case.save()
    event = CaseEvent.objects.create(
        case=case, status=status, actor=agent, note=note, version=version
    )
    if case.is_decided:
        notices.do_notify_applicant(case, notices.DECIDED, f"event-{event.pk}")
    return case


@transaction.atomic
def do_decide(
    case: Case, agent: User, status: str, note: str = "", attachments: Sequence[Attachment] = (),
    expected_version: int | None = None,
) -> Case:  # fmt: skip
    """Approve or reject: the status and its history entry, the decision's message to the
    applicant (the reasons, with the decision's documents) when there is one, one notice, and
    the task that seals the decision's PDF. The back-office and the API both decide through here.
    A case no one was assigned is assigned to the agent who decides it (in its history), so the
    figures by agent credit them."""
    case = _locked(case, expected_version)
    check_can_decide(case, status, note, with_documents=bool(attachments))
    version = _new_version(case)
    _assign_decider(case, agent, version)
    if note.strip() or attachments:
        with translation.override(case.language or "fr"):
            body = note.strip() or _("Decision")
        _message(case, agent, body, attachments, from_applicant=False, request=False,
                 version=version)  # fmt: skip
    case = _set_status(case, agent, status, note, version)
    decision_documents.enqueue_sealing(case)  # the worker seals and stores it
    return case


def _assign_decider(case: Case, agent: User, version: int) -> None:
    """An unassigned case goes to the agent deciding it, if they handle its administration's
    cases (an API client's account does not)."""
    if case.assigned_to_id is not None:
        return
    try:
        check_can_assign(case, agent)
    except NotAColleague:
        return
    case.assigned_to = agent
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.ASSIGNMENT, status=case.status, actor=agent,
        assignee=agent, version=version,
    )  # fmt: skip


@transaction.atomic
def do_close_as_delivered(case: Case, agent: User | None, note: str) -> Case:
    """Close an open case by handing over what it asked for (a certificate issued by the app
    that delivers it), with no decision: at once for the applicant (``agent`` None) or by a civil
    servant. One history entry with ``note``, and one notice. A case that is no longer open
    (withdrawn, or delivered by a concurrent run) is left as it is."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        return case
    if case.status == Status.INFORMATION_REQUESTED:
        _resume(case)
    version = _new_version(case)
    case.status = Status.DELIVERED
    case.decided_at = timezone.now()
    case.save()
    event = CaseEvent.objects.create(
        case=case, status=case.status, actor=agent, note=note, version=version
    )
    notices.do_notify_applicant(case, notices.DELIVERED, f"event-{event.pk}")
    return case


@transaction.atomic
def do_record_payment(
    case: Case, note: str, code: str = "", params: dict[str, Any] | None = None
) -> Case:
    """The fee of a case awaiting payment is paid (the payments app settled it, exactly once):
    the case goes to its administration's queue as sent, with ``note`` in its history and its
    time limit counted from today, the applicant is told it was received, and a document issued
    at once is issued now. A case no longer awaiting payment (withdrawn, or paid by a concurrent
    run) is left as it is."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Status.AWAITING_PAYMENT:
        return case
    version = _new_version(case)
    case.status = Status.SUBMITTED
    case.due_on = case.procedure.answer_deadline(timezone.localdate())
    case.save(update_fields=["status", "due_on", "version", "updated_at"])
    CaseEvent.objects.create(
        case=case, status=case.status, note=note, note_code=code, note_params=params or {},
        version=version,
    )  # fmt: skip
    definition = get_definition(case.procedure_id, case.definition_version)
    if delivery.delivered_at_once(definition):
        delivery.enqueue_backstop(case)
        transaction.on_commit(lambda: delivery.deliver(case))
    else:
        notices.do_notify_applicant(case, notices.SUBMITTED, "submitted")
    return case


@transaction.atomic
def do_lapse_unpaid(
    case: Case, note: str, code: str = "", params: dict[str, Any] | None = None
) -> Case:
    """An application still unpaid after its procedure's period lapses: withdrawn, with
    ``note`` in its history. A case paid or withdrawn meanwhile is left as it is."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != Status.AWAITING_PAYMENT:
        return case
    version = _new_version(case)
    case.status = Status.WITHDRAWN
    case.save(update_fields=["status", "version", "updated_at"])
    CaseEvent.objects.create(
        case=case, status=case.status, note=note, note_code=code, note_params=params or {},
        version=version,
    )  # fmt: skip
    return case


@transaction.atomic
def do_refer_to_civil_servant(case: Case, reason: str) -> Case:
    """What could not be delivered at once goes to the handling administration's back-office,
    with the reason in the history (the applicant sees it too) and the applicant's one notice
    that the application was received. Recorded once: a second referral changes nothing."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open or case.events.filter(kind=CaseEvent.Kind.REFERRAL).exists():
        return case
    version = _new_version(case)
    case.save(update_fields=["version", "updated_at"])
    with translation.override(case.language or "fr"):
        words = {"reason": reason, "administration": case.administration.name}
        note = _("It could not be issued at once: %(reason)s %(administration)s will handle it.")
        note %= words
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.REFERRAL, status=case.status, note=note, version=version
    )
    notices.do_notify_applicant(case, notices.SUBMITTED, "submitted")
    return case


@transaction.atomic
def do_pass_to_administration(
    case: Case, administration: Administration, why: str, *, actor: User | None = None,
    code: str = "", params: dict[str, Any] | None = None,
) -> Case:  # fmt: skip
    """Hand an open case that no one has started on to the administration that must handle it
    (a certificate is issued by the municipality whose register holds the person, whatever
    municipality the applicant named), with ``why`` in the history for the applicant to read
    (``code`` and ``params``, when given, render it in the reader's language, as
    :func:`do_add_history_note`)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open or case.administration_id == administration.pk:
        return case
    version = _new_version(case)
    case.administration = administration
    case.assigned_to = None
    case.save(update_fields=["administration", "assigned_to", "version", "updated_at"])
    CaseEvent.objects.create(
        case=case, status=case.status, actor=actor, note=why, note_code=code,
        note_params=params or {}, version=version,
    )  # fmt: skip
    return case


@transaction.atomic
def do_add_history_note(
    case: Case, actor: User | None, note: str, code: str = "", params: dict[str, Any] | None = None
) -> CaseEvent:
    """An entry in the case's history that changes no status (a certificate revoked, say): it
    raises the case's version like every write, so a client holding an older one learns it.
    ``note`` is as written; ``code`` and ``params``, when given, render it in the reader's
    language (``cases.history``)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    version = _new_version(case)
    case.save(update_fields=["version", "updated_at"])
    return CaseEvent.objects.create(
        case=case, status=case.status, actor=actor, note=note, note_code=code,
        note_params=params or {}, version=version,
    )  # fmt: skip


def _resume(case: Case) -> None:
    """Coming back from a request for information: the paused days do not count."""
    requests = case.events.status_changes().filter(status=Status.INFORMATION_REQUESTED)
    paused_since = requests.order_by("-at").values_list("at", flat=True).first()
    if paused_since and case.due_on:
        paused = timezone.localdate() - timezone.localtime(paused_since).date()
        case.due_on = next_working_day(case.due_on + paused)


@transaction.atomic
def do_request_information(
    case: Case, agent: User, body: str, attachments: Sequence[Attachment] = (),
    expected_version: int | None = None,
) -> CaseMessage:  # fmt: skip
    """Ask the applicant for something, in the case's language; the case waits (and its clock
    stops) until they answer."""
    case = _locked(case, expected_version)
    check_transition(case, Status.INFORMATION_REQUESTED)
    check_language(case, body)
    version = _new_version(case)
    message = _message(case, agent, body, attachments, from_applicant=False, request=True,
                       version=version)  # fmt: skip
    case.status = Status.INFORMATION_REQUESTED
    case.save(update_fields=["status", "version", "updated_at"])
    CaseEvent.objects.create(case=case, status=case.status, actor=agent, note=body, version=version)
    notices.do_notify_applicant(case, notices.INFORMATION_REQUESTED, f"msg-{message.pk}")
    return message


@transaction.atomic
def do_post_message(
    case: Case, author: User, body: str, attachments: Sequence[Attachment] = (),
    expected_version: int | None = None,
) -> CaseMessage:  # fmt: skip
    """A message on an open case; the administration writes in the case's language. The
    applicant's answer to a request resumes the case."""
    case = _locked(case, expected_version)
    check_can_post_message(case)
    if author.pk != case.applicant_id:
        check_language(case, body)
    return _post(case, author, body, attachments)


@transaction.atomic
def do_request_review(
    case: Case, applicant: User, reasons: str, attachments: Sequence[Attachment] = ()
) -> Case:
    """The applicant asks the administration to review its decision: the reasons go to the case
    as a message, and the case is open again, in the queue, with a new time limit. The decision's
    sealed document is kept; the review ends in a new decision with its own."""
    case = _locked(case, None)
    check_can_request_review(case)
    if not reasons.strip():
        raise InvalidTransition(str(REVIEW_REASONS_REQUIRED))
    version = _new_version(case)
    _message(case, applicant, reasons.strip(), attachments, from_applicant=True, request=False,
             version=version)  # fmt: skip
    case.status = Status.REVIEW_REQUESTED
    case.due_on = case.procedure.answer_deadline(timezone.localdate())
    case.save(update_fields=["status", "due_on", "version", "updated_at"])
    CaseEvent.objects.create(case=case, status=case.status, actor=applicant, version=version)
    return case


@transaction.atomic
def do_post_rectification_request(case: Case, person: User, body: str) -> CaseMessage:
    """The applicant asks (GDPR Art. 16) the handling administration to correct data they
    declared. A right that outlives the case: the one message allowed on a closed case."""
    return _post(_locked(case, None), person, body, ())


def _post(case: Case, author: User, body: str, attachments: Sequence[Attachment]) -> CaseMessage:
    from_applicant = author.pk == case.applicant_id
    version = _new_version(case)
    message = _message(case, author, body, attachments, from_applicant, request=False,
                       version=version)  # fmt: skip
    if from_applicant and case.is_open:
        case.reply_received_at = timezone.now()
        notices.do_notify_assigned_agent(case, message)
    if from_applicant and case.status == Status.INFORMATION_REQUESTED:
        _resume(case)
        case.status = Status.IN_PROGRESS
        case.save(update_fields=["status", "due_on", "reply_received_at", "version", "updated_at"])
        CaseEvent.objects.create(case=case, status=case.status, actor=author, version=version)
    elif from_applicant:
        case.save(update_fields=["reply_received_at", "version", "updated_at"])
    else:
        case.save(update_fields=["version", "updated_at"])
        if not from_applicant:
            notices.do_notify_applicant(case, notices.MESSAGE, f"msg-{message.pk}")
    return message


def _message(
    case: Case, author: User, body: str, attachments: Sequence[Attachment], from_applicant: bool,
    request: bool, version: int,
) -> CaseMessage:  # fmt: skip
    message = CaseMessage.objects.create(
        case=case, author=author, from_applicant=from_applicant, body=body,
        requests_information=request, version=version,
    )  # fmt: skip
    _link_files(case, [attachment.pk for attachment in attachments])
    message.attachments.set(attachments)
    return message


@transaction.atomic
def do_withdraw(case: Case, applicant: User) -> Case:
    case = Case.objects.select_for_update().get(pk=case.pk, applicant=applicant)
    check_can_withdraw(case)
    case.status = Status.WITHDRAWN
    version = _new_version(case)
    case.save(update_fields=["status", "version", "updated_at"])
    CaseEvent.objects.create(case=case, status=case.status, actor=applicant, version=version)
    return case


@transaction.atomic
def do_assign(
    case: Case, agent: User, assignee: User | None, expected_version: int | None = None,
    note: str = "",
) -> Case:  # fmt: skip
    """Give the case to a colleague (or to nobody), recorded in the history: who, to whom, when,
    and the handover ``note`` for the colleague (agents only see it). Assigning it to whom it
    already is changes nothing."""
    case = _locked(case, expected_version)
    check_can_assign(case, assignee)
    if case.assigned_to_id == (assignee.pk if assignee else None):
        return case
    case.assigned_to = assignee
    version = _new_version(case)
    case.save(update_fields=["assigned_to", "version", "updated_at"])
    CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.ASSIGNMENT, status=case.status, actor=agent,
        assignee=assignee, note=note.strip(), version=version,
    )  # fmt: skip
    return case


def do_add_internal_note(case: Case, agent: User, body: str) -> CaseNote:
    """A note for colleagues on the case. Not a change to the case: its version stays, so a
    colleague's open page does not go stale, and the applicant is neither shown nor told."""
    if not body.strip():
        raise CaseRefused(_("Write the note."))
    return CaseNote.objects.create(case=case, author=agent, body=body.strip())


def do_mark_reply_seen(case: Case) -> None:
    """An agent opened the case: the applicant's reply is no longer new. Only a marker, so the
    case's version (and ``updated_at``) stay as they are: nobody's open page goes stale."""
    if case.reply_received_at is not None:
        Case.objects.filter(pk=case.pk).update(reply_received_at=None)
        case.reply_received_at = None


# Reloads and returns to a case by the same agent within this time are one opening.
OPENING_WINDOW = timedelta(minutes=30)


def opens_anew(last_opening: datetime | None, now: datetime) -> bool:
    """Whether an agent's visit now is a new opening, after their last one of the case."""
    return last_opening is None or now - last_opening >= OPENING_WINDOW


def do_record_document_download(
    case: Case, agent: User, document: str, counter_administration_id: str = ""
) -> None:
    """An agent downloaded a document of the resident's case (``receipt`` or ``certificate``):
    at a counter (``counter_administration_id``), handing it to the resident present, or from
    the back-office. The resident sees it under My data, like an opening of the case."""
    do_record_consultation(
        subject_pseudonym=person_pseudonym(case.applicant),
        subject_kind="person",
        source="case",
        attributes=[document],
        procedure_id=case.procedure_id,
        purpose="document-copy",
        legal_basis_id=f"{case.procedure_id}/handle-case",
        actor_pseudonym=person_pseudonym(agent),
        actor_role="counter" if counter_administration_id else "agent",
        administration_id=counter_administration_id or case.administration_id,
        case_reference=case.reference,
        outcome="answered",
    )


def do_record_case_opening(case: Case, agent: User) -> None:
    """An agent opened a case holding personal data: the applicant sees it under My data, and a
    head of service on the case page. The same agent's reloads within ``OPENING_WINDOW`` of an
    opening count as that opening (one entry per handling, not one per page view)."""
    actor = person_pseudonym(agent)
    last = (
        AccessLogEntry.objects.filter(
            case_reference=case.reference, source="case", actor_pseudonym=actor,
            purpose="handle-case",
        )
        .order_by("-leaf_index")
        .values_list("created_at", flat=True)
        .first()
    )  # fmt: skip
    if not opens_anew(last, timezone.now()):
        return
    do_record_consultation(
        subject_pseudonym=person_pseudonym(case.applicant),
        subject_kind="person",
        source="case",
        attributes=["file"],
        procedure_id=case.procedure_id,
        purpose="handle-case",
        legal_basis_id=f"{case.procedure_id}/handle-case",
        actor_pseudonym=actor,
        actor_role="agent",
        administration_id=case.administration_id,
        case_reference=case.reference,
        outcome="answered",
    )


# Why an agent may look a person's cases up by national number; the reason is logged with the
# search, and the person reads it under My data.
PERSON_SEARCH_PURPOSES: dict[str, Any] = {
    "find-to-handle": gettext_lazy("To handle a case of this person"),
    "find-to-answer": gettext_lazy("To answer this person, at the counter or on the phone"),
}


class PersonSearchRefused(CaseRefused):
    code = "person-search-refused"


def do_find_person(
    agent: User, cases: QuerySet[Case], national_number: str, purpose: str
) -> QuerySet[Case]:
    """The only way to find cases by national number: under a declared purpose, and logged as a
    consultation of the person's case files (on behalf of the agent's administration), found or
    not, so the person sees it under My data like any other reading."""
    if purpose not in PERSON_SEARCH_PURPOSES:
        raise PersonSearchRefused(_("Say why you look this person up."))
    try:
        number = clean_national_number(national_number)
    except ValidationError:
        raise PersonSearchRefused(_("This is not a valid national number.")) from None
    found = cases_of_person(cases, number)
    _record_person_search(agent, [pseudonym(number)], "search", purpose)
    return found


def _record_person_search(
    agent: User, subjects: Iterable[str], attribute: str, purpose: str
) -> None:
    """One consultation of their case files for each person (pseudonym) a search showed."""
    administrations = agent_administration_ids(agent)
    for subject in subjects:
        do_record_consultation(
            subject_pseudonym=subject,
            subject_kind="person",
            source="case",
            attributes=[attribute],
            procedure_id="",
            purpose=purpose,
            legal_basis_id=f"back-office/{purpose}",
            actor_pseudonym=person_pseudonym(agent),
            actor_role="agent",
            administration_id=sorted(administrations)[0] if administrations else "",
            outcome="answered",
        )


def do_record_name_search(agent: User, shown: Sequence[Case], purpose: str = "") -> None:
    """A search by name shows the agent the cases of the people it matched: each of them is
    logged a consultation of their case files (as a search by national number is), so that
    they read it under My data. The reason, if the agent gave one, is logged with it."""
    purpose = purpose if purpose in PERSON_SEARCH_PURPOSES else "search-by-name"
    applicants = {case.applicant for case in shown}
    _record_person_search(
        agent, [person_pseudonym(applicant) for applicant in applicants], "search-by-name", purpose
    )
