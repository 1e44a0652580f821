"""Booking digital help without eID or itsme: a name and a phone number or e-mail address, the
confirmation to keep (reference and cancel link by token), and the abuse limits with their
refusals logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from loket.appointments.actions import (
    GUEST_CONTACT_KEEP,
    GUEST_OPEN_BOOKINGS,
    Guest,
    do_book_as_guest,
    forget_guest_contacts,
)
from loket.appointments.guests import normalize_phone
from loket.appointments.models import Booking, Schedule, Slot
from loket.appointments.seed import seed_demo_help_points
from loket.audit.models import SecurityEvent
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("address_register", "in_english"),
]


@pytest.fixture
def schedule() -> Schedule:
    seed_demo_help_points()
    return Schedule.objects.get(help_point__external_id="demo-eps-haren-verdun",
                                service="digital-help")  # fmt: skip


def free_slots(schedule: Schedule, count: int) -> list[Slot]:
    slots = list(schedule.slots.filter(starts_at__gt=timezone.now()).order_by("starts_at")[:count])
    assert len(slots) == count
    return slots


def choose(client: Client, slot: Slot, notes: str = "") -> str:
    """Choose the slot on the time page as a visitor; the check page's address."""
    url = reverse("appointments:book", args=[slot.schedule.help_point_id, slot.schedule.service])
    day = timezone.localtime(slot.starts_at).date().isoformat()
    page = client.get(url, {"day": day})
    assert page.status_code == 200, page
    assert "You do not need eID or itsme" in page.content.decode()
    chosen = client.post(url, {"day": day, "slot": slot.pk, "notes": notes})
    assert chosen.status_code == 302
    return reverse("appointments:check")


def book_as_guest(client: Client, slot: Slot, **contact: str) -> Any:
    check = choose(client, slot)
    key = client.session["appointment_choice"]["key"]
    return client.post(check, {"key": key, **contact}, REMOTE_ADDR="192.0.2.10")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("+32 (0)2 123 45 67", "+3221234567"),
        ("0032 4 223 45 67", "+3242234567"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0470 12 34 5", None),  # a digit missing
        ("0412 34 56 78", None),  # 041 is not a mobile prefix
        ("12 34 56", None),
        ("call me", None),
    ],
)
def test_phone_numbers_are_read_as_people_write_them(typed: str, stored: str | None) -> None:
    assert normalize_phone(typed) == stored


def test_visitor_books_digital_help_with_a_phone_and_keeps_a_confirmation(
    schedule: Schedule,
) -> None:
    slot = free_slots(schedule, 1)[0]
    visitor = Client()
    check = choose(visitor, slot, notes="My pension")
    page = visitor.get(check).content.decode()
    assert "Who is coming?" in page and "Phone number" in page
    done = book_as_guest(visitor, slot, name="Jeanne Peeters", phone="0470 12 34 56")
    booking = Booking.objects.get(slot=slot)
    assert done.status_code == 302
    assert done.url == reverse("appointments:confirmation", args=[booking.cancellation_token])
    assert booking.person is None and booking.guest_phone == "+32470123456"
    assert booking.guest_name == "Jeanne Peeters"
    slot.refresh_from_db()
    assert slot.booked == 1
    kept = Client().get(done.url).content.decode()  # no session needed: the token is the key
    assert booking.reference in kept and "Keep this page" in kept
    assert "We do not send text messages" in kept
    assert reverse("appointments:cancel", args=[booking.cancellation_token]) in kept
    cancelled = Client().post(reverse("appointments:cancel", args=[booking.cancellation_token]))
    assert cancelled.status_code == 200
    slot.refresh_from_db()
    booking.refresh_from_db()
    assert (slot.booked, booking.status) == (0, "cancelled")


