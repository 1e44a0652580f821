"""Cases: what a submission becomes, handled by exactly one administration."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_PROGRESS = "in_progress", _("Being handled")
        INFORMATION_REQUESTED = "information_requested", _("Waiting for your information")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    reference = models.CharField(max_length=20, unique=True)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT)
    definition_version = models.PositiveIntegerField()
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    administration = models.ForeignKey(
        "core.Administration", on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.SUBMITTED)
    facts = models.JSONField(
        default=dict, help_text="Data read from authentic sources, by source and attribute."
    )
    answers = models.JSONField(default=dict, help_text="Data declared by the applicant.")
    declared_instead = models.JSONField(
        default=list,
        help_text="Sources whose data the applicant declared (register down/declined).",
    )
    language = models.CharField(max_length=2)
    idempotency_key = models.UUIDField()
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    due_on = models.DateField(
        null=True, help_text="Submission plus the handling time, paused time excluded."
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
    )
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Personal data removed under the retention rule."
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who pressed submit, when not the applicant (a helper).",
    )

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "idempotency_key"], name="one_case_per_submission"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.REJECTED)


OPEN_STATUSES = (
    Case.Status.SUBMITTED,
    Case.Status.IN_PROGRESS,
    Case.Status.INFORMATION_REQUESTED,
)


class CaseEvent(models.Model):
    """A step in the life of a case, shown to the applicant and the agents."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=30, choices=Case.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class CaseMessage(models.Model):
    """A message between the applicant and the administration, with attachments."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_applicant = models.BooleanField()
    body = models.TextField()
    attachments = models.ManyToManyField("loket_forms.Attachment", blank=True)
    requests_information = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"message on {self.case_id}"
