"""Tables of the synthetic registers: population, vehicles, enterprises, social status.

They imitate the shape of the real registers' answers, not their storage. Only the demo source
adapters in ``loket.sources.demo`` read them.
"""

from __future__ import annotations

from django.db import models


class Address(models.Model):
    """A postal address as the population and enterprise registers hold it."""

    street_fr = models.CharField(max_length=200)
    street_nl = models.CharField(max_length=200)
    house_number = models.CharField(max_length=12)
    box = models.CharField(max_length=12, blank=True)
    postcode = models.CharField(max_length=4)
    nis_code = models.CharField(max_length=5)

    class Meta:
        db_table = "register_address"

    def __str__(self) -> str:
        box = f" bte {self.box}" if self.box else ""
        return f"{self.street_fr} {self.house_number}{box}, {self.postcode}"


class Household(models.Model):
    address = models.ForeignKey(Address, on_delete=models.PROTECT)

    class Meta:
        db_table = "register_household"

    def __str__(self) -> str:
        return f"household {self.pk}"


class Resident(models.Model):
    class Gender(models.TextChoices):
        FEMALE = "F"
        MALE = "M"

    national_number = models.CharField(max_length=11, unique=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    birth_date = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    nationality = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    civil_status = models.CharField(max_length=20)
    language = models.CharField(max_length=2)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    household_role = models.CharField(max_length=20)
    address = models.ForeignKey(Address, on_delete=models.PROTECT)
    resident_since = models.DateField()
    previous_addresses = models.JSONField(default=list)

    class Meta:
        db_table = "register_resident"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Vehicle(models.Model):
    plate = models.CharField(max_length=12, unique=True)
    holder = models.ForeignKey(
        Resident, on_delete=models.CASCADE, null=True, related_name="vehicles"
    )
    enterprise = models.ForeignKey(
        "Enterprise", on_delete=models.CASCADE, null=True, related_name="vehicles"
    )
    make = models.CharField(max_length=40)
    model = models.CharField(max_length=40)
    fuel = models.CharField(max_length=20)
    euro_norm = models.PositiveSmallIntegerField()
    first_registration = models.DateField()

    class Meta:
        db_table = "register_vehicle"

    def __str__(self) -> str:
        return self.plate


class Enterprise(models.Model):
    number = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    legal_form = models.CharField(max_length=20)
    start_date = models.DateField()
    address = models.ForeignKey(Address, on_delete=models.PROTECT)
    nace_code = models.CharField(max_length=7)

    class Meta:
        db_table = "register_enterprise"

    def __str__(self) -> str:
        return self.name


class Establishment(models.Model):
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="establishments"
    )
    unit_number = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=200)
    address = models.ForeignKey(Address, on_delete=models.PROTECT)

    class Meta:
        db_table = "register_establishment"

    def __str__(self) -> str:
        return self.name


class Mandatary(models.Model):
    """A person who may legally act for an enterprise (director, manager)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="mandataries")
    national_number = models.CharField(max_length=11, db_index=True)
    function = models.CharField(max_length=40)

    class Meta:
        db_table = "register_mandatary"

    def __str__(self) -> str:
        return f"{self.function} of {self.enterprise_id}"


class SocialStatus(models.Model):
    """Entitlement to the increased health-insurance allowance (BIM/VT), as the CBSS answers it."""

    national_number = models.CharField(max_length=11, unique=True)
    increased_allowance = models.BooleanField()
    since = models.DateField(null=True)

    class Meta:
        db_table = "register_social_status"

    def __str__(self) -> str:
        return f"social status {self.pk}"
