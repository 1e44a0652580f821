"""Reports of problems in public space: where and what, apart from the case that handles them.

The case holds the reporter and their words; an ``Incident`` holds only what may be public
(category, point, municipality, street), so the public map never reads a case's answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Incident(models.Model):
    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="incident")
    category = models.CharField(max_length=40)
    lat = models.FloatField(null=True, blank=True, help_text="WGS 84; the map's or the address's.")
    lon = models.FloatField(null=True, blank=True)
    municipality = models.CharField(max_length=10, help_text="NIS code of the place.")
    street_fr = models.CharField(max_length=200, blank=True)
    street_nl = models.CharField(max_length=200, blank=True)
    reported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        indexes = [models.Index(fields=["category", "lat"])]

    def __str__(self) -> str:
        return f"{self.category} ({self.case_id})"


class Support(models.Model):
    """Someone else has the same problem: +1 on an open report, no new case."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="one_support_per_person")
        ]

    def __str__(self) -> str:
        return f"+1 on {self.incident_id}"
