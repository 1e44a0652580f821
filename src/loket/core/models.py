"""Administrations (the tenants of the platform), the people who log in, and their roles."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.core import crypto
from loket.core.fields import BlindIndexField, EncryptedIdentifierField, with_blind_indexes
from loket.core.i18n import pick

# The blind index domain of national numbers, shared by every column that holds one (User,
# Mandate), so the same person has the same index everywhere.
NATIONAL_NUMBER = "national_number"


def national_number_index(national_number: str) -> str:
    """What to filter a ``*_national_number_index`` column on to find ``national_number``."""
    return crypto.blind_index(NATIONAL_NUMBER, national_number)


class Named(models.Model):
    """Something whose name is given in each language (``names``: fr, nl, en)."""

    names = models.JSONField(help_text="Names by language code: fr, nl, en.")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return pick(self.names)


class Administration(Named):
    """A municipality (id: its NIS code) or a regional body (id: a slug, e.g. parking-brussels)."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGIONAL = "regional", _("Regional body")

    id = models.CharField(primary_key=True, max_length=40)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    role = models.TextField(blank=True)
    postcodes = models.JSONField(default=list, blank=True)
    main_postcode = models.CharField(max_length=4, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("administration")
        verbose_name_plural = _("administrations")


class Postcode(models.Model):
    """A Brussels postcode; one postcode may cover several municipalities (e.g. 1050)."""

    code = models.CharField(primary_key=True, max_length=4)
    names = models.JSONField()
    municipalities = models.ManyToManyField(Administration, related_name="postcode_set")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {pick(self.names)}"


class UserQuerySet(models.QuerySet["User"]):
    def by_national_number(self, national_number: str) -> UserQuerySet:
        """The user with this national number (at most one), found through the blind index."""
        return self.filter(national_number_index=national_number_index(national_number))


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    """Anyone who logs in: a resident, a business representative, a helper, a civil servant.

    ``national_number`` comes from the identity provider (never typed by the user) and is the key
    to the person's data in the authentic registers. It and ``enterprise_number`` are encrypted
    at rest; find a user by number with ``User.objects.by_national_number()``.
    """

    national_number = EncryptedIdentifierField(null=True, blank=True)
    national_number_index = BlindIndexField(
        source="national_number", kind=NATIONAL_NUMBER, unique=True, null=True, blank=True
    )
    enterprise_number = EncryptedIdentifierField(blank=True)
    preferred_language = models.CharField(max_length=2, default="fr")

    objects: ClassVar[UserManager] = UserManager()

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["update_fields"] = with_blind_indexes(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user's role in one administration. Back-office access flows only from memberships."""

    class Role(models.TextChoices):
        AGENT = "agent", _("Case handler")
        MANAGER = "manager", _("Head of service")
        DPO = "dpo", _("Data protection officer")
        HELPER = "helper", _("Digital helper")
        DESIGNER = "designer", _("Service designer")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "administration", "role"], name="unique_membership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.administration_id}"


class RateCounter(models.Model):
    """Requests counted per key (client, address or user) in a fixed window, in the database so
    that every worker process sees the same count."""

    key = models.CharField(max_length=120)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["key", "window_start"], name="one_rate_counter_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.window_start:%H:%M} {self.count}"


class ReferenceVersion(models.Model):
    """One row per topic of reference data held in memory (the doors, the catalogue's search
    index), whose number goes up at every change of that data: every server process compares it
    with the version its copy was built from (``core.versioned``), so a change made in one
    process reaches all the others within seconds, not at their restart."""

    topic = models.CharField(primary_key=True, max_length=40)
    version = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.topic} version {self.version}"
