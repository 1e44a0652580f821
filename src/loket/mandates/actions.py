"""Writes on mandates: give one (for oneself or for one's enterprise), revoke it, link invitations.

A mandate for an enterprise may be given only by one of its mandataries as the enterprise
register knows them, read through the one door under a business procedure's declared
``check-mandate`` need, so the check itself appears in the enterprise's access log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.audit.actions import do_record_security_event
from loket.catalog.models import Procedure
from loket.core.identifiers import ValidationError, clean_national_number, pseudonym
from loket.core.models import User, national_number_index
from loket.mandates.models import Mandate
from loket.sources.base import NAME_MANDATE_HOLDER, Actor, ConsultationRefused, Purpose, Subject
from loket.sources.door import consult

MANDATARIES = "enterprise.mandataries"
CHECK_MANDATE = "check-mandate"


class MandateRefused(Exception):
    """The mandate cannot be given as asked; the message says why, in the user's language."""


def latest_end(starts_on: date) -> date:
    """A mandate lasts at most one year: until the same day a year later (28 February for 29)."""
    try:
        return starts_on.replace(year=starts_on.year + 1)
    except ValueError:
        return starts_on.replace(year=starts_on.year + 1, day=28)


def do_give_mandate(
    grantor: User,
    helper_national_number: str,
    procedure_ids: Sequence[str],
    starts_on: date,
    ends_on: date,
    enterprise_number: str = "",
) -> Mandate:
    """Let the person with ``helper_national_number`` act for ``grantor`` (or for their
    enterprise) for the procedures (empty: all) from ``starts_on`` to ``ends_on``."""
    helper_number = check_helper_number(grantor, helper_national_number)
    if starts_on < timezone.localdate():
        raise MandateRefused(_("A mandate cannot start in the past."))
    if ends_on < starts_on:
        raise MandateRefused(_("A mandate must end on or after the day it starts."))
    if ends_on > latest_end(starts_on):
        raise MandateRefused(_("A mandate lasts at most one year."))
    procedures = _procedures(procedure_ids, for_enterprise=bool(enterprise_number))
    if enterprise_number:
        _check_mandatary(grantor, enterprise_number, procedures)
    return Mandate.objects.create(
        grantor=grantor,
        enterprise_number=enterprise_number,
        helper=User.objects.by_national_number(helper_number).first(),
        helper_national_number=helper_number,
        # "All" for an enterprise means the business procedures of today, named one by one.
        procedure_ids=sorted(p.id for p in procedures)
        if procedure_ids or enterprise_number
        else [],
        starts_on=starts_on,
        ends_on=ends_on,
    )


def check_helper_number(grantor: User, helper_national_number: str) -> str:
    """The helper's national number, cleaned, or MandateRefused saying what is wrong with it."""
    try:
        helper_number = clean_national_number(helper_national_number)
    except ValidationError:
        raise MandateRefused(_("This is not a valid national number.")) from None
    if helper_number == grantor.national_number:
        raise MandateRefused(_("You cannot give a mandate to yourself."))
    return helper_number


def name_mandate_holder(
    grantor: User, helper_national_number: str, procedure_ids: Sequence[str], for_enterprise: bool
) -> str | None:
    """The name under which the population register knows the person a mandate would name,
    read through the one door (logged in that person's access log) under the purpose the
    covered procedures declare for it, so that the grantor confirms whom they trust.

    Raises MandateRefused when the number is invalid, unknown to the register, or the register
    does not answer. None when no covered procedure declares the purpose (some business
    procedures read no person): the grantor then checks the number with the person.
    """
    helper_number = check_helper_number(grantor, helper_national_number)
    procedures = sorted(_procedures(procedure_ids, for_enterprise), key=lambda p: p.id)
    declaring = [
        p for p in procedures if NAME_MANDATE_HOLDER in (p.need(IDENTITY) or {}).get("also_for", ())
    ]
    if not declaring or not grantor.national_number:
        return None
    attributes = _read_for_mandate(
        Subject("person", helper_number), IDENTITY,
        Purpose(declaring[0].id, NAME_MANDATE_HOLDER),
        Actor(grantor.pk, grantor.national_number, "grantor"),
        refused=_("You may not give this mandate."),
        silent=_("The population register did not answer. Please try again in a moment."),
    )  # fmt: skip
    identity = attributes.get("identity") or {}
    name = " ".join(str(identity.get(k, "")) for k in ("first_name", "last_name")).strip()
    if not name:
        raise MandateRefused(
            _(
                "The national register does not know this number. Check it with the person "
                "you trust, on their identity card."
            )
        )
    return name


