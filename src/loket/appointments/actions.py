"""Every write of the appointment engine: book, cancel, remind, and the demo's schedules.

Capacity holds under concurrency because a place is taken by one conditional UPDATE
(``booked = booked + 1 WHERE booked < capacity``): on PostgreSQL the second of two concurrent
updates waits for the first and re-checks the condition on the committed row, so it updates
nothing and the booking is refused. A check constraint on the table is the last line.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.appointments.guests import contact_key
from loket.appointments.models import Booking, HelpPoint, Slot
from loket.appointments.services import BOOKABLE, SERVICES, WHAT_TO_BRING
from loket.audit.actions import do_record_security_event
from loket.core.holidays import is_closed_day
from loket.core.models import User
from loket.core.ratelimit import hit
from loket.notify.actions import do_notify
from loket.tasks.queue import enqueue

REMINDER_BEFORE = timedelta(hours=24)
# A guest's name and contact serve the appointment only: erased this long after it.
GUEST_CONTACT_KEEP = timedelta(days=30)
# A guest (no account) may hold this many upcoming appointments per phone number or address.
GUEST_OPEN_BOOKINGS = 2


class BookingRefused(Exception):
    """The slot cannot be booked; the message is user-facing."""


class GuestRefused(BookingRefused):
    """A guest's booking refused by an abuse limit (HTTP 429); the message is user-facing."""


@dataclass(frozen=True)
class Guest:
    """Who books without an account: a name and at least one of a phone number (E.164) and an
    e-mail address, with the page's language for the e-mails."""

    name: str
    phone: str
    email: str
    language: str


def _reference() -> str:
    digits = "".join(secrets.choice("0123456789") for _ in range(8))
    return f"RDV-{digits[:4]}-{digits[4:]}"


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def do_book(
    person: User, slot_id: int, idempotency_key: str, answers: dict[str, Any] | None = None,
    notes: str = "", base_url: str = "", booked_by: User | None = None,
) -> Booking:  # fmt: skip
    """Take one place in the slot for ``person``; the same key twice returns the same booking.

    ``booked_by`` is the helper who books for ``person`` under a mandate (the caller checked
    that it covers the appointment): the booking, its notices and its mails are the person's,
    in their language, and say who booked it."""
    existing = Booking.objects.filter(idempotency_key=idempotency_key, person=person).first()
    if existing is not None:
        return existing
    return _book_once(person, None, slot_id, idempotency_key, answers or {}, notes, base_url,
                      booked_by=booked_by)  # fmt: skip


def do_book_as_guest(
    guest: Guest, slot_id: int, idempotency_key: str, client: str,
    answers: dict[str, Any] | None = None, notes: str = "", base_url: str = "",
) -> Booking:  # fmt: skip
    """Take one place for a guest, within the abuse limits: bookings per client address
    (``LOKET_GUEST_BOOKING_RATE_LIMIT``) and per phone number or e-mail address
    (``LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT``), and ``GUEST_OPEN_BOOKINGS`` upcoming
    appointments per contact. Every refusal is a security event."""
    existing = Booking.objects.filter(idempotency_key=idempotency_key, person=None).first()
    if existing is not None:  # a double click: no limit counted twice
        return existing
    _check_guest_limits(guest, client)
    return _book_once(None, guest, slot_id, idempotency_key, answers or {}, notes, base_url)


def _refuse_guest(reason: str, client: str, guest: Guest) -> None:
    do_record_security_event(
        "guest-booking-refused", reason=reason, client=client[:45],
        contacts=len(contact_key(guest.phone, guest.email)),
    )  # fmt: skip


