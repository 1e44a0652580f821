"""Reads of the finder, the booking pages and the agenda; tenancy of the agenda lives here."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.db.models import Avg, QuerySet
from django.utils import timezone

from loket.appointments.hours import Range, is_open_at
from loket.appointments.models import Booking, HelpPoint, Schedule, Slot
from loket.core.holidays import is_closed_day
from loket.core.models import Membership, User
from loket.mandates.models import Mandate

PARADIGM = "paradigm"
# Paradigm's digital helpers work in the public digital spaces: they keep the places up to date
# and see the day's bookings, like the agents and heads of service of the places' organisations.
STAFF_ROLES = (Membership.Role.AGENT, Membership.Role.MANAGER, Membership.Role.HELPER)


@dataclass(frozen=True)
class Filters:
    municipality: str = ""
    service: str = ""
    language: str = ""
    wheelchair: str = ""
    open_now: bool = False
    weekday: int | None = None


def _ranges(point: HelpPoint) -> list[Range]:
    return [Range(r.weekday, r.opens, r.closes) for r in point.hours.all()]


def find_help_points(filters: Filters, now: datetime | None = None) -> list[HelpPoint]:
    """Active places matching every filter given (lists are short: filtered in Python)."""
    points = HelpPoint.objects.filter(is_active=True).select_related("municipality")
    if filters.municipality:
        points = points.filter(municipality_id=filters.municipality)
    if filters.wheelchair == "yes":
        points = points.filter(wheelchair=HelpPoint.Access.YES)
    elif filters.wheelchair == "partly":
        points = points.exclude(wheelchair=HelpPoint.Access.NO)
    moment = timezone.localtime(now or timezone.now())
    found = []
    for point in points.prefetch_related("hours"):
        if filters.service and filters.service not in point.services:
            continue
        if filters.language and filters.language not in point.languages:
            continue
        if filters.open_now and not is_open_at(_ranges(point), moment):
            continue
        if filters.weekday is not None and not any(
            r.weekday == filters.weekday for r in point.hours.all()
        ):
            continue
        found.append(point)
    return found


@dataclass(frozen=True)
class Nearby:
    point: HelpPoint
    km: float


def municipality_centre(municipality_id: str) -> tuple[float, float] | None:
    """Where distances from a municipality are measured: the mean Lambert 72 point (metres) of
    the places located in it, active or not (every municipality has its own counter)."""
    centre = HelpPoint.objects.filter(
        municipality_id=municipality_id, x__isnull=False, y__isnull=False
    ).aggregate(x=Avg("x"), y=Avg("y"))
    if centre["x"] is None:
        return None
    return float(centre["x"]), float(centre["y"])


def nearest_elsewhere(filters: Filters, limit: int = 5) -> list[Nearby]:
    """When no place in ``filters.municipality`` matches, the nearest matching places in other
    municipalities, with their distance as the crow flies (Lambert 72 is in metres)."""
    centre = municipality_centre(filters.municipality) if filters.municipality else None
    if centre is None:
        return []
    elsewhere = find_help_points(replace(filters, municipality=""))
    nearby = [
        Nearby(point, math.dist(centre, (point.x, point.y)) / 1000)
        for point in elsewhere
        if point.x is not None and point.y is not None
        and point.municipality_id != filters.municipality
    ]  # fmt: skip
    return sorted(nearby, key=lambda n: n.km)[:limit]


def home_municipality(user: User) -> str:
    """The municipality the finder starts from for a logged-in person, from what Loket already
    holds (no register is read for it): the municipality that handled their latest case, else
    the one of the place of their latest appointment; "" when neither is known."""
    from loket.cases.models import Case

    latest_case = (
        Case.objects.filter(applicant=user, administration__kind="municipality")
        .order_by("-pk").values_list("administration_id", flat=True).first()
    )  # fmt: skip
    if latest_case:
        return str(latest_case)
    latest_booking = (
        Booking.objects.filter(person=user).order_by("-pk")
        .values_list("slot__schedule__help_point__municipality_id", flat=True).first()
    )  # fmt: skip
    return str(latest_booking or "")


def bookable_schedules(point: HelpPoint) -> list[Schedule]:
    return list(point.schedules.all().order_by("service"))


def free_slots(schedule: Schedule, now: datetime | None = None) -> dict[date, list[Slot]]:
    """The future slots with a place left, by local day; none on a public holiday (slots made
    before a holiday was known, or by an older version, are left out here too)."""
    now = now or timezone.now()
    days: dict[date, list[Slot]] = {}
    slots = schedule.slots.filter(starts_at__gt=now).order_by("starts_at")
    for slot in slots:
        day = timezone.localtime(slot.starts_at).date()
        if slot.booked < slot.capacity and not is_closed_day(day):
            days.setdefault(day, []).append(slot)
    return days


def is_paradigm_staff(user: User) -> bool:
    """Whether the user manages help points: staff (agent, manager, digital helper) of Paradigm."""
    return user.memberships.filter(administration_id=PARADIGM, role__in=STAFF_ROLES).exists()


def staff_administrations(user: User) -> list[str]:
    return list(
        user.memberships.filter(role__in=STAFF_ROLES).values_list("administration_id", flat=True)
    )


def agenda_for(user: User, day: date) -> QuerySet[Booking]:
    """The day's bookings at the places of the agent's own administrations, nothing else."""
    return (
        Booking.objects.filter(
            slot__schedule__help_point__administration_id__in=staff_administrations(user),
            slot__starts_at__date=day,
        )
        .select_related("slot__schedule__help_point", "person")
        .order_by("slot__starts_at", "pk")
    )


def bookings_of(user: User) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(person=user)
        .select_related("slot__schedule__help_point__municipality", "booked_by")
        .order_by("-slot__starts_at")
    )


def bookings_under(mandate: Mandate) -> QuerySet[Booking]:
    """The principal's appointments a helper acting under ``mandate`` sees: those of the
    procedures it covers (all of them for a mandate without a list)."""
    found = bookings_of(mandate.grantor)
    if mandate.procedure_ids:
        found = found.filter(procedure_id__in=mandate.procedure_ids)
    return found
