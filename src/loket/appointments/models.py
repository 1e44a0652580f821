"""Places where people get human help, their opening hours, and the appointments made there.

A ``Slot`` is a concrete time at one place for one service with a capacity and a booked count;
the count only ever changes through a conditional UPDATE (``actions.do_book``) and a database
constraint keeps it within the capacity, so two people can never take the last place at once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.appointments.services import LANGUAGES, SERVICES, WEEKDAY_NAMES
from loket.core.i18n import pick


class HelpPoint(models.Model):
    """A public digital space, a help point or a municipal counter."""

    class Kind(models.TextChoices):
        DIGITAL_SPACE = "public-digital-space", _("Public digital space")
        HELP_POINT = "help-point", _("Help point")
        MUNICIPAL_COUNTER = "municipal-counter", _("Municipal counter")

    class Access(models.TextChoices):
        YES = "yes", _("Wheelchair accessible")
        PARTLY = "partly", _("Partly wheelchair accessible")
        NO = "no", _("Not wheelchair accessible")

    external_id = models.CharField(
        max_length=60, unique=True, help_text="The id in the imported file: re-imports update."
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    name = models.CharField(max_length=200)
    administration = models.ForeignKey(
        "core.Administration", null=True, blank=True, on_delete=models.PROTECT,
        related_name="help_points", help_text="The managing organisation, where it is one.",
    )  # fmt: skip
    street = models.CharField(max_length=200)
    house_number = models.CharField(max_length=20, blank=True)
    postcode = models.CharField(max_length=4)
    municipality = models.ForeignKey(
        "core.Administration", on_delete=models.PROTECT, related_name="help_points_located"
    )
    lat = models.FloatField(null=True, blank=True, help_text="WGS 84 (EPSG:4326).")
    lon = models.FloatField(null=True, blank=True)
    x = models.FloatField(null=True, blank=True, help_text="Lambert 72 (EPSG:31370), metres.")
    y = models.FloatField(null=True, blank=True)
    languages = models.JSONField(default=list, help_text="Language codes spoken, e.g. fr, nl.")
    wheelchair = models.CharField(max_length=10, choices=Access.choices, default=Access.NO)
    wheelchair_note = models.CharField(max_length=300, blank=True, help_text="In English.")
    wheelchair_note_fr = models.CharField(max_length=300, blank=True)
    wheelchair_note_nl = models.CharField(max_length=300, blank=True)
    services = models.JSONField(default=list, help_text="Service codes, see services.SERVICES.")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    is_demo = models.BooleanField(default=False, help_text="Invented for the demo.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["municipality_id", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        number = f" {self.house_number}" if self.house_number else ""
        return f"{self.street}{number}, {self.postcode} {self.municipality.name}"

    @property
    def access_note(self) -> str:
        """The access note in the page's language (then French, Dutch, English)."""
        return pick({"en": self.wheelchair_note, "fr": self.wheelchair_note_fr,
                     "nl": self.wheelchair_note_nl})  # fmt: skip

    def service_labels(self) -> list[str]:
        return [str(SERVICES[code]) for code in self.services if code in SERVICES]

    def language_labels(self) -> list[str]:
        return [str(LANGUAGES.get(code, code)) for code in self.languages]


class OpeningRange(models.Model):
    """One opening range on one weekday; a day may have several (morning and afternoon)."""

    help_point = models.ForeignKey(HelpPoint, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 is Monday.")
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__lt=models.F("closes")),
                name="opening_range_opens_before_closing",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__lte=6), name="opening_range_weekday"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday_name} {self.opens:%H:%M}-{self.closes:%H:%M}"

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAY_NAMES[self.weekday])


class Schedule(models.Model):
    """How one service is booked at one place: slot length, capacity, closed days."""

    help_point = models.ForeignKey(HelpPoint, on_delete=models.CASCADE, related_name="schedules")
    service = models.CharField(max_length=30)
    slot_minutes = models.PositiveSmallIntegerField(default=30)
    capacity = models.PositiveSmallIntegerField(default=1, help_text="People per slot.")
    weeks_ahead = models.PositiveSmallIntegerField(default=4)
    closed_days = models.JSONField(default=list, blank=True, help_text="ISO dates, e.g. holidays.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["help_point", "service"], name="one_schedule_per_service"
            )
        ]

    def __str__(self) -> str:
        return f"{self.help_point} · {self.service}"


class Slot(models.Model):
    """A concrete time that can be booked, with how many places it has and how many are taken."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "starts_at"], name="one_slot_per_time"),
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")),
                                   name="slot_booked_within_capacity"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.schedule} · {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)


class Booking(models.Model):
    """One person's appointment in one slot: a logged-in person's, or a guest's.

    A guest books without eID or itsme (the people who come for digital help often have
    neither working): a name and a phone number or an e-mail address stand for the account.
    A helper acting under a mandate books in the person's name; ``booked_by`` keeps who did.
    """

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="bookings",
    )  # fmt: skip
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="bookings_made",
        help_text="A helper who booked it for the person under a mandate; empty otherwise.",
    )  # fmt: skip
    guest_name = models.CharField(max_length=120, blank=True)
    guest_phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +32470…")
    guest_email = models.EmailField(blank=True)
    guest_language = models.CharField(max_length=5, blank=True, help_text="For the guest's mail.")
    guest_erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When the guest's name and contact were erased."
    )
    service = models.CharField(max_length=30)
    procedure_id = models.CharField(max_length=80)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    reference = models.CharField(max_length=20, unique=True)
    cancellation_token = models.CharField(max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    answers = models.JSONField(default=dict, blank=True, help_text="Questions of the procedure.")
    notes = models.TextField(blank=True, help_text="Typed by the person.")
    origin = models.CharField(
        max_length=200, blank=True, help_text="Scheme and host booked through: links in mails."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot__starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False)
                | models.Q(guest_erased_at__isnull=False)
                | (
                    ~models.Q(guest_name="")
                    & (~models.Q(guest_phone="") | ~models.Q(guest_email=""))
                ),
                name="booking_person_or_guest_contact",
            )
        ]
        indexes = [
            models.Index(fields=["guest_phone"], name="booking_guest_phone"),
            models.Index(fields=["guest_email"], name="booking_guest_email"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_guest(self) -> bool:
        return self.person_id is None

    @property
    def display_name(self) -> str:
        return self.person.display_name if self.person is not None else self.guest_name

    @property
    def contact(self) -> str:
        """How the place reaches a guest: the phone number and/or the e-mail address."""
        return " · ".join(filter(None, (self.guest_phone, self.guest_email)))
