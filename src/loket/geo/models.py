"""The Brussels address register: streets and address points as the official sources list them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.core.models import Administration


class Status(models.TextChoices):
    """The life cycle of a BeST street or address."""

    CURRENT = "current", _("current")
    PROPOSED = "proposed", _("proposed")
    RETIRED = "retired", _("retired")
    REJECTED = "rejected", _("rejected")


class Street(models.Model):
    """A street of one municipality, as one source names it (BeST street id or an OSM key).

    Streets of other sources that carry the same name in the same municipality are merged by the
    search index, not here, so that each source can be re-imported on its own.
    """

    class Source(models.TextChoices):
        BEST = "best", "BeST"
        OSM = "osm", "OpenStreetMap"

    id = models.CharField(primary_key=True, max_length=80, help_text="The source's street id.")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.BEST)
    name_fr = models.CharField(max_length=200)
    name_nl = models.CharField(max_length=200, blank=True)
    municipality = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="streets"
    )
    postcode = models.CharField(max_length=4, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    lat = models.FloatField(null=True, blank=True, help_text="Street-level point, WGS 84.")
    lon = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["municipality_id", "name_fr"]
        indexes = [models.Index(fields=["municipality", "name_fr"])]

    def __str__(self) -> str:
        return f"{self.name_fr} / {self.name_nl} ({self.municipality_id})"


class Address(models.Model):
    """One BeST address point: a house number, possibly a box, with its coordinates."""

    id = models.CharField(primary_key=True, max_length=80, help_text="The BeST address id.")
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="addresses")
    municipality = models.ForeignKey(
        Administration, on_delete=models.PROTECT, related_name="addresses"
    )
    postcode = models.CharField(max_length=4)
    house_number = models.CharField(max_length=20)
    box = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CURRENT)
    lat = models.FloatField(help_text="WGS 84 (EPSG:4326).")
    lon = models.FloatField()
    x = models.FloatField(null=True, blank=True, help_text="Lambert 72 (EPSG:31370), metres.")
    y = models.FloatField(null=True, blank=True)
    seen_at = models.DateTimeField(help_text="Start of the last import whose file listed it.")

    class Meta:
        ordering = ["street_id", "house_number", "box"]
        indexes = [models.Index(fields=["municipality", "postcode"])]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        box = f" box {self.box}" if self.box else ""
        return f"{self.street_id} {self.house_number}{box}, {self.postcode}"


class RegisterImport(models.Model):
    """One import of a source file; the search index rebuilds when a newer one exists."""

    kind = models.CharField(max_length=20)
    file_name = models.CharField(max_length=300)
    started = models.DateTimeField()
    finished = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.rows} rows)"


class RegisterFeedback(models.Model):
    """A problem with the register, passed back to its owner (Paradigm, UrbIS): an address-error
    report, or an address an applicant confirmed that the register does not know.

    The feed (``/urbis/feed.csv`` and ``.geojson``) lists these; the owner answers with a status.
    """

    class Kind(models.TextChoices):
        ERROR_REPORT = "error_report", _("address error reported")
        UNKNOWN_ADDRESS = "unknown_address", _("address unknown to the register")

    class Verdict(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted by the register")
        REJECTED = "rejected", _("rejected by the register")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    register_id = models.CharField(
        max_length=80, blank=True, help_text="The register's address id, or street id."
    )
    register_precision = models.CharField(max_length=10, blank=True)
    municipality = models.CharField(max_length=10, blank=True, help_text="NIS code.")
    address_as_given = models.CharField(max_length=300, blank=True)
    problem = models.CharField(max_length=30, blank=True, help_text="Kind of error, if reported.")
    proposed_correction = models.TextField(blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    procedure_id = models.CharField(max_length=80, blank=True)
    case_reference = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Verdict.choices, default=Verdict.OPEN)
    status_note = models.TextField(blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.register_id or self.address_as_given}"
