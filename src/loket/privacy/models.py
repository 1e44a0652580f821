"""What the data protection machinery records: retention runs (metadata only), the requests
people make under their rights, the archives answering access requests, and consents."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RetentionRun(models.Model):
    """One application of the retention rules: when, as of which moment, and how many records
    each rule removed or anonymised, per procedure. Metadata only."""

    ran_at = models.DateTimeField(auto_now_add=True)
    as_of = models.DateTimeField()
    replay = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"retention run {self.ran_at:%Y-%m-%d %H:%M}"


class DataSubjectRequest(models.Model):
    """A person using one of their GDPR rights (Art. 15-18, 21), with its legal deadline: one
    month from receipt, which the DPO may extend by two more months with a reason (Art. 12(3))."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to my data")
        RECTIFICATION = "rectification", _("Correction of my data")
        ERASURE = "erasure", _("Erasure of my data")
        OBJECTION = "objection", _("Objection to a processing")
        RESTRICTION = "restriction", _("Restriction of processing")

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        IN_PROGRESS = "in_progress", _("Being handled")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    details = models.TextField(blank=True, help_text="What the person wrote.")
    case_reference = models.CharField(
        max_length=20, blank=True, help_text="Rectification of declared data: the case concerned."
    )
    register = models.CharField(
        max_length=40, blank=True, help_text="Rectification of register data: the source concerned."
    )
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()
    extended_due_at = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} request {self.pk}"

    @property
    def deadline(self) -> datetime:
        return self.extended_due_at or self.due_at

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.now()


class AccessArchive(models.Model):
    """The file answering an access request: downloadable once, through a random token, until
    it expires; the file is deleted on download or expiry, this row stays as the trace."""

    request = models.OneToOneField(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="archive"
    )
    token = models.CharField(max_length=64, unique=True)
    storage_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"archive of request {self.request_id}"

    @property
    def is_available(self) -> bool:
        return self.deleted_at is None and self.expires_at > timezone.now()


class ConsentRecord(models.Model):
    """A consent given for an optional use of one's data, with the exact wording shown (its
    version and hash), and its withdrawal. Withdrawing keeps the record: it proves both."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(max_length=40)
    text_version = models.PositiveIntegerField()
    text_hash = models.CharField(max_length=64, help_text="SHA-256 of the English wording shown.")
    given = models.BooleanField(default=True, help_text="False: the person said no.")
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"consent {self.purpose} v{self.text_version}"
