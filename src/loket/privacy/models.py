"""What the data protection machinery records about itself (never personal data)."""

from __future__ import annotations

from django.db import models


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
