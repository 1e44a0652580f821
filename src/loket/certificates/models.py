"""The register of issued certificates, and every verification of one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IssuedCertificate(models.Model):
    """A sealed certificate as it was handed out. The verification code itself is never stored:
    only its SHA-256, so that the register cannot give codes away."""

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        SUPERSEDED = "superseded", _("Superseded")

    class RevocationReason(models.TextChoices):
        """Why a certificate was revoked, in words a receiver understands without the case."""

        ISSUED_IN_ERROR = "issued-in-error", _("It was issued in error")
        DATA_CHANGED = "data-changed", _("The certified data has changed since it was issued")
        REPLACED = "replaced", _("A new certificate replaces it")
        HOLDER_REQUEST = "holder-request", _("The holder asked for it to be revoked")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="certificates")
    kind = models.CharField(max_length=60, help_text="The procedure that delivers it.")
    number = models.CharField(max_length=40, unique=True)
    language = models.CharField(max_length=2)
    code_digest = models.CharField(max_length=64, unique=True)
    sha256 = models.CharField(max_length=64, db_index=True, help_text="Of the sealed PDF.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALID)
    revocation_reason = models.CharField(
        max_length=20, choices=RevocationReason.choices, blank=True,
        help_text="The category of the reason, when revoked.",
    )  # fmt: skip
    reason = models.TextField(
        blank=True, help_text="The optional note on a revocation, or what superseded it."
    )
    purpose = models.CharField(max_length=200, blank=True)
    certified = models.JSONField(
        default=list,
        help_text="What it certifies, as printed on it (label, lines): shown on verification.",
    )
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The agent who issued it from the back-office; empty when issued at once.",
    )
    changed_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField(upload_to="certificates/%Y/%m/")

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def revocation_words(self) -> str:
        """Why it was revoked, in the active language: the category, then the note if any."""
        if self.status != self.Status.REVOKED:
            return ""
        category = str(self.get_revocation_reason_display()) if self.revocation_reason else ""
        if category and self.reason:
            return f"{category}. {self.reason}"
        return category or self.reason


class Verification(models.Model):
    class Channel(models.TextChoices):
        PAGE = "page", _("the verification page")
        UPLOAD = "upload", _("a check of the PDF file on the verification page")
        CLI = "cli", _("an offline check of the PDF file")

    class Outcome(models.TextChoices):
        VALID = "valid", _("authentic and valid")
        REVOKED = "revoked", _("revoked")
        SUPERSEDED = "superseded", _("superseded")
        TAMPERED = "tampered", _("not authentic: the file was changed")

    certificate = models.ForeignKey(
        IssuedCertificate, on_delete=models.CASCADE, related_name="verifications"
    )
    at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.certificate_id} {self.channel} {self.outcome}"
