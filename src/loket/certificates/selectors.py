"""Reads of the register of issued certificates, scoped once."""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.http import Http404

from loket.audit.actions import do_record_security_event
from loket.audit.subjects import person_pseudonym
from loket.cases.models import Case
from loket.cases.selectors import agent_administration_ids
from loket.certificates.codes import digest, normalise
from loket.certificates.models import IssuedCertificate, Verification
from loket.core.models import User


def certificates_issued_by(agent: User) -> QuerySet[IssuedCertificate]:
    """What the agent's administrations issued, with how often each was verified; no content
    beyond the case's."""
    return (
        IssuedCertificate.objects.filter(
            case__administration_id__in=agent_administration_ids(agent)
        )
        .select_related("case", "case__procedure")
        .annotate(verification_count=Count("verifications"))
    )


def certificate_register(
    agent: User, kind: str = "", status: str = ""
) -> QuerySet[IssuedCertificate]:
    """The register of what the agent's administrations issued, newest first, optionally of one
    kind (procedure id) and one status."""
    certificates = certificates_issued_by(agent).select_related("issued_by")
    if kind:
        certificates = certificates.filter(kind=kind)
    if status:
        certificates = certificates.filter(status=status)
    return certificates.order_by("-issued_at", "-id")


def certificates_of_case(agent: User, case: Case) -> QuerySet[IssuedCertificate]:
    """Every certificate of one case (found with ``cases.selectors.get_case_for_agent``), oldest
    first, as the agent's administrations issued them."""
    return (
        certificates_issued_by(agent)
        .filter(case=case)
        .select_related("issued_by")
        .order_by("issued_at", "id")
    )


def get_certificate_for_agent(agent: User, case: Case, number: str) -> IssuedCertificate:
    """One certificate of a case of the agent's administrations, or 404 — the same for a number
    of another case or administration as for none at all; the attempt is logged."""
    certificate = certificates_of_case(agent, case).filter(number=number[:40]).first()
    if certificate is None:
        do_record_security_event(
            "certificate-outside-tenancy", actor_pseudonym=person_pseudonym(agent),
            user_id=agent.pk, case=case.reference, certificate=number[:40],
        )  # fmt: skip
        raise Http404
    return certificate


def certificate_by_code(typed: str) -> IssuedCertificate | None:
    code = normalise(typed)
    if not code:
        return None
    return (
        IssuedCertificate.objects.select_related("case__administration", "case__procedure")
        .filter(code_digest=digest(code))
        .first()
    )


def certificate_by_sha256(sha256: str) -> IssuedCertificate | None:
    return IssuedCertificate.objects.filter(sha256=sha256).select_related("case").first()


def certificates_of(holder: User) -> QuerySet[IssuedCertificate]:
    return IssuedCertificate.objects.filter(case__applicant=holder).select_related("case")


def verifications_of_certificates_held_by(holder: User) -> QuerySet[Verification]:
    return Verification.objects.filter(certificate__case__applicant=holder).select_related(
        "certificate", "certificate__case__procedure"
    )


def certificates_of_holders_case(case: Case) -> QuerySet[IssuedCertificate]:
    """Every certificate issued for the holder's case (found with
    ``cases.selectors.get_case_for_applicant``), newest first."""
    return IssuedCertificate.objects.filter(case=case).annotate(
        verification_count=Count("verifications")
    )


def latest_certificates_by_case(holder: User) -> dict[int, IssuedCertificate]:
    """The holder's newest certificate of each case, valid or not: My cases offers the valid
    one to download and says when it was revoked."""
    latest: dict[int, IssuedCertificate] = {}
    for certificate in certificates_of(holder).order_by("issued_at", "pk"):
        latest[certificate.case_id] = certificate
    return latest