def test_guest_with_an_email_gets_the_confirmation_by_mail_in_the_page_language(
    schedule: Schedule,
) -> None:
    slot = free_slots(schedule, 1)[0]
    visitor = Client()
    done = book_as_guest(visitor, slot, name="Ali", email="ali@example.be")
    booking = Booking.objects.get(pk=Booking.objects.get(slot=slot).pk)
    assert done.status_code == 302 and booking.guest_email == "ali@example.be"
    assert booking.guest_language == "en"
    with override_settings(LOKET_EMAIL_URL="locmem://"):
        run_until_empty()
    assert [m.to for m in mail.outbox] == [["ali@example.be"]]
    assert booking.reference in mail.outbox[0].body
    assert booking.cancellation_token in mail.outbox[0].body
    assert "Hello Ali" in mail.outbox[0].body


def test_guest_needs_a_name_and_a_phone_or_email_and_keeps_what_was_typed(
    schedule: Schedule,
) -> None:
    slot = free_slots(schedule, 1)[0]
    visitor = Client()
    missing = book_as_guest(visitor, slot, name="Jeanne", phone="", email="")
    assert missing.status_code == 400
    assert "Enter a phone number or an e-mail address." in missing.content.decode()
    wrong = visitor.post(
        reverse("appointments:check"),
        {"key": visitor.session["appointment_choice"]["key"], "name": "Jeanne",
         "phone": "0470 12 34"},
    )  # fmt: skip
    html = wrong.content.decode()
    assert wrong.status_code == 400 and "Enter a phone number such as" in html
    assert 'value="0470 12 34"' in html and 'value="Jeanne"' in html
    assert not Booking.objects.exists()


def test_open_guest_bookings_per_contact_are_capped_and_the_refusal_logged(
    schedule: Schedule, settings: Any
) -> None:
    settings.LOKET_GUEST_BOOKING_RATE_LIMIT = (100, 3600)
    settings.LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT = (100, 3600)
    slots = free_slots(schedule, GUEST_OPEN_BOOKINGS + 1)
    for slot in slots[:GUEST_OPEN_BOOKINGS]:
        assert book_as_guest(Client(), slot, name="A", phone="+32 470 12 34 56").status_code == 302
    refused = book_as_guest(Client(), slots[-1], name="A", phone="0470123456", email="")
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "already has 2 upcoming appointments" in html
    assert 'value="0470123456"' in html  # what was typed is kept
    assert Booking.objects.count() == GUEST_OPEN_BOOKINGS
    event = SecurityEvent.objects.get(kind="guest-booking-refused")
    assert event.detail["reason"] == "open-bookings"
    assert "0470" not in str(event.detail) and "+32" not in str(event.detail)


@pytest.mark.usefixtures("steady_rate_window")
def test_guest_bookings_from_one_address_are_rate_limited(
    schedule: Schedule, settings: Any
) -> None:
    settings.LOKET_GUEST_BOOKING_RATE_LIMIT = (2, 3600)
    slots = free_slots(schedule, 3)
    for number, slot in enumerate(slots[:2]):
        made = book_as_guest(Client(), slot, name="B", email=f"b{number}@example.be")
        assert made.status_code == 302
    refused = book_as_guest(Client(), slots[2], name="B", email="other@example.be")
    assert refused.status_code == 429
    assert "Too many appointments were asked" in refused.content.decode()
    assert SecurityEvent.objects.filter(kind="guest-booking-refused").exists()
    assert SecurityEvent.objects.filter(kind="rate-limited").exists()


def test_who_lost_their_eid_books_an_identity_card_appointment_without_logging_in() -> None:
    seed_demo_help_points()
    schedule = Schedule.objects.get(help_point__external_id="demo-counter-21009")
    slot = free_slots(schedule, 1)[0]
    client = Client()
    url = reverse("appointments:book", args=[schedule.help_point_id, "identity-card"])
    day = timezone.localtime(slot.starts_at).date().isoformat()
    page = client.get(url, {"day": day})
    assert page.status_code == 200 and "You do not need eID or itsme" in page.content.decode()
    chosen = client.post(url, {"day": day, "slot": slot.pk, "reason": "lost",
                               "police_report_number": "BR.12.L3.000123/2026"})  # fmt: skip
    assert chosen.status_code == 302
    key = client.session["appointment_choice"]["key"]
    done = client.post(reverse("appointments:check"),
                       {"key": key, "name": "Yasmine El Idrissi", "phone": "0470 12 34 56"},
                       REMOTE_ADDR="192.0.2.11")  # fmt: skip
    booking = Booking.objects.get(slot=slot)
    assert booking.person is None and booking.guest_phone == "+32470123456"
    assert booking.procedure_id == "identity-card-appointment"
    assert booking.answers["reason"] == "lost"
    page_to_keep = client.get(done.url).content.decode()  # type: ignore[attr-defined]
    assert booking.reference in page_to_keep and "What to bring" in page_to_keep
    assert "the number of your declaration to the police" in page_to_keep
    assert "data-print" in page_to_keep  # a button to print the page to keep


