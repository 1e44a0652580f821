"""A front door: one site of the platform, answering its own host names under its own brand.

The regional door has no administration; a municipality's door names its administration. Every
door shares the same accounts, cases and back-office: only the brand, the contact details and
the order of the home page differ. A host name belongs to at most one door (unique), so a request
resolves to one door or to none (400).
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from loket.core.i18n import pick
from loket.core.models import Administration, Named
from loket.doors.contrast import WHITE


class Door(Named):
    id = models.SlugField(primary_key=True, max_length=40)
    administration = models.OneToOneField(
        Administration, null=True, blank=True, on_delete=models.PROTECT, related_name="door",
        help_text="The municipality whose door this is; none for the region's door.",
    )  # fmt: skip
    logo = models.CharField(max_length=200, blank=True, help_text="A static file path.")
    accent = models.CharField(max_length=7, blank=True, help_text="#rrggbb; empty: Loket's.")
    accent_text = models.CharField(max_length=7, default=WHITE)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    opening_hours = models.JSONField(default=dict, blank=True, help_text="Text by language.")
    help_points = models.TextField(blank=True, help_text="One place of help per line.")
    embed_origins = models.JSONField(
        default=list, blank=True,
        help_text="Origins whose pages may frame this door's /embed/ pages.",
    )  # fmt: skip

    class Meta:
        ordering: ClassVar[list[str]] = ["id"]
        constraints = [
            # One regional door: administration NULL counts as one value here.
            models.UniqueConstraint(
                Coalesce("administration", models.Value("")), name="one_door_per_administration"
            )
        ]

    @property
    def is_regional(self) -> bool:
        return self.administration_id is None

    @property
    def hours(self) -> str:
        return pick(self.opening_hours) if self.opening_hours else ""

    @property
    def help_point_lines(self) -> list[str]:
        return [line.strip() for line in self.help_points.splitlines() if line.strip()]


class DoorHost(models.Model):
    """A host name a door answers (lower case, no port), e.g. ``e-loket.ixelles.be``.

    One host of each door is its primary one (the first in the door's form): canonical links,
    hreflang and the sitemap use it, and a request on another of the door's hosts is redirected
    to it (docs/findability.md)."""

    host = models.CharField(max_length=253, unique=True)
    door = models.ForeignKey(Door, on_delete=models.CASCADE, related_name="hosts")
    primary = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar[list[str]] = ["door", "-primary", "host"]
        verbose_name = _("host name")
        constraints = [
            models.UniqueConstraint(
                fields=["door"], condition=models.Q(primary=True), name="one_primary_host_per_door"
            )
        ]

    def __str__(self) -> str:
        return self.host