def _check_guest_limits(guest: Guest, client: str) -> None:
    waits = [hit(f"guest-booking:addr:{client}", "LOKET_GUEST_BOOKING_RATE_LIMIT")]
    for key in contact_key(guest.phone, guest.email):
        waits.append(hit(f"guest-booking:{key}", "LOKET_GUEST_BOOKING_CONTACT_RATE_LIMIT"))
    if any(wait is not None for wait in waits):
        _refuse_guest("rate-limit", client, guest)
        raise GuestRefused(
            _("Too many appointments were asked from here or for this contact in a short time. "
              "Please try again later, or call the place.")
        )  # fmt: skip
    same_contact = _same_contact(guest)
    upcoming = Booking.objects.filter(
        same_contact, person=None, status=Booking.Status.BOOKED, slot__starts_at__gt=timezone.now()
    ).count()
    if upcoming >= GUEST_OPEN_BOOKINGS:
        _refuse_guest("open-bookings", client, guest)
        raise GuestRefused(
            _("This phone number or e-mail address already has %(count)s upcoming appointments. "
              "Please cancel one (with the link you received) before booking another.")
            % {"count": upcoming}
        )  # fmt: skip


def _same_contact(guest: Guest) -> Q:
    """Bookings made with the guest's phone number or e-mail address."""
    found = Q(pk__in=[])
    if guest.phone:
        found |= Q(guest_phone=guest.phone)
    if guest.email:
        found |= Q(guest_email__iexact=guest.email)
    return found


def _book_once(
    person: User | None, guest: Guest | None, slot_id: int, key: str, answers: dict[str, Any],
    notes: str, origin: str, booked_by: User | None = None,
) -> Booking:  # fmt: skip
    """Book under ``key``, whose earlier booking the caller looked for already."""
    try:
        with transaction.atomic():
            booking = _book(person, guest, slot_id, key, answers, notes, origin, booked_by)
            _notify("booked", booking)
    except IntegrityError:
        # The same key committed meanwhile (a double click served by two workers).
        existing = Booking.objects.filter(idempotency_key=key, person=person).first()
        if existing is None:
            raise
        return existing
    return booking


def _book(
    person: User | None, guest: Guest | None, slot_id: int, key: str, answers: dict[str, Any],
    notes: str, origin: str, booked_by: User | None,
) -> Booking:  # fmt: skip
    slot = Slot.objects.select_related("schedule").filter(pk=slot_id).first()
    if (
        slot is None
        or slot.starts_at <= timezone.now()
        or is_closed_day(timezone.localtime(slot.starts_at).date())
    ):
        raise BookingRefused(_("This time can no longer be booked. Please choose another time."))
    same = Q(person=person) if guest is None else Q(_same_contact(guest), person=None)
    if Booking.objects.filter(same, slot=slot, status=Booking.Status.BOOKED).exists():
        raise BookingRefused(_("You already have an appointment at this time."))
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise BookingRefused(
            _("Sorry, someone else has just taken the last place at this time. "
              "Please choose another time: your other answers are kept.")
        )  # fmt: skip
    service = slot.schedule.service
    contact = (
        {"guest_name": guest.name[:120], "guest_phone": guest.phone, "guest_email": guest.email,
         "guest_language": guest.language[:5]}
        if guest is not None else {}
    )  # fmt: skip
    return Booking.objects.create(
        slot=slot, person=person, service=service, procedure_id=BOOKABLE.get(service, ""),
        reference=_reference(), cancellation_token=secrets.token_urlsafe(32),
        idempotency_key=key, answers=answers, notes=notes[:2000], origin=origin[:200],
        booked_by=booked_by if booked_by != person else None, **contact,
    )  # fmt: skip


def _notify(kind: str, booking: Booking) -> None:
    """The inbox entry and e-mail of one event of the booking, in the person's language; a
    guest gets the e-mail alone, and nothing when they gave only a phone number."""
    person = booking.person
    if person is None:
        if booking.guest_email:
            enqueue(GUEST_MAIL_TASK, {"booking": booking.pk, "kind": kind},
                    dedupe_key=f"guest-booking:{booking.pk}:{kind}")  # fmt: skip
        return
    subject, body = booking_mail(kind, booking, person.preferred_language or "fr")
    do_notify(person, f"booking:{booking.pk}:{kind}", subject, body)


