"""The access log (who consulted whose data, why) and the security event log.

Entries hold pseudonyms (keyed HMAC of the national number) and codes, never personal data, so a
person's erasure never requires touching the log.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLogEntry(models.Model):
    """One consultation of one authentic source for one subject. Append-only."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Data received")
        UNAVAILABLE = "unavailable", _("Register unavailable")

    class ActorRole(models.TextChoices):
        SELF = "self", _("You")
        AGENT = "agent", _("Civil servant")
        HELPER = "helper", _("Mandated helper")

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    subject_pseudonym = models.CharField(max_length=64, db_index=True)
    source = models.CharField(max_length=40)
    attributes = models.JSONField()
    procedure_id = models.CharField(max_length=60)
    purpose = models.CharField(max_length=60)
    legal_basis = models.JSONField(default=dict)
    actor_pseudonym = models.CharField(max_length=64)
    actor_role = models.CharField(max_length=20, choices=ActorRole.choices)
    administration_id = models.CharField(
        max_length=40, help_text="The administration on whose behalf the data was read."
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.source} {self.purpose}"


class SecurityEvent(models.Model):
    """A refusal that matters for security: forbidden data access, a case outside one's tenancy."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=60)
    actor_pseudonym = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.kind}"
