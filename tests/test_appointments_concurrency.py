"""Two people take the last place of a slot at the same moment, each in their own thread with
its own database connection: exactly one gets it. Two workers send the reminders at the same
moment: each reminder goes out once. PostgreSQL only (CI runs on it): SQLite serialises every
writer on one file lock, so it cannot show the race this guards against."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from loket.appointments.actions import BookingRefused, do_book, send_due_reminders
from loket.appointments.models import Booking, HelpPoint, Schedule, Slot
from loket.core.holidays import next_working_day
from loket.core.models import User
from loket.notify.models import Notification

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_transactional"),
]
ROUNDS = 10


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set LOKET_TEST_DATABASE_URL): SQLite has no row locks")


def _schedule() -> Schedule:
    point = HelpPoint.objects.create(
        external_id="race", kind="public-digital-space", name="Race EPN", street="Rue Ranson",
        house_number="16", postcode="1130", municipality_id="21004", services=["digital-help"],
    )  # fmt: skip
    point.hours.create(weekday=0, opens=time(9), closes=time(12))
    return Schedule.objects.create(help_point=point, service="digital-help", capacity=1)


def _slot(schedule: Schedule, number: int) -> Slot:
    # On a working day from the day after tomorrow (do_book refuses holidays), from 09:00 on.
    day = next_working_day(timezone.localdate() + timedelta(days=2))
    start = timezone.make_aware(datetime.combine(day, time(9))) + timedelta(minutes=30 * number)
    return Slot.objects.create(schedule=schedule, starts_at=start,
                               ends_at=start + timedelta(minutes=30), capacity=1)  # fmt: skip


def _at_once(*work: Callable[[], object]) -> list[object]:
    """Run each function in its own thread (own connection), all released by one barrier."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = work[index]()
        except Exception as problem:  # the refusal is the expected outcome of one thread
            results[index] = problem
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_two_people_booking_the_last_place_at_once_get_exactly_one_booking() -> None:
    schedule = _schedule()
    first = User.objects.get(username="demo-resident")
    second = User.objects.get(username="demo-resident2")
    for round_ in range(ROUNDS):
        slot = _slot(schedule, round_)
        results = _at_once(
            partial(do_book, first, slot.pk, f"a{round_}"),
            partial(do_book, second, slot.pk, f"b{round_}"),
        )
        booked = [r for r in results if isinstance(r, Booking)]
        refused = [r for r in results if isinstance(r, BookingRefused)]
        assert (len(booked), len(refused)) == (1, 1), results
        slot.refresh_from_db()
        assert slot.booked == 1
        assert Booking.objects.filter(slot=slot).count() == 1


def test_two_workers_sending_reminders_at_once_send_each_reminder_once() -> None:
    schedule = _schedule()
    people = [User.objects.get(username=f"demo-{key}") for key in ("resident", "resident2")]
    slot = _slot(schedule, 0)
    Slot.objects.filter(pk=slot.pk).update(capacity=2)
    bookings = [do_book(person, slot.pk, f"k{i}") for i, person in enumerate(people)]
    now = slot.starts_at - timedelta(hours=20)  # the slot is within the reminders' 24 hours
    results = _at_once(lambda: send_due_reminders(now), lambda: send_due_reminders(now))
    assert all(isinstance(r, int) for r in results), results
    assert sum(r for r in results if isinstance(r, int)) == 2  # two bookings, each sent once
    for booking in bookings:
        assert Notification.objects.filter(event_key=f"booking:{booking.pk}:reminder").count() == 1
