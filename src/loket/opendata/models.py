"""Releases of the open data: each publication is kept, with the datasets it wrote."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Release(models.Model):
    """One run of ``loket opendata publish``. Its files never change once written."""

    id = models.CharField(primary_key=True, max_length=40, help_text="e.g. 2026-11-28T1530Z")
    published_at = models.DateTimeField()
    period_start = models.DateField(null=True, help_text="First month covered.")
    period_end = models.DateField(help_text="First day after the period covered.")
    threshold = models.PositiveSmallIntegerField(help_text="Smallest count published.")
    rounding = models.PositiveSmallIntegerField(default=0, help_text="Rounding base (0: none).")

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("open data release")
        verbose_name_plural = _("open data releases")

    def __str__(self) -> str:
        return self.id


class ReleasedDataset(models.Model):
    """A dataset as written in one release: its files are ``opendata/<release>/<dataset>.<ext>``."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="datasets")
    dataset = models.SlugField(max_length=60)
    rows = models.PositiveIntegerField()
    suppressed = models.PositiveIntegerField(default=0, help_text="Cells withheld.")
    sizes = models.JSONField(default=dict, help_text="Bytes by file extension.")

    class Meta:
        ordering = ["release", "dataset"]
        constraints = [
            models.UniqueConstraint(fields=["release", "dataset"], name="one_file_set_per_dataset")
        ]

    def __str__(self) -> str:
        return f"{self.release_id}/{self.dataset}"
