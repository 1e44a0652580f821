"""The one door to personal data: ``consult(subject, attributes, purpose, actor)``.

No other code reads an authentic register (an architecture test enforces it). Each call checks
that the procedure declared every attribute for this purpose with a legal basis, that the actor may
act for the subject, then reads each source and appends one access-log entry per source before
returning anything read.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, NoReturn, cast

from django.db import connection

from loket.audit.actions import do_record_consultation, do_record_security_event
from loket.catalog.models import Procedure
from loket.core.fields import EncryptedField
from loket.core.identifiers import pseudonym
from loket.core.models import Administration, Membership, User
from loket.observe import metrics, tracing
from loket.sources.base import (
    NAME_MANDATE_HOLDER,
    Actor,
    ConsultationRefused,
    Purpose,
    SourceAnswer,
    SourceUnavailable,
    Subject,
)
from loket.sources.registry import get_source

MandateCheck = Callable[[Actor, Subject, str], bool]
_mandate_checks: list[MandateCheck] = []


def register_mandate_check(check: MandateCheck) -> None:
    """Let the mandates app (a higher layer) answer whether a helper holds a valid mandate.

    Without a registered check every helper is refused: the safe default.
    """
    if check not in _mandate_checks:
        _mandate_checks.append(check)


def consult(
    subject: Subject,
    attributes: Sequence[str],
    purpose: Purpose,
    actor: Actor,
    *,
    _read: _DoorReads | None = None,
) -> dict[str, SourceAnswer]:
    """Read ``attributes`` (``source.attribute``) of ``subject`` for ``purpose``, logged.

    Returns one answer per source. A source that does not answer is marked ``unavailable``
    instead of raising, so that the applicant can go on by typing or uploading the data.
    Raises ``ConsultationRefused`` (and logs a security event) for anything undeclared or any
    actor who may not act for the subject.
    """
    read = _read if _read is not None else _DoorReads()
    procedure = read.procedure(
        purpose.procedure_id, actor.user_id if actor.role in READS_ACCOUNT else None
    )
    if procedure is None:
        _refuse(actor, "unknown-procedure", purpose=purpose.procedure_id)
    _check_declared(procedure, attributes, purpose, actor)
    administration_id = _check_actor(procedure, subject, actor, purpose, read)

    by_source: dict[str, list[str]] = {}
    for attribute in attributes:
        source_id, name = attribute.split(".", 1)
        by_source.setdefault(source_id, []).append(name)

    answers: dict[str, SourceAnswer] = {}
    for source_id, names in by_source.items():
        source = get_source(source_id)
        if source.subject_kind != subject.kind:
            _refuse(actor, "wrong-subject-kind", source=source_id, subject_kind=subject.kind)
        # Read, then log; the answer is returned only once its entry is committed, so no data
        # ever leaves this function unlogged. No transaction is open during the read: a slow
        # register holds neither a database connection's transaction nor the log's lock.
        started = time.perf_counter()
        with tracing.span(f"register {source_id}", {"loket.register": source_id}):
            try:
                answer = SourceAnswer(source_id, source.fetch(subject, names))
            except SourceUnavailable:
                answer = SourceAnswer(source_id, unavailable=True)
        metrics.register_read(source_id, time.perf_counter() - started, answer.unavailable)
        do_record_consultation(
            subject_pseudonym=pseudonym(subject.identifier),
            subject_kind=subject.kind,
            source=source_id,
            attributes=names,
            procedure_id=procedure.id,
            purpose=purpose.code,
            legal_basis_id=f"{procedure.id}/{purpose.code}",
            actor_pseudonym=pseudonym(actor.national_number),
            actor_role=actor.role,
            acting_for_pseudonym=pseudonym(actor.acting_for) if actor.acting_for else "",
            administration_id=administration_id,
            case_reference=purpose.case_reference,
            outcome="unavailable" if answer.unavailable else "answered",
        )
        answers[source_id] = answer
    return answers


class AccountNumbers(NamedTuple):
    """What the checks read of the acting account: the numbers it proved at login."""

    national_number: str | None
    enterprise_number: str


# Roles whose check reads the acting account (the others read memberships or mandates).
READS_ACCOUNT = frozenset({"self", "grantor"})


class _DoorReads:
    """The procedure and the acting account the door's checks read, each read from the database
    once per ``consult_needs`` (several purposes, several ``consult`` calls, one request), never
    kept longer, and never taken from the caller. Both come in one statement when both are
    needed: a round trip is most of a read's cost."""

    def __init__(self) -> None:
        self._procedures: dict[str, Procedure | None] = {}
        self._accounts: dict[int, AccountNumbers | None] = {}

    def procedure(self, procedure_id: str, account_id: int | None = None) -> Procedure | None:
        """The procedure; with ``account_id``, that account's numbers too, in the same query."""
        if procedure_id not in self._procedures:
            if account_id is None or account_id in self._accounts:
                procedure = Procedure.objects.filter(id=procedure_id).first()
            else:
                procedure = self._procedure_and_account(procedure_id, account_id)
            self._procedures[procedure_id] = procedure
        return self._procedures[procedure_id]

    def _procedure_and_account(self, procedure_id: str, account_id: int) -> Procedure | None:
        # Raw SQL: the ORM's compilation of this join cost about as much as a round trip.
        found = list(
            Procedure.objects.raw(
                f"SELECT p.*, u.id AS door_account, u.national_number AS door_national_number,"  # noqa: S608 (table names)
                f" u.enterprise_number AS door_enterprise_number FROM {Procedure._meta.db_table} p"
                f" LEFT JOIN {User._meta.db_table} u ON u.id = %s WHERE p.id = %s",
                [account_id, procedure_id],
            )
        )
        if not found:
            return None
        procedure = found[0]
        row: Any = procedure  # the joined columns, still sealed as stored
        national, enterprise = (
            cast(EncryptedField, User._meta.get_field(name))
            for name in ("national_number", "enterprise_number")
        )
        self._accounts[account_id] = (
            AccountNumbers(
                national.from_db_value(row.door_national_number, None, connection),
                enterprise.from_db_value(row.door_enterprise_number, None, connection) or "",
            )
            if row.door_account is not None
            else None
        )
        return procedure

    def user(self, user_id: int) -> AccountNumbers | None:
        if user_id not in self._accounts:
            numbers = (
                User.objects.filter(pk=user_id)
                .values_list("national_number", "enterprise_number")
                .first()
            )
            self._accounts[user_id] = AccountNumbers(*numbers) if numbers else None
        return self._accounts[user_id]


