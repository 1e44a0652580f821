"""Drafts: an application in progress, saved on the server after every page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from loket.core.i18n import format_file_size


class DraftQuerySet(models.QuerySet["Draft"]):
    def in_progress(self) -> DraftQuerySet:
        """The drafts the person has put something into: opening a procedure's first page
        starts a draft (it holds the idempotency key from then on), but one with no answer yet
        is no "application not yet sent" to list, nor to worry about after sending one."""
        return self.exclude(answers={})


class Draft(models.Model):
    """What the applicant has answered so far, and the facts confirmed from the registers.

    ``facts`` keeps what the registers answered when the applicant started, so that the
    applicant confirms exactly what the case will carry. ``unavailable`` lists the facts no
    register gave (declined, nothing held, or no answer); the form then asks the applicant for
    that data. ``unanswered`` lists those whose register did not answer: only these are a failure
    to tell the applicant about.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.CASCADE)
    definition_version = models.PositiveIntegerField()
    consented = models.BooleanField(null=True, help_text="None until the applicant chose.")
    facts = models.JSONField(default=dict)
    unavailable = models.JSONField(default=list)
    unanswered = models.JSONField(default=list)
    answers = models.JSONField(default=dict)
    idempotency_key = models.UUIDField(default=uuid.uuid4)
    door = models.ForeignKey(
        "doors.Door", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="The front door the draft was started on (the case keeps it).",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DraftQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "procedure"], name="one_draft_per_procedure")
        ]

    def __str__(self) -> str:
        return f"draft {self.procedure_id} of user {self.user_id}"


class Attachment(models.Model):
    """A file an applicant or an agent uploaded. Stored under a random name through Django's
    storage API and only ever served by a view that checks who asks (never a public URL).
    Which case it belongs to, if any, is written on the case's side (``cases.CaseAttachment``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    name = models.CharField(max_length=120, help_text="The sanitised original name.")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    @property
    def size_display(self) -> str:
        """ "43 Ko", "43 kB", "1,5 MB": the size as the active language writes it."""
        return format_file_size(self.size)


class DefinitionVersion(models.Model):
    """A version of a procedure's form published by a service designer (the files in
    ``forms/definitions`` are version 1). Never changed once saved: cases refer to it."""

    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.CASCADE, related_name="definition_versions"
    )
    version = models.PositiveIntegerField()
    source = models.TextField(help_text="The definition, in YAML.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["procedure_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} v{self.version}"
