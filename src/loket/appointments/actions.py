"""Every write of the appointment engine: book, cancel, remind, and the demo's schedules.

Capacity holds under concurrency because a place is taken by one conditional UPDATE
(``booked = booked + 1 WHERE booked < capacity``): on PostgreSQL the second of two concurrent
updates waits for the first and re-checks the condition on the committed row, so it updates
nothing and the booking is refused. A check constraint on the table is the last line.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.appointments.models import Booking, HelpPoint, Slot
from loket.appointments.services import BOOKABLE, SERVICES
from loket.core.models import User
from loket.notify.actions import do_notify

REMINDER_BEFORE = timedelta(hours=24)


class BookingRefused(Exception):
    """The slot cannot be booked; the message is user-facing."""


def _reference() -> str:
    digits = "".join(secrets.choice("0123456789") for _ in range(8))
    return f"RDV-{digits[:4]}-{digits[4:]}"


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def do_book(
    person: User, slot_id: int, idempotency_key: str, answers: dict[str, Any] | None = None,
    notes: str = "", base_url: str = "",
) -> Booking:  # fmt: skip
    """Take one place in the slot for ``person``; the same key twice returns the same booking."""
    existing = Booking.objects.filter(idempotency_key=idempotency_key, person=person).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            booking = _book(person, slot_id, idempotency_key, answers or {}, notes, base_url)
            _notify("booked", booking)
    except IntegrityError:
        # The same key committed meanwhile (a double click served by two workers).
        existing = Booking.objects.filter(idempotency_key=idempotency_key, person=person).first()
        if existing is None:
            raise
        return existing
    return booking


def _book(
    person: User, slot_id: int, key: str, answers: dict[str, Any], notes: str, origin: str
) -> Booking:
    slot = Slot.objects.select_related("schedule").filter(pk=slot_id).first()
    if slot is None or slot.starts_at <= timezone.now():
        raise BookingRefused(_("This time can no longer be booked. Please choose another time."))
    if Booking.objects.filter(slot=slot, person=person, status=Booking.Status.BOOKED).exists():
        raise BookingRefused(_("You already have an appointment at this time."))
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise BookingRefused(
            _("Sorry, someone else has just taken the last place at this time. "
              "Please choose another time: your other answers are kept.")
        )  # fmt: skip
    service = slot.schedule.service
    return Booking.objects.create(
        slot=slot, person=person, service=service, procedure_id=BOOKABLE.get(service, ""),
        reference=_reference(), cancellation_token=secrets.token_urlsafe(32),
        idempotency_key=key, answers=answers, notes=notes[:2000], origin=origin[:200],
    )  # fmt: skip


def _notify(kind: str, booking: Booking) -> None:
    """The inbox entry and e-mail of one event of the booking, in the person's language."""
    person = booking.person
    with translation.override(person.preferred_language or "fr"):
        place = booking.slot.schedule.help_point
        subjects = {
            "booked": _("Your appointment %(reference)s is booked"),
            "reminder": _("Reminder: your appointment %(reference)s tomorrow"),
            "cancelled": _("Your appointment %(reference)s is cancelled"),
        }
        subject = subjects[kind] % {"reference": booking.reference}
        cancel_path = reverse("appointments:cancel", args=[booking.cancellation_token])
        body = render_to_string("appointments/mail.txt", {
            "kind": kind, "booking": booking, "place": place, "person": person,
            "service": SERVICES.get(booking.service, booking.service),
            "starts_at": timezone.localtime(booking.slot.starts_at),
            "cancel_url": f"{booking.origin}{cancel_path}",
        })  # fmt: skip
    do_notify(person, f"booking:{booking.pk}:{kind}", subject, body)


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