class NeedsRead(NamedTuple):
    """What ``consult_needs`` read: the facts by source, the attributes no register gave (the
    applicant is asked for those instead), and among them those whose register did not answer.
    An attribute in ``missing`` but not in ``unanswered`` is one the register answered that it
    holds nothing about: not a failure, and never shown as one."""

    facts: dict[str, dict[str, Any]]
    missing: list[str]
    unanswered: list[str]


def consult_needs(
    subject: Subject, procedure: Procedure, attributes: Sequence[str], actor: Actor
) -> NeedsRead:
    """Read ``attributes`` each under the purpose the procedure declared for it (see
    :class:`NeedsRead` for what comes back)."""
    by_purpose: dict[str, list[str]] = defaultdict(list)
    for attribute in attributes:
        need = procedure.need(attribute)
        if need is None:
            _refuse(actor, "undeclared-attribute", procedure=procedure.id, attribute=attribute)
        by_purpose[need["purpose"]].append(attribute)
    facts: dict[str, dict[str, Any]] = {}
    missing: list[str] = []
    unanswered: list[str] = []
    read = _DoorReads()  # the procedure and the actor, read once for all the purposes
    for purpose, grouped in by_purpose.items():
        answers = consult(subject, grouped, Purpose(procedure.id, purpose), actor, _read=read)
        for attribute in grouped:
            source_id, name = attribute.split(".", 1)
            answer = answers[source_id]
            if answer.unavailable:
                unanswered.append(attribute)
            if answer.unavailable or name not in answer.attributes:
                missing.append(attribute)
            else:
                facts.setdefault(source_id, {})[name] = answer.attributes[name]
    return NeedsRead(facts, missing, unanswered)


