"""The appointment engine: booking through the pages, capacity, idempotent confirmation,
cancellation by token, My appointments, the agenda's tenancy, and the reminder sent once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from loket.appointments.actions import BookingRefused, do_book, do_cancel, send_due_reminders
from loket.appointments.models import Booking, HelpPoint, Schedule, Slot
from loket.appointments.seed import seed_demo_help_points
from loket.notify.models import Notification
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user

# The checks read English wording, and reverse() gives /en/ URLs.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("address_register", "in_english"),
]


@pytest.fixture
def schedule() -> Schedule:
    seed_demo_help_points()
    return Schedule.objects.get(help_point__external_id="demo-eps-haren-verdun",
                                service="digital-help")  # fmt: skip


def first_slot(schedule: Schedule, capacity: int = 1) -> Slot:
    slot = schedule.slots.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()
    assert slot is not None
    Slot.objects.filter(pk=slot.pk).update(capacity=capacity)
    slot.refresh_from_db()
    return slot


def book_through_pages(client: Client, slot: Slot, notes: str = "") -> object:
    point, service = slot.schedule.help_point_id, slot.schedule.service
    day = timezone.localtime(slot.starts_at).date().isoformat()
    url = reverse("appointments:book", args=[point, service])
    page = client.get(url, {"day": day})
    assert page.status_code == 200
    chosen = client.post(url, {"day": day, "slot": slot.pk, "notes": notes})
    assert chosen.status_code == 302, chosen.content.decode()[:2000]
    return client.post(
        reverse("appointments:check"), {"key": client.session["appointment_choice"]["key"]}
    )


def test_slots_follow_the_opening_hours_and_closed_days(schedule: Schedule) -> None:
    slots = list(schedule.slots.all())
    assert slots and all(s.capacity == 2 for s in slots)
    local = [timezone.localtime(s.starts_at) for s in slots]
    assert {t.weekday() for t in local} <= {0, 1, 2, 3, 4}  # the place is closed at weekends
    assert all(not (12 <= t.hour < 13) for t in local if t.weekday() == 0)  # lunch break


def test_resident_books_through_the_pages_and_gets_confirmation_mail_and_list(
    schedule: Schedule,
) -> None:
    slot = first_slot(schedule, capacity=2)
    client = client_for("resident")
    page = client.get(
        reverse("appointments:book", args=[slot.schedule.help_point_id, "digital-help"])
    )
    html = page.content.decode()
    assert "<fieldset" in html and "<legend>" in html and "2 places left" in html
    done = book_through_pages(client, slot, notes="My tax return")
    booking = Booking.objects.get(person=demo_user("resident"))
    assert done.url == reverse("appointments:booking", args=[booking.reference])  # type: ignore[attr-defined]
    assert booking.notes == "My tax return" and booking.procedure_id == "digital-help-appointment"
    slot.refresh_from_db()
    assert slot.booked == 1
    confirmation = client.get(done.url).content.decode()  # type: ignore[attr-defined]
    assert booking.reference in confirmation and "Demo entry" in confirmation
    notice = Notification.objects.get(event_key=f"booking:{booking.pk}:booked")
    with override_settings(LOKET_EMAIL_URL="locmem://"):
        run_until_empty()
    assert len(mail.outbox) == 1 and booking.cancellation_token in mail.outbox[0].body
    assert notice.topic == "" and notice.link == ""
    mine = client.get(reverse("appointments:mine")).content.decode()
    assert booking.reference in mine


def test_full_slot_refuses_the_next_booking_with_a_message_and_keeps_the_answers(
    schedule: Schedule,
) -> None:
    slot = first_slot(schedule, capacity=1)
    other = client_for("resident2")
    point = slot.schedule.help_point_id
    day = timezone.localtime(slot.starts_at).date().isoformat()
    url = reverse("appointments:book", args=[point, "digital-help"])
    other.post(url, {"day": day, "slot": slot.pk, "notes": "Printing my CV"})
    book_through_pages(client_for("resident"), slot)  # takes the last place meanwhile
    key = other.session["appointment_choice"]["key"]
    refused = other.post(
        reverse("appointments:check"), {"key": key}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    html = refused.content.decode()
    assert "someone else has just taken the last place" in html
    assert "Printing my CV" in html
    assert Booking.objects.filter(slot=slot).count() == 1
    slot.refresh_from_db()
    assert slot.booked == 1


def test_double_click_on_confirm_gives_one_booking(schedule: Schedule) -> None:
    slot = first_slot(schedule, capacity=2)
    person = demo_user("resident")
    first = do_book(person, slot.pk, "same-key")
    second = do_book(person, slot.pk, "same-key")
    assert first.pk == second.pk
    slot.refresh_from_db()
    assert slot.booked == 1


def test_cancel_by_token_frees_the_place_and_a_wrong_token_is_404(schedule: Schedule) -> None:
    slot = first_slot(schedule, capacity=1)
    booking = do_book(demo_user("resident"), slot.pk, "k1")
    with pytest.raises(BookingRefused):
        do_book(demo_user("resident2"), slot.pk, "k2")
    anonymous = Client()
    url = reverse("appointments:cancel", args=[booking.cancellation_token])
    assert "Yes, cancel" in anonymous.get("/en" + url[3:]).content.decode()
    slot.refresh_from_db()
    assert slot.booked == 1  # GET changes nothing
    assert anonymous.post(url).status_code == 200
    slot.refresh_from_db()
    booking.refresh_from_db()
    assert (slot.booked, booking.status) == (0, "cancelled")
    assert do_book(demo_user("resident2"), slot.pk, "k3").status == "booked"
    assert anonymous.post(url).status_code == 200  # again: nothing more happens
    slot.refresh_from_db()
    assert slot.booked == 1
    token = booking.cancellation_token
    other_first = "y" if token.startswith("x") else "x"  # one in 64 tokens starts with "x"
    forged = reverse("appointments:cancel", args=[other_first + token[1:]])
    assert anonymous.post(forged).status_code == 404


def test_someone_elses_booking_page_is_404(schedule: Schedule) -> None:
    booking = do_book(demo_user("resident"), first_slot(schedule).pk, "k1")
    url = reverse("appointments:booking", args=[booking.reference])
    assert client_for("resident2").get(url).status_code == 404
    assert client_for("resident").get(url).status_code == 200


def test_identity_card_booking_asks_the_reason_and_the_police_report_after_theft() -> None:
    seed_demo_help_points()
    schedule = Schedule.objects.get(help_point__external_id="demo-counter-21009")
    slot = first_slot(schedule)
    client = client_for("resident")
    url = reverse("appointments:book", args=[schedule.help_point_id, "identity-card"])
    day = timezone.localtime(slot.starts_at).date().isoformat()
    missing = client.post(url, {"day": day, "slot": slot.pk, "reason": "stolen"},
                          HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    assert missing.status_code == 400
    client.post(url, {"day": day, "slot": slot.pk, "reason": "stolen",
                      "police_report_number": "PV 123"})  # fmt: skip
    client.post(reverse("appointments:check"), {"key": client.session["appointment_choice"]["key"]})
    booking = Booking.objects.get(slot=slot)
    assert booking.answers == {"reason": "stolen", "police_report_number": "PV 123"}
    assert booking.procedure_id == "identity-card-appointment"
    agenda = reverse("appointments:agenda") + f"?day={day}"
    assert booking.reference in client_for("agent-ixelles").get(agenda).content.decode()
    assert booking.reference not in client_for("agent-parking").get(agenda).content.decode()
    assert client_for("resident").get(agenda).status_code == 403


def test_reminder_goes_out_once_even_when_the_task_runs_twice(schedule: Schedule) -> None:
    slot = first_slot(schedule, capacity=2)
    booking = do_book(demo_user("resident"), slot.pk, "k1")
    do_book(demo_user("resident2"), slot.pk, "k2")
    Notification.objects.all().delete()
    too_early = slot.starts_at - timedelta(hours=30)
    assert send_due_reminders(now=too_early) == 0
    day_before = slot.starts_at - timedelta(hours=23)
    assert send_due_reminders(now=day_before) == 2
    assert send_due_reminders(now=day_before + timedelta(minutes=15)) == 0  # second run
    with override_settings(LOKET_EMAIL_URL="locmem://"):
        run_until_empty()
        run_until_empty()
    reminders = [m for m in mail.outbox if "Reminder" in m.subject or "Rappel" in m.subject]
    assert len(reminders) == 2  # one per person
    assert Notification.objects.filter(event_key=f"booking:{booking.pk}:reminder").count() == 1
    booking.refresh_from_db()
    assert booking.reminder_sent_at == day_before


def test_cancelled_booking_gets_no_reminder(schedule: Schedule) -> None:
    slot = first_slot(schedule)
    booking = do_book(demo_user("resident"), slot.pk, "k1")
    do_cancel(booking.cancellation_token)
    assert send_due_reminders(now=slot.starts_at - timedelta(hours=2)) == 0


def test_help_point_other_than_bookable_has_no_booking_page() -> None:
    seed_demo_help_points()
    point = HelpPoint.objects.get(external_id="demo-help-haren-joncs")
    url = reverse("appointments:book", args=[point.pk, "printing"])
    assert client_for("resident").get(url).status_code == 404