def do_revoke_mandate(mandate: Mandate) -> Mandate:
    """End the mandate now; the helper is refused from the next page on."""
    if mandate.revoked_at is None:
        mandate.revoked_at = timezone.now()
        mandate.save(update_fields=["revoked_at"])
    return mandate


def do_link_invitations(helper: User) -> int:
    """Attach the mandates waiting for this person's national number to their account."""
    if not helper.national_number:
        return 0
    return Mandate.objects.filter(
        helper__isnull=True,
        helper_national_number_index=national_number_index(helper.national_number),
    ).update(helper=helper)


def enterprise_procedures() -> list[Procedure]:
    """The procedures for which a mandate can be given for an enterprise: those that declared
    the check of its mandataries."""
    return [p for p in Procedure.objects.order_by("id") if p.need(MANDATARIES)]


def _procedures(procedure_ids: Sequence[str], for_enterprise: bool) -> list[Procedure]:
    allowed = enterprise_procedures() if for_enterprise else list(Procedure.objects.all())
    if not procedure_ids:
        return allowed
    chosen = [p for p in allowed if p.id in set(procedure_ids)]
    if len(chosen) != len(set(procedure_ids)):
        raise MandateRefused(_("Choose procedures from the list."))
    return chosen


def _read_for_mandate(
    subject: Subject, attribute: str, purpose: Purpose, actor: Actor, *, refused: str, silent: str
) -> dict[str, Any]:
    """One register read through the door for a mandate being given: ``refused`` when the door
    refuses it, ``silent`` when the register does not answer."""
    try:
        answers = consult(subject, [attribute], purpose, actor)
    except ConsultationRefused:
        raise MandateRefused(refused) from None
    answer = answers[attribute.split(".", 1)[0]]
    if answer.unavailable:
        raise MandateRefused(silent)
    return dict(answer.attributes)


def _check_mandatary(grantor: User, enterprise_number: str, procedures: list[Procedure]) -> None:
    if not procedures or not grantor.national_number:
        raise MandateRefused(_("You may not give a mandate for this enterprise."))
    attributes = _read_for_mandate(
        Subject("enterprise", enterprise_number), MANDATARIES,
        Purpose(procedures[0].id, CHECK_MANDATE),
        Actor(grantor.pk, grantor.national_number, "self"),
        refused=_("You may not give a mandate for this enterprise."),
        silent=_("The enterprise register did not answer. Please try again in a moment."),
    )  # fmt: skip
    numbers = {m["national_number"] for m in attributes.get("mandataries", [])}
    if grantor.national_number not in numbers:
        raise MandateRefused(_("The enterprise register does not list you as its mandatary."))


def do_record_refused_use(helper: User, mandate: Mandate, procedure_id: str) -> None:
    """A helper tried to act under a mandate that is revoked, expired or does not cover the
    procedure: refused, and logged for the data protection officer."""
    do_record_security_event(
        "mandate-refused",
        actor_pseudonym=pseudonym(helper.national_number or ""),
        procedure=procedure_id,
        acting_for=pseudonym(mandate.principal_identifier),
        mandate=str(mandate.pk),
    )


# At the counter: an agent of a municipality enters a paper application for a resident who is
# present. The session is a mandate of kind "counter", valid for that day, so that the acting
# machinery (banner, the door's mandate check, ``submitted_by``) is the same as for a helper.

IDENTITY = "population.identity"