def _check_declared(
    procedure: Procedure, attributes: Sequence[str], purpose: Purpose, actor: Actor
) -> None:
    for attribute in attributes:
        need = procedure.need(attribute)
        # A need names its purpose; ``also_for`` lists further purposes under the same legal
        # basis (a certificate's data is shown to the applicant, then read again to issue it).
        purposes = (need["purpose"], *need.get("also_for", ())) if need else ()
        if need is None or purpose.code not in purposes or not need.get("legal_basis"):
            _refuse(
                actor,
                "undeclared-attribute",
                procedure=procedure.id,
                attribute=attribute,
                purpose=purpose.code,
            )


def _check_actor(
    procedure: Procedure, subject: Subject, actor: Actor, purpose: Purpose, read: _DoorReads
) -> str:
    """Return the administration on whose behalf the data is read, or refuse."""
    handling = handling_administration_ids(procedure)
    if actor.role == "self":
        user = read.user(actor.user_id)
        own = user is not None and (
            (subject.kind == "person" and user.national_number == subject.identifier)
            or (subject.kind == "enterprise" and user.enterprise_number == subject.identifier)
        )
        if own and actor.national_number == (user.national_number if user else None):
            # Municipal procedures: the municipality of residence, known once the case exists.
            return procedure.administration_id or ""
    elif actor.role == "agent":
        is_agent = Membership.objects.filter(
            user_id=actor.user_id,
            administration_id=actor.administration_id,
            role=Membership.Role.AGENT,
        ).exists()
        if is_agent and actor.administration_id in handling:
            return actor.administration_id
    elif actor.role == "grantor":
        # Someone giving a mandate reads who the national number they typed names, for that
        # purpose only (its attributes are those declared for it: the identity).
        user = read.user(actor.user_id)
        if (
            purpose.code == NAME_MANDATE_HOLDER
            and subject.kind == "person"
            and user is not None
            and user.national_number == actor.national_number
            and subject.identifier != actor.national_number
        ):
            return procedure.administration_id or ""
    elif actor.role in ("helper", "counter"):
        # A helper reads only the principal named in ``acting_for``, under a mandate valid today
        # for this procedure (not expired, not revoked). At a counter, the agent's counter session
        # is that mandate, and the read is made on behalf of the agent's municipality.
        mandated = actor.acting_for == subject.identifier and any(
            check(actor, subject, procedure.id) for check in _mandate_checks
        )
        if mandated and actor.role == "helper":
            return procedure.administration_id or ""
        at_counter = Membership.objects.filter(
            user_id=actor.user_id,
            administration_id=actor.administration_id,
            administration__kind=Administration.Kind.MUNICIPALITY,
            role=Membership.Role.AGENT,
        )
        if mandated and at_counter.exists():
            return actor.administration_id
        _refuse(
            actor,
            "no-valid-mandate",
            procedure=procedure.id,
            role=actor.role,
            acting_for=pseudonym(actor.acting_for) if actor.acting_for else "",
        )
    _refuse(actor, "actor-may-not-act-for-subject", procedure=procedure.id, role=actor.role)


def handling_administration_ids(procedure: Procedure) -> set[str]:
    if procedure.administration_id:
        return {procedure.administration_id}
    return set(
        Administration.objects.filter(kind=Administration.Kind.MUNICIPALITY).values_list(
            "id", flat=True
        )
    )


def _refuse(actor: Actor, kind: str, **detail: str) -> NoReturn:
    do_record_security_event(
        f"consult-refused:{kind}", actor_pseudonym=pseudonym(actor.national_number), **detail
    )
    raise ConsultationRefused(kind)
