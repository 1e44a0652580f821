"""Mandates: a person, or an enterprise through one of its mandataries, lets a helper act for it.

A mandate names its helper by national number; the helper's account is linked when it exists,
otherwise the mandate waits as an invitation until someone with that number logs in. It covers
chosen procedures (or all), for at most a year, and can be revoked at any time.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from loket.core.fields import BlindIndexField, EncryptedIdentifierField, with_blind_indexes
from loket.core.identifiers import format_enterprise_number
from loket.core.models import NATIONAL_NUMBER


class Mandate(models.Model):
    grantor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="mandates_given",
        help_text="The principal, or the enterprise's mandatary who gave the mandate.",
    )
    enterprise_number = models.CharField(
        max_length=10, blank=True, help_text="Set when the mandate is given for an enterprise."
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mandates_held",
        help_text="Empty while the helper has no account yet (a pending invitation).",
    )
    # Encrypted at rest; looked up through its blind index (core.models.national_number_index).
    helper_national_number = EncryptedIdentifierField()
    helper_national_number_index = BlindIndexField(
        source="helper_national_number", kind=NATIONAL_NUMBER, db_index=True
    )
    procedure_ids = models.JSONField(
        default=list, blank=True, help_text="Procedures covered; empty means all."
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(
        max_length=10,
        choices=[
            ("personal", _("Given by the person or enterprise")),
            ("counter", _("Counter session")),
        ],
        default="personal",
        help_text="counter: an agent enters a paper application for a resident present at "
        "the counter; valid for that day only.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="mandate_ends_after_start"
            )
        ]
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")

    def __str__(self) -> str:
        return f"mandate {self.pk} of {self.grantor_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_blind_indexes(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def principal_identifier(self) -> str:
        """Whose data the helper reads: the enterprise's number or the grantor's national number."""
        return self.enterprise_number or self.grantor.national_number or ""

    @property
    def principal_kind(self) -> str:
        return "enterprise" if self.enterprise_number else "person"

    @property
    def principal_name(self) -> str:
        if self.enterprise_number:
            return str(
                _("the enterprise %(number)s (through %(name)s)")
                % {
                    "number": format_enterprise_number(self.enterprise_number),
                    "name": self.grantor.display_name,
                }
            )
        return self.grantor.display_name

    def covers(self, procedure_id: str) -> bool:
        return not self.procedure_ids or procedure_id in self.procedure_ids

    def is_valid_on(self, day: date) -> bool:
        return self.revoked_at is None and self.starts_on <= day <= self.ends_on
