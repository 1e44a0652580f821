"""Issuing, revoking and verifying certificates: the only functions that write them.

Issuing reads the registers and seals outside any transaction (a slow register or timestamp
authority holds no database lock), then records the certificate, supersedes the case's previous
one and writes the case history in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.cases.models import Case, CaseEvent
from loket.cases.notices import topic_of
from loket.cases.selectors import cases_visible_to
from loket.certificates.codes import digest, new_code
from loket.certificates.content import kind_of, read_facts
from loket.certificates.documents import (
    Document,
    certificate_language,
    purpose_text,
    rows_for,
    sealed_pdf,
)
from loket.certificates.models import IssuedCertificate, Verification
from loket.core.models import User
from loket.notify.actions import do_notify
from loket.sources.base import Actor


class RevocationRefused(Exception):
    """The certificate is not this agent's to revoke, is no longer valid, or has no reason."""


@dataclass(frozen=True)
class Issued:
    """A certificate just issued, with its verification code (printed on it, never stored)."""

    certificate: IssuedCertificate
    code: str


def _actor(case: Case, agent: User | None) -> Actor:
    if agent is None:
        applicant = case.applicant
        return Actor(applicant.pk, applicant.national_number or "", "self")
    return Actor(
        agent.pk, agent.national_number or "", "agent", administration_id=case.administration_id
    )


def do_issue_certificate(case: Case, agent: User | None = None) -> Issued:
    """Issue the certificate the case asks for, from the registers as they are now.

    Without ``agent`` it is issued at once for the applicant; with one, from the back-office by
    that agent of the handling administration. Raises ``content.CannotIssue`` (with the reason)
    when the registers cannot support it and ``seal.SealUnavailable`` when it cannot be sealed.
    """
    kind_of(case)
    facts = read_facts(case, _actor(case, agent))
    language = certificate_language(case)
    issued_at = timezone.now()
    document = Document(
        case=case,
        number=_next_number(case),
        code=new_code(),
        language=language,
        issued_at=issued_at,
        purpose=purpose_text(case, language),
        rows=rows_for(case, facts, language),
    )
    pdf = sealed_pdf(document)
    with transaction.atomic():
        previous = list(
            IssuedCertificate.objects.select_for_update().filter(
                case=case, status=IssuedCertificate.Status.VALID
            )
        )
        certificate = IssuedCertificate.objects.create(
            case=case, kind=case.procedure_id, number=document.number, language=language,
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
        with translation.override(case.language or "fr"):
            note = _("Certificate no. %(number)s issued.") % {"number": certificate.number}
        CaseEvent.objects.create(case=case, status=case.status, actor=agent, note=note)
    return Issued(certificate, document.code)


def _next_number(case: Case) -> str:
    count = IssuedCertificate.objects.filter(case=case).count()
    return f"{case.reference}-C{count + 1}"


@transaction.atomic
def do_revoke_certificate(certificate: IssuedCertificate, agent: User, reason: str) -> None:
    """Revoke a valid certificate of the agent's administration, with the reason: recorded in
    the case history, and the holder is told (inbox and e-mail)."""
    reason = reason.strip()
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
    if not reason:
        raise RevocationRefused("no-reason")
    certificate.status = IssuedCertificate.Status.REVOKED
    certificate.reason = reason[:500]
    certificate.changed_at = timezone.now()
    certificate.save(update_fields=["status", "reason", "changed_at"])
    holder = case.applicant
    with translation.override(holder.preferred_language or case.language or "fr"):
        words = {"number": certificate.number, "reason": certificate.reason}
        note = _("Certificate no. %(number)s revoked: %(reason)s") % words
        subject = _("Your certificate no. %(number)s was revoked") % words
        body = render_to_string(
            "certificates/revoked_mail.txt",
            {"holder": holder, "certificate": certificate, "case": case},
        )
        link = reverse("web:case", args=[case.reference])
    CaseEvent.objects.create(case=case, status=case.status, actor=agent, note=note)
    do_notify(
        holder, f"certificate-revoked:{certificate.pk}", subject, body,
        kind="certificate-revoked", topic=topic_of(case), link=link,
    )  # fmt: skip


def do_record_verification(
    certificate: IssuedCertificate, channel: str, outcome: str
) -> Verification:
    """Every verification is recorded: the holder sees each one under My data."""
    return Verification.objects.create(certificate=certificate, channel=channel, outcome=outcome)


def outcome_of(certificate: IssuedCertificate) -> str:
    return {
        IssuedCertificate.Status.VALID: Verification.Outcome.VALID,
        IssuedCertificate.Status.REVOKED: Verification.Outcome.REVOKED,
        IssuedCertificate.Status.SUPERSEDED: Verification.Outcome.SUPERSEDED,
    }[IssuedCertificate.Status(certificate.status)]