class CounterRefused(Exception):
    """A counter session cannot start as asked; the message says why, in the agent's language."""


def counter_procedures() -> list[Procedure]:
    """What can be entered at a municipal counter: the municipalities' procedures that identify
    the applicant from the population register."""
    return [
        p
        for p in Procedure.objects.filter(administration__isnull=True).order_by("id")
        if p.need(IDENTITY)
    ]


def do_start_counter_session(
    agent: User, administration_id: str, national_number: str, procedure: Procedure
) -> Mandate:
    """Identify the resident present at the counter in the population register (a logged
    consultation by the agent) and let the agent act for them today for ``procedure``.

    The resident's account is created when they have none (without a login: they log in later
    with their own means). Nothing is created when the register does not know the number.
    """
    try:
        number = clean_national_number(national_number)
    except ValidationError:
        raise CounterRefused(_("This is not a valid national number.")) from None
    if not agent.national_number:
        raise CounterRefused(_("Your account has no national number: the counter cannot be used."))
    if number == agent.national_number:
        raise CounterRefused(_("You cannot enter an application for yourself at the counter."))
    identity = _identify(agent, administration_id, number, procedure)
    resident = _resident(number, identity)
    today = timezone.localdate()
    return Mandate.objects.create(
        kind="counter",
        grantor=resident,
        helper=agent,
        helper_national_number=agent.national_number,
        procedure_ids=[procedure.id],
        starts_on=today,
        ends_on=today,
    )


def _resident(number: str, identity: dict[str, object]) -> User:
    """The resident's account, created without a login (they log in later with their own means,
    and the identity provider's national number finds this account)."""
    resident = User.objects.by_national_number(number).first()
    if resident is not None:
        return resident
    try:
        with transaction.atomic():
            return User.objects.create(
                username=f"resident-{pseudonym(number)[:24]}",
                national_number=number,
                first_name=str(identity.get("first_name", ""))[:150],
                last_name=str(identity.get("last_name", ""))[:150],
                password=make_password(None),
            )
    except IntegrityError:  # created at the same moment by a login or another counter
        return User.objects.by_national_number(number).get()


def _identify(
    agent: User, administration_id: str, number: str, procedure: Procedure
) -> dict[str, object]:
    need = procedure.need(IDENTITY)
    if need is None or procedure.administration_id:
        raise CounterRefused(_("This procedure cannot be entered at a municipal counter."))
    actor = Actor(agent.pk, agent.national_number or "", "agent", administration_id)
    try:
        answers = consult(
            Subject("person", number), [IDENTITY], Purpose(procedure.id, need["purpose"]), actor
        )
    except ConsultationRefused:
        raise CounterRefused(_("You may not enter this procedure at the counter.")) from None
    answer = answers["population"]
    if answer.unavailable:
        raise CounterRefused(
            _("The population register did not answer. Please try again in a moment.")
        )
    identity = answer.attributes.get("identity")
    if not identity:
        raise CounterRefused(
            _(
                "The population register does not know this national number. Check it against "
                "the identity document."
            )
        )
    return dict(identity)


def do_add_counter_procedure(mandate: Mandate, procedure: Procedure) -> Mandate:
    """Another procedure for the resident still at the counter: the same session (the identity
    already checked and read) now covers it too. Refused for a session that is over or a
    procedure that cannot be entered at a counter."""
    if mandate.kind != "counter" or not mandate.is_valid_on(timezone.localdate()):
        raise CounterRefused(_("The counter session is over: identify the resident again."))
    if procedure.id not in {p.id for p in counter_procedures()}:
        raise CounterRefused(_("This procedure cannot be entered at a municipal counter."))
    if procedure.id not in mandate.procedure_ids:
        mandate.procedure_ids = [*mandate.procedure_ids, procedure.id]
        mandate.save(update_fields=["procedure_ids"])
    return mandate


def do_end_counter_session(mandate: Mandate) -> None:
    """The agent is done at the counter: the session's mandate ends now, for good."""
    if mandate.kind == "counter":
        do_revoke_mandate(mandate)