GUEST_MAIL_TASK = "appointments.guest-mail"


def booking_mail(kind: str, booking: Booking, language: str) -> tuple[str, str]:
    """The subject and body of one event's e-mail, in ``language``."""
    with translation.override(language):
        place = booking.slot.schedule.help_point
        subjects = {
            "booked": _("Your appointment %(reference)s is booked"),
            "reminder": _("Reminder: your appointment %(reference)s tomorrow"),
            "cancelled": _("Your appointment %(reference)s is cancelled"),
        }
        subject = subjects[kind] % {"reference": booking.reference}
        cancel_path = reverse("appointments:cancel", args=[booking.cancellation_token])
        body = render_to_string("appointments/mail.txt", {
            "kind": kind, "booking": booking, "place": place, "name": booking.display_name,
            "service": SERVICES.get(booking.service, booking.service),
            "bring": WHAT_TO_BRING.get(booking.service, []),
            "helper": booking.booked_by.display_name if booking.booked_by else "",
            "starts_at": timezone.localtime(booking.slot.starts_at),
            "cancel_url": f"{booking.origin}{cancel_path}",
        })  # fmt: skip
    return subject, body


def do_cancel(token: str) -> Booking | None:
    """Cancel the booking holding this token and free its place; None if nothing to cancel."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update()
            .filter(cancellation_token=token, status=Booking.Status.BOOKED)
            .first()
        )
        if booking is None:
            return None
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at"])
        Slot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
        _notify("cancelled", booking)
    return booking


def send_due_reminders(now: datetime | None = None) -> int:
    """Remind everyone whose appointment starts within 24 hours, once.

    Each booking is claimed by a conditional UPDATE of ``reminder_sent_at``: of two workers (or
    two runs) only the one whose UPDATE changed the row sends, in the same transaction.
    """
    now = now or timezone.now()
    due = Booking.objects.filter(
        status=Booking.Status.BOOKED, reminder_sent_at__isnull=True,
        slot__starts_at__gt=now, slot__starts_at__lte=now + REMINDER_BEFORE,
    ).values_list("pk", flat=True)  # fmt: skip
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Booking.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(
                reminder_sent_at=now
            )
            if not claimed:
                continue
            booking = Booking.objects.select_related("slot__schedule__help_point", "person").get(
                pk=pk
            )
            _notify("reminder", booking)
            sent += 1
    return sent


def do_set_active(point: HelpPoint, active: bool) -> None:
    """Deactivate (or reactivate) a place: it leaves the finder; its bookings stay."""
    point.is_active = active
    point.save(update_fields=["is_active"])


def send_guest_mail(booking_id: int, kind: str) -> None:
    """Send one event's e-mail to a guest who gave an address (task ``appointments.guest-mail``,
    queued once per booking and event)."""
    from loket.notify.tasks import SENDER, mail_connection

    booking = (
        Booking.objects.select_related("slot__schedule__help_point__municipality")
        .filter(pk=booking_id, person=None)
        .exclude(guest_email="")
        .first()
    )
    if booking is None:
        return
    subject, body = booking_mail(kind, booking, booking.guest_language or "fr")
    with mail_connection() as connection:
        EmailMessage(subject, body, SENDER, [booking.guest_email], connection=connection,
                     headers={"Message-ID": f"<booking-{booking.pk}-{kind}@loket.brussels>"},
                     ).send()  # fmt: skip


def forget_guest_contacts(now: datetime | None = None) -> int:
    """Erase the name, phone number and e-mail address of guests whose appointment ended more
    than ``GUEST_CONTACT_KEEP`` ago (the booking itself stays, for the place's figures)."""
    now = now or timezone.now()
    return Booking.objects.filter(
        person=None, guest_erased_at__isnull=True, slot__ends_at__lt=now - GUEST_CONTACT_KEEP
    ).update(guest_name="", guest_phone="", guest_email="", notes="", answers={},
             guest_erased_at=now)  # fmt: skip
