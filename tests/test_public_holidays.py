"""Belgian public holidays and the Brussels-Capital Region's Iris day are closed for bookings:
no slot is made on them, none is offered, and an old slot on one cannot be booked.

No date is typed: years come from today, Easter from an algorithm written out here (not the
one the code uses), and the fixed holidays by their day and month in that year."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from loket.appointments.actions import BookingRefused, do_book
from loket.appointments.models import Schedule, Slot
from loket.appointments.seed import seed_demo_help_points
from loket.appointments.selectors import free_slots
from loket.appointments.slots import ensure_slots
from loket.core.holidays import closed_days, holiday_name, is_closed_day
from tests.conftest import demo_user

pytestmark = pytest.mark.usefixtures("in_english")


def gauss_easter(year: int) -> date:
    """Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


FIXED = [(1, 1), (5, 1), (5, 8), (7, 21), (8, 15), (11, 1), (11, 11), (12, 25)]


def test_closed_days_are_the_legal_holidays_and_iris_day_for_a_century() -> None:
    this_year = timezone.localdate().year
    for year in range(this_year - 50, this_year + 50):
        sunday = gauss_easter(year)
        movable = {sunday + timedelta(days=n) for n in (1, 39, 50)}  # Monday, Ascension, Whit
        # Ascension falls on Iris day some years (one closed day then, not two).
        assert set(closed_days(year)) == movable | {date(year, m, d) for m, d in FIXED}


def test_fixed_holidays_and_iris_day_are_closed_with_their_names() -> None:
    year = timezone.localdate().year + 1
    for month, day in FIXED:
        assert is_closed_day(date(year, month, day))
    assert holiday_name(date(year, 5, 8)) == "Iris Day (Brussels-Capital Region)"
    assert holiday_name(date(year, 12, 25)) == "Christmas Day"
    assert not is_closed_day(date(year, 12, 24))


def next_weekday_holiday(month: int, day: int) -> date:
    """The next ``day``/``month`` after today that falls from Monday to Friday."""
    year = timezone.localdate().year + 1
    while date(year, month, day).weekday() > 3:  # keep the day before open too (Mon-Thu)
        year += 1
    return date(year, month, day)


@pytest.mark.django_db
@pytest.mark.usefixtures("address_register")
def test_no_slot_is_made_on_christmas_or_new_year_but_on_the_days_around() -> None:
    seed_demo_help_points()
    schedule = Schedule.objects.get(help_point__external_id="demo-eps-haren-verdun",
                                    service="digital-help")  # fmt: skip
    for month, day in ((12, 25), (1, 1)):
        holiday = next_weekday_holiday(month, day)
        schedule.slots.all().delete()
        made = ensure_slots(schedule, today=holiday - timedelta(days=3))
        days = {timezone.localtime(s.starts_at).date() for s in schedule.slots.all()}
        assert made > 0 and holiday not in days
        assert holiday + timedelta(days=1) in days  # Tuesday to Friday: open


@pytest.mark.django_db
@pytest.mark.usefixtures("address_register")
def test_an_older_slot_on_easter_monday_is_neither_offered_nor_booked() -> None:
    seed_demo_help_points()
    schedule = Schedule.objects.get(help_point__external_id="demo-eps-haren-verdun",
                                    service="digital-help")  # fmt: skip
    year = timezone.localdate().year + 1
    monday = gauss_easter(year) + timedelta(days=1)
    starts = datetime.combine(monday, time(10, 0), tzinfo=timezone.get_current_timezone())
    slot, tuesday = (
        Slot.objects.create(schedule=schedule, starts_at=at, ends_at=at + timedelta(minutes=30),
                            capacity=2)
        for at in (starts, starts + timedelta(days=1))
    )  # fmt: skip
    offered = free_slots(schedule, now=starts - timedelta(days=2))
    assert monday not in offered
    assert offered[monday + timedelta(days=1)] == [tuesday]
    with pytest.raises(BookingRefused):
        do_book(demo_user("resident"), slot.pk, "easter-key")
    slot.refresh_from_db()
    assert slot.booked == 0
