"""Cases: what a submission becomes, handled by exactly one administration."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        IN_PROGRESS = "in_progress", _("Being handled")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    reference = models.CharField(max_length=20, unique=True)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT)
    definition_version = models.PositiveIntegerField()
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases"
    )
    administration = models.ForeignKey(
        "core.Administration", on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
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
        return self.status in (self.Status.SUBMITTED, self.Status.IN_PROGRESS)


class CaseEvent(models.Model):
    """A step in the life of a case, shown to the applicant and the agents."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Case.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"
