"""Model versions, the suggestions they made, and the civil servants' re-routings.

A model is stored as a row (its pipeline pickled), not a file under var/: every application
process in front of one database sees the same active version, backups keep it with the
suggestions it explains, and the row carries its evaluation on the frozen set.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ModelVersion(models.Model):
    task = models.CharField(max_length=40, help_text="What it suggests, e.g. 'incidents'.")
    version = models.PositiveIntegerField()
    trained_at = models.DateTimeField(auto_now_add=True)
    pipeline = models.BinaryField(help_text="The fitted scikit-learn pipeline, pickled.")
    corpus_examples = models.PositiveIntegerField(default=0)
    confirmed_reports = models.PositiveIntegerField(
        default=0, help_text="Reports whose category a civil servant confirmed, scrubbed."
    )
    training_seconds = models.FloatField(default=0)
    threshold = models.FloatField(help_text="Below this confidence, it does not guess: it asks.")
    evaluation = models.JSONField(default=dict, help_text="Figures on the frozen test set.")
    library_versions = models.JSONField(default=dict)
    active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)
    not_activated_because = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["task", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["task", "version"], name="one_number_per_version"),
            models.UniqueConstraint(
                fields=["task"], condition=models.Q(active=True), name="one_active_model_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} v{self.version}"


class Suggestion(models.Model):
    """What a model suggested, where, and what the resident then chose (recorded once the
    report is sent). The text itself is not copied here: it stays in the case."""

    class Channel(models.TextChoices):
        FORM = "form", "form"
        API = "api", "api"

    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=2, blank=True)
    ranked = models.JSONField(help_text='[{"category": …, "confidence": …}, …], likeliest first.')
    abstained = models.BooleanField(help_text="The top confidence was under the threshold.")
    case = models.OneToOneField(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestion"
    )
    chosen_category = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-made_at", "-id"]

    def __str__(self) -> str:
        return f"suggestion {self.pk} by {self.model_version}"

    @property
    def top(self) -> dict[str, object]:
        return self.ranked[0] if self.ranked else {}

    @property
    def accepted(self) -> bool:
        return bool(self.chosen_category) and self.chosen_category == self.top.get("category")


class Rerouting(models.Model):
    """A civil servant changed a report's category (and so, perhaps, who handles it)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="reroutings")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    from_category = models.CharField(max_length=40)
    to_category = models.CharField(max_length=40)
    from_administration = models.CharField(max_length=40)
    to_administration = models.CharField(max_length=40)
    reason = models.TextField(
        blank=True, help_text="Why, as told to the resident (in the case's language), if given."
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_category} -> {self.to_category}"
