"""Checking a certificate file: its seal (offline, against the trust anchors), and its hash
against the register of issued certificates. Used by the upload on the verification page and
by ``loket certificates verify FILE.pdf``."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from loket.certificates.actions import do_record_verification, outcome_of
from loket.certificates.models import IssuedCertificate, Verification
from loket.certificates.selectors import certificate_by_sha256
from loket.core.seal import SealCheck, check_pdf


@dataclass(frozen=True)
class FileCheck:
    seal: SealCheck
    sha256: str
    certificate: IssuedCertificate | None

    @property
    def registered(self) -> bool:
        return self.certificate is not None

    @property
    def authentic(self) -> bool:
        """Sealed by a trusted authority, unchanged, and the very file that was issued."""
        return self.seal.ok and self.registered

    @property
    def valid(self) -> bool:
        return (
            self.authentic
            and self.certificate is not None
            and (self.certificate.status == IssuedCertificate.Status.VALID)
        )

    @property
    def problems(self) -> list[str]:
        problems = list(self.seal.problems)
        if not self.registered:
            problems.append("the file is not in the register of issued certificates")
        elif self.certificate is not None and not self.valid:
            problems.append(f"the certificate is {self.certificate.status}")
        return problems


def check_file(data: bytes, channel: str) -> FileCheck:
    """Check ``data`` and record the verification against the certificate it is (if any)."""
    sha256 = hashlib.sha256(data).hexdigest()
    check = FileCheck(check_pdf(data), sha256, certificate_by_sha256(sha256))
    if check.certificate is not None:
        outcome = outcome_of(check.certificate) if check.seal.ok else Verification.Outcome.TAMPERED
        do_record_verification(check.certificate, channel, outcome)
    return check