def test_an_identity_card_guest_is_held_by_the_same_open_bookings_limit(settings: Any) -> None:
    settings.LOKET_GUEST_BOOKING_RATE_LIMIT = (100, 3600)
    seed_demo_help_points()
    schedule = Schedule.objects.get(help_point__external_id="demo-counter-21009")
    guest = Guest(name="Yasmine", phone="+32470999888", email="", language="en")
    for number, slot in enumerate(free_slots(schedule, GUEST_OPEN_BOOKINGS)):
        do_book_as_guest(guest, slot.pk, f"key-{number}", "192.0.2.12")
    slot = free_slots(schedule, GUEST_OPEN_BOOKINGS + 1)[-1]
    client = Client()
    url = reverse("appointments:book", args=[schedule.help_point_id, "identity-card"])
    day = timezone.localtime(slot.starts_at).date().isoformat()
    client.post(url, {"day": day, "slot": slot.pk, "reason": "expiry"})
    key = client.session["appointment_choice"]["key"]
    refused = client.post(reverse("appointments:check"),
                          {"key": key, "name": "Yasmine", "phone": "0470 99 98 88"},
                          REMOTE_ADDR="192.0.2.12")  # fmt: skip
    assert refused.status_code == 429
    assert not Booking.objects.filter(slot=slot).exists()
    assert SecurityEvent.objects.filter(kind="guest-booking-refused").exists()


def test_an_unknown_confirmation_token_is_404_and_logged(schedule: Schedule) -> None:
    answer = Client().get(reverse("appointments:confirmation", args=["nope"]))
    assert answer.status_code == 404
    assert SecurityEvent.objects.filter(kind="appointment-unknown-guest-token").exists()


def test_logged_in_booking_still_goes_to_my_appointments(schedule: Schedule) -> None:
    slot = free_slots(schedule, 1)[0]
    client = client_for("resident")
    url = reverse("appointments:book", args=[slot.schedule.help_point_id, "digital-help"])
    day = timezone.localtime(slot.starts_at).date().isoformat()
    page = client.get(url, {"day": day}).content.decode()
    assert "You do not need eID or itsme" not in page
    client.post(url, {"day": day, "slot": slot.pk})
    check = client.get(reverse("appointments:check")).content.decode()
    assert "Who is coming?" not in check
    done = client.post(reverse("appointments:check"),
                       {"key": client.session["appointment_choice"]["key"]})  # fmt: skip
    booking = Booking.objects.get(slot=slot)
    assert booking.person is not None
    assert done.url == reverse("appointments:booking", args=[booking.reference])  # type: ignore[attr-defined]


def test_a_guests_name_and_contact_are_erased_a_month_after_the_appointment(
    schedule: Schedule,
) -> None:
    slot = free_slots(schedule, 1)[0]
    book_as_guest(Client(), slot, name="Jeanne", phone="0470 12 34 56", email="j@example.be")
    booking = Booking.objects.get(slot=slot)
    assert forget_guest_contacts(now=slot.ends_at + GUEST_CONTACT_KEEP - timedelta(hours=1)) == 0
    later = slot.ends_at + GUEST_CONTACT_KEEP + timedelta(hours=1)
    assert forget_guest_contacts(now=later) == 1
    booking.refresh_from_db()
    assert (booking.guest_name, booking.guest_phone, booking.guest_email) == ("", "", "")
    assert booking.guest_erased_at == later and booking.reference  # the booking stays
    assert forget_guest_contacts(now=later + timedelta(days=1)) == 0
