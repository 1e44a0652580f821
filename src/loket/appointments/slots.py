"""Turning a schedule (opening hours, slot length, capacity, closed days) into concrete slots.

No slot is made on a public holiday (``holidays``) nor on a day the place closes.
Slots are generated ahead (``weeks_ahead``) by ``ensure_slots``, run when a schedule is saved and
daily by the worker; an existing slot is never changed, so its booked count stays true.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from loket.appointments.models import OpeningRange, Schedule, Slot
from loket.core.holidays import is_closed_day


def _starts(schedule: Schedule, ranges: list[OpeningRange], day: date) -> list[datetime]:
    if day.isoformat() in schedule.closed_days or is_closed_day(day):
        return []
    length = timedelta(minutes=schedule.slot_minutes)
    zone = timezone.get_current_timezone()
    starts = []
    for opening in (r for r in ranges if r.weekday == day.weekday()):
        start = datetime.combine(day, opening.opens, tzinfo=zone)
        end = datetime.combine(day, opening.closes, tzinfo=zone)
        while start + length <= end:
            starts.append(start)
            start += length
    return starts


def ensure_slots(schedule: Schedule, today: date | None = None) -> int:
    """Create the missing slots from tomorrow to ``weeks_ahead`` weeks; returns how many."""
    today = today or timezone.localdate()
    ranges = list(schedule.help_point.hours.all())
    existing = set(
        schedule.slots.filter(starts_at__date__gt=today).values_list("starts_at", flat=True)
    )
    length = timedelta(minutes=schedule.slot_minutes)
    new = [
        Slot(schedule=schedule, starts_at=start, ends_at=start + length,
             capacity=schedule.capacity)
        for offset in range(1, 7 * schedule.weeks_ahead + 1)
        for start in _starts(schedule, ranges, today + timedelta(days=offset))
        if start not in existing
    ]  # fmt: skip
    try:
        with transaction.atomic():
            Slot.objects.bulk_create(new)
    except IntegrityError:  # another worker generated them meanwhile
        return 0
    return len(new)


def ensure_all_slots(today: date | None = None) -> int:
    schedules = Schedule.objects.filter(help_point__is_active=True).select_related("help_point")
    return sum(ensure_slots(schedule, today) for schedule in schedules)
