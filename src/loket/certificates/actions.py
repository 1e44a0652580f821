"""Issuing, revoking and verifying certificates: the only functions that write them.

Issuing reads the registers and seals outside any transaction (a slow register or timestamp
authority holds no database lock), then records the certificate and supersedes the case's
previous one in one transaction. Delivering closes the case through cases' own actions, which
write its history: certificates never writes a case's row itself.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.cases.actions import (
    do_add_history_note,
    do_close_as_delivered,
    do_pass_to_administration,
    do_refer_to_civil_servant,
)
from loket.cases.models import Case
from loket.cases.notices import door_sender, topic_of
from loket.cases.selectors import cases_visible_to
from loket.certificates.codes import digest, new_code
from loket.certificates.content import CannotIssue, kind_of, read_facts
from loket.certificates.documents import (
    Document,
    certificate_language,
    purpose_text,
    rows_for,
    sealed_pdf,
)
from loket.certificates.models import IssuedCertificate, Verification
from loket.core.models import Administration, User
from loket.core.seal import SealUnavailable
from loket.notify.actions import do_notify
from loket.observe import metrics
from loket.sources.base import Actor

logger = logging.getLogger("loket.certificates")


class DeliveryRefused(Exception):
    """The case is not this agent's, or no longer open: nothing is issued."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class RevocationRefused(Exception):
    """The certificate is not this agent's to revoke, is no longer valid, or has no reason."""


@dataclass(frozen=True)
class Issued:
    """A certificate just issued, with its verification code (printed on it, never stored)."""

    certificate: IssuedCertificate
    code: str


def _actor(case: Case, agent: User | None) -> Actor:
    """Who reads the registers for the certificate: the back-office agent; or whoever sent the
    application, in the role they sent it in (the applicant, a helper under a mandate, or an
    agent at a counter), so that My data names the same person as for the prefill."""
    if agent is not None:
        return Actor(
            agent.pk, agent.national_number or "", "agent",
            administration_id=case.administration_id,
        )  # fmt: skip
    principal = case.applicant.national_number or ""
    sender = case.submitted_by
    if sender is None:
        return Actor(case.applicant.pk, principal, "self")
    if case.channel == Case.Channel.COUNTER:
        return Actor(
            sender.pk, sender.national_number or "", "counter",
            administration_id=case.counter_administration_id or "", acting_for=principal,
        )  # fmt: skip
    return Actor(sender.pk, sender.national_number or "", "helper", acting_for=principal)


def prepare_certificate(case: Case, agent: User | None = None) -> Document:
    """What the case's certificate prints, read from the registers now (each read logged): the
    first half of issuing, before the seal. Raises ``content.CannotIssue`` as issuing does."""
    kind_of(case)
    facts = read_facts(case, _actor(case, agent))
    language = certificate_language(case)
    return Document(
        case=case,
        number=_next_number(case),
        code=new_code(),
        language=language,
        issued_at=timezone.now(),
        purpose=purpose_text(case, language),
        rows=rows_for(case, facts, language),
    )


def do_issue_certificate(case: Case, agent: User | None = None) -> Issued:
    """Issue the certificate the case asks for, from the registers as they are now.

    Without ``agent`` it is issued at once for the applicant; with one, from the back-office by
    that agent of the handling administration. Raises ``content.CannotIssue`` (with the reason)
    when the registers cannot support it and ``seal.SealUnavailable`` when it cannot be sealed.
    """
    document = prepare_certificate(case, agent)
    issued_at = document.issued_at
    pdf = sealed_pdf(document)
    with transaction.atomic():
        previous = list(
            IssuedCertificate.objects.select_for_update().filter(
                case=case, status=IssuedCertificate.Status.VALID
            )
        )
        certificate = IssuedCertificate.objects.create(
            case=case, kind=case.procedure_id, number=document.number, language=document.language,
            code_digest=digest(document.code), sha256=hashlib.sha256(pdf).hexdigest(),
            purpose=document.purpose[:200], certified=document.rows, issued_at=issued_at,
            issued_by=agent, file=ContentFile(pdf, name=f"{document.number}.pdf"),
        )  # fmt: skip
        for old in previous:
            old.status = IssuedCertificate.Status.SUPERSEDED
            old.superseded_by = certificate
            old.changed_at = issued_at
            old.reason = f"{certificate.number}"
            old.save(update_fields=["status", "superseded_by", "changed_at", "reason"])
    metrics.certificate_issued()
    return Issued(certificate, document.code)


