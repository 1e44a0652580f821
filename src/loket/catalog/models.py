"""The catalogue: procedures that residents and businesses can start, grouped by life event."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.core.holidays import add_working_days
from loket.core.models import Administration, Named

DEFAULT_PROCESSING_DAYS = 10


class LifeEvent(Named):
    id = models.SlugField(primary_key=True, max_length=40)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]


class Procedure(Named):
    """A procedure of the reference catalogue. Its id is stable: links and tests use it."""

    class Owner(models.TextChoices):
        MUNICIPALITY = "municipality", _("The municipality where you live")
        BODY = "body", _("A regional body")

    id = models.SlugField(primary_key=True, max_length=60)
    owner_kind = models.CharField(max_length=20, choices=Owner.choices)
    administration = models.ForeignKey(
        Administration,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="The handling body when the procedure is not a municipal one.",
    )
    audience = models.CharField(max_length=20)
    summary = models.JSONField(default=dict)
    you_receive = models.JSONField(default=dict)
    keywords = models.JSONField(default=dict)
    life_events = models.ManyToManyField(LifeEvent, related_name="procedures")
    needs = models.JSONField(
        default=list,
        help_text="Register attributes this procedure reads, each with purpose and legal basis.",
    )
    next_steps = models.JSONField(
        default=list,
        help_text="What happens after sending, in order, each step as {fr, nl, en} texts.",
    )
    handled_by = models.JSONField(
        default=dict,
        help_text="Who handles it, as {fr, nl, en} texts, where the handling body's name alone "
        "would not be true (a body that passes the request on to another names both).",
    )
    delivers = models.CharField(max_length=20)
    location_bound = models.BooleanField(default=False)
    processing_days = models.PositiveSmallIntegerField(default=0)
    fee_eur = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    retention_years = models.PositiveSmallIntegerField(default=5)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    @property
    def is_municipal(self) -> bool:
        return self.owner_kind == self.Owner.MUNICIPALITY

    def answer_deadline(self, sent_on: date) -> date:
        """The last day the administration has to answer an application sent on ``sent_on``:
        ``processing_days`` working days later (10 when the catalogue gives none), weekends and
        Belgian and Brussels public holidays not counted."""
        return add_working_days(sent_on, self.processing_days or DEFAULT_PROCESSING_DAYS)

    def need(self, attribute: str) -> dict[str, Any] | None:
        """The declared need for ``source.attribute``, with its purpose and legal basis."""
        for need in self.needs:
            if need["attribute"] == attribute:
                return dict(need)
        return None

    def needs_by_source(self) -> dict[str, list[dict[str, Any]]]:
        grouped: dict[str, list[dict[str, Any]]] = {}
        for need in self.needs:
            grouped.setdefault(need["attribute"].split(".")[0], []).append(need)
        return grouped