def do_deliver_certificate(case: Case, agent: User | None = None) -> Issued:
    """Issue the case's certificate and close the case as delivered: at once for the applicant
    (no ``agent``), or from the back-office by an agent of the handling administration. Raises
    ``CannotIssue`` or ``SealUnavailable`` as :func:`do_issue_certificate` does, and
    ``DeliveryRefused`` for an agent outside the administration or a case no longer open."""
    if agent is not None:
        if not cases_visible_to(agent).filter(pk=case.pk).exists():
            do_record_security_event(
                "certificate-outside-tenancy",
                actor_pseudonym=person_pseudonym(agent),
                case=case.reference,
            )
            raise DeliveryRefused("not-yours")
        case.refresh_from_db()
        if not case.is_open:
            raise DeliveryRefused("closed")
    issued = do_issue_certificate(case, agent)
    with translation.override(case.language or "fr"):
        note = _("Certificate no. %(number)s issued.") % {"number": issued.certificate.number}
    do_close_as_delivered(case, agent, note)
    return issued


def deliver_at_once(case: Case) -> None:
    """The deliverer of ``certificate`` documents (registered with cases in ``apps.py``): issue
    when the application is sent, or pass the case on to a civil servant with the reason."""
    try:
        try:
            do_deliver_certificate(case)
        except CannotIssue as cannot:
            registered = _registering_municipality(cannot)
            if registered is None:
                raise
            with translation.override(case.language or "fr"):
                why = _("Passed to %(municipality)s: %(reason)s") % {
                    "municipality": registered.name, "reason": cannot.reason,
                }  # fmt: skip
            case = do_pass_to_administration(case, registered, why)
            do_deliver_certificate(case)
    except CannotIssue as cannot:
        logger.info("certificate for case %s not issued at once: %s", case.pk, cannot.code)
        with translation.override(case.language or "fr"):
            reason = cannot.reason
        do_refer_to_civil_servant(case, reason)
    except SealUnavailable:
        logger.warning("certificate for case %s not issued at once: seal unavailable", case.pk)
        with translation.override(case.language or "fr"):
            reason = _("The electronic seal could not be applied just now.")
        do_refer_to_civil_servant(case, reason)


def _registering_municipality(cannot: CannotIssue) -> Administration | None:
    """The Brussels municipality that issues instead, when the register places the person
    there; None for any other reason (or a residence outside the Region)."""
    if cannot.code != "registered-elsewhere":
        return None
    return Administration.objects.filter(
        id=cannot.municipality, kind=Administration.Kind.MUNICIPALITY
    ).first()


def _next_number(case: Case) -> str:
    count = IssuedCertificate.objects.filter(case=case).count()
    return f"{case.reference}-C{count + 1}"


@transaction.atomic
def do_revoke_certificate(
    certificate: IssuedCertificate, agent: User, reason: str, note: str = ""
) -> None:
    """Revoke a valid certificate of the agent's administration, with the reason's category
    (``IssuedCertificate.RevocationReason``) and an optional note: recorded in the case history,
    and the holder is told (inbox and e-mail)."""
    note = note.strip()
    case = cases_visible_to(agent).filter(pk=certificate.case_id).first()
    if case is None:
        do_record_security_event(
            "certificate-outside-tenancy",
            actor_pseudonym=person_pseudonym(agent),
            certificate=certificate.number,
        )
        raise RevocationRefused("not-yours")
    certificate = IssuedCertificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.status != IssuedCertificate.Status.VALID:
        raise RevocationRefused("not-valid")
    if reason not in IssuedCertificate.RevocationReason.values:
        raise RevocationRefused("no-reason")
    certificate.status = IssuedCertificate.Status.REVOKED
    certificate.revocation_reason = reason
    certificate.reason = note[:500]
    certificate.changed_at = timezone.now()
    certificate.save(update_fields=["status", "revocation_reason", "reason", "changed_at"])
    holder = case.applicant
    with translation.override(case.language or "fr"):
        words = {"number": certificate.number, "reason": certificate.revocation_words}
        do_add_history_note(
            case, agent, _("Certificate no. %(number)s revoked: %(reason)s") % words
        )
    with translation.override(holder.preferred_language or case.language or "fr"):
        words = {"number": certificate.number, "reason": certificate.revocation_words}
        subject = _("Your certificate no. %(number)s was revoked") % words
        body = render_to_string(
            "certificates/revoked_mail.txt",
            {"holder": holder, "certificate": certificate, "case": case},
        )
        link = reverse("web:case", args=[case.reference])
        sender = door_sender(case)
    do_notify(
        holder, f"certificate-revoked:{certificate.pk}", subject, body,
        kind="certificate-revoked", topic=topic_of(case), link=link, sender_name=sender,
    )  # fmt: skip


def do_record_verification(
    certificate: IssuedCertificate, channel: str, outcome: str
) -> Verification:
    """Every verification is recorded: the holder sees each one under My data."""
    metrics.certificate_verified(outcome)
    return Verification.objects.create(certificate=certificate, channel=channel, outcome=outcome)


def outcome_of(certificate: IssuedCertificate) -> str:
    return {
        IssuedCertificate.Status.VALID: Verification.Outcome.VALID,
        IssuedCertificate.Status.REVOKED: Verification.Outcome.REVOKED,
        IssuedCertificate.Status.SUPERSEDED: Verification.Outcome.SUPERSEDED,
    }[IssuedCertificate.Status(certificate.status)]
