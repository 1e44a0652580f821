"""Booking a time slot (place → service → day → time → check → confirm), the person's
appointments, cancelling by the link of the mail, and the day's agenda of a back-office.

The choice between the time page and the check page lives in the session, so a refused
confirmation (the last place taken meanwhile) returns to the times with every answer kept.

Digital help is booked without logging in too (``GUEST_BOOKABLE``): people who come for help with
eID or itsme cannot be asked to use them first. A guest gives a name and a phone number or e-mail
address on the check page, and keeps the confirmation page (reference, cancel link) reached by
the booking's secret token. An identity card too: who lost their eID has nothing to log in with.

A helper acting for someone (``loket.mandates.acting``) books in that person's name, when the
mandate covers the appointment's procedure: the appointment is the person's (their list, their
notices and mails, in their language), ``booked_by`` keeps the helper, and every page names the
person. The mandate's list of procedures is the scope: the two appointments are procedures of
the catalogue, so the one who gives the mandate chooses them like any other. A mandate given for
an enterprise does not book: an appointment is for a person who comes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from loket.appointments.actions import (
    BookingRefused,
    Guest,
    GuestRefused,
    do_book,
    do_book_as_guest,
    do_cancel,
    new_idempotency_key,
)
from loket.appointments.forms import BookingForm, GuestForm
from loket.appointments.models import Booking, Schedule, Slot
from loket.appointments.selectors import (
    agenda_for,
    bookings_of,
    bookings_under,
    free_slots,
    staff_administrations,
)
from loket.appointments.services import BOOKABLE, GUEST_BOOKABLE, SERVICES, WHAT_TO_BRING
from loket.audit.actions import do_record_security_event
from loket.core.access import access
from loket.core.client import client_address
from loket.core.models import User
from loket.mandates.acting import SESSION_KEY, acting_mandate, stop_acting
from loket.mandates.actions import do_record_refused_use
from loket.mandates.models import Mandate

CHOICE = "appointment_choice"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _day(text: str, days: list[date]) -> date | None:
    try:
        wanted = date.fromisoformat(text[:10])
    except ValueError:
        return days[0] if days else None
    return wanted if wanted in days else (days[0] if days else None)


def _guest_may_book(request: HttpRequest, service: str) -> bool:
    return not request.user.is_authenticated and service in GUEST_BOOKABLE


def _booking_mandate(request: HttpRequest, service: str) -> Mandate | HttpResponse | None:
    """The mandate a helper acting for someone books under; the page saying why not when it
    does not allow this appointment (403, logged); None for one's own appointment."""
    mandate = acting_mandate(request) if request.user.is_authenticated else None
    if mandate is None:
        if request.session.get(SESSION_KEY):
            stop_acting(request)  # the mandate is gone (or was never this user's)
        return None
    procedure_id = BOOKABLE[service]
    if not mandate.is_valid_on(timezone.localdate()):
        do_record_refused_use(_user(request), mandate, procedure_id)
        stop_acting(request)
        reason = "ended"
    elif mandate.enterprise_number:
        reason = "enterprise"
    elif not mandate.covers(procedure_id):
        do_record_refused_use(_user(request), mandate, procedure_id)
        reason = "not-covered"
    else:
        return mandate
    return render(request, "appointments/not_for_principal.html", {
        "mandate": mandate, "reason": reason, "service": SERVICES[service],
        "own_url": request.path,
    }, status=403)  # fmt: skip


@access("anonymous")
def book(request: HttpRequest, point_id: int, service: str) -> HttpResponse:
    if service not in BOOKABLE:
        raise Http404
    if not request.user.is_authenticated and service not in GUEST_BOOKABLE:
        return redirect_to_login(request.get_full_path())
    mandate = _booking_mandate(request, service)
    if isinstance(mandate, HttpResponse):
        return mandate
    schedule = get_object_or_404(
        Schedule.objects.select_related("help_point__municipality"), help_point_id=point_id,
        service=service, help_point__is_active=True,
    )  # fmt: skip
    by_day = free_slots(schedule)
    days = list(by_day)
    kept: dict[str, Any] = request.session.get(CHOICE, {})
    if kept.get("schedule") != schedule.pk:
        kept = {}
    day = _day(request.POST.get("day") or request.GET.get("day") or kept.get("day", ""), days)
    slots = by_day.get(day, []) if day else []
    initial = {"notes": kept.get("notes", ""), **kept.get("answers", {})}
    form = BookingForm(request.POST or None, slots=slots, procedure_id=BOOKABLE[service],
                       initial=initial)  # fmt: skip
    if request.method == "POST" and form.is_valid():
        request.session[CHOICE] = {
            "schedule": schedule.pk, "slot": form.cleaned_data["slot"], "day": str(day),
            "notes": form.cleaned_data["notes"], "answers": form.answers(),
            "key": new_idempotency_key(), "mandate": mandate.pk if mandate else None,
        }  # fmt: skip
        return redirect("appointments:check")
    return render(request, "appointments/book.html", {
        "schedule": schedule, "point": schedule.help_point, "service": SERVICES[service],
        "days": days, "day": day, "form": form, "guest": _guest_may_book(request, service),
        "mandate": mandate,
    }, status=400 if form.errors else 200)  # fmt: skip


@access("anonymous")
def check(request: HttpRequest) -> HttpResponse:
    choice: dict[str, Any] = request.session.get(CHOICE) or {}
    slot = (
        Slot.objects.select_related("schedule__help_point__municipality")
        .filter(pk=choice.get("slot", 0))
        .first()
    )
    if slot is None:
        return redirect("help-points:finder")
    schedule = slot.schedule
    guest = _guest_may_book(request, schedule.service)
    if not request.user.is_authenticated and not guest:
        return redirect_to_login(request.get_full_path())
    back = reverse("appointments:book", args=[schedule.help_point_id, schedule.service])
    mandate = _booking_mandate(request, schedule.service)
    if isinstance(mandate, HttpResponse):
        return mandate
    if choice.get("mandate") != (mandate.pk if mandate else None):
        # The time was chosen for someone else (acting started or stopped since): never book
        # it in the wrong name; the answers are kept, the time is asked again.
        messages.error(request, _("You changed for whom you book. Please check the time again."))
        return redirect(f"{back}?day={choice.get('day', '')}")
    contact = GuestForm(request.POST or None) if guest else None
    status = 200
    if request.method == "POST" and (contact is None or contact.is_valid()):
        try:
            booking = _confirm(request, choice, slot.pk, contact, mandate)
        except GuestRefused as refusal:
            assert contact is not None
            contact.add_error(None, str(refusal))
            status = 429
        except BookingRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(f"{back}?day={choice.get('day', '')}")
        else:
            request.session.pop(CHOICE, None)
            if booking.person_id is None:
                return redirect("appointments:confirmation", booking.cancellation_token)
            return redirect("appointments:booking", booking.reference)
    elif contact is not None and contact.errors:
        status = 400
    form = BookingForm(slots=[slot], procedure_id=BOOKABLE.get(schedule.service, ""))
    answers = [(form.fields[name].label, _answer_label(form, name, value))
               for name, value in choice.get("answers", {}).items() if value]  # fmt: skip
    return render(request, "appointments/check.html", {
        "slot": slot, "point": schedule.help_point, "service": SERVICES[schedule.service],
        "answers": answers, "notes": choice.get("notes", ""), "key": choice["key"],
        "back": back, "contact": contact, "mandate": mandate,
    }, status=status)  # fmt: skip


def _confirm(
    request: HttpRequest, choice: dict[str, Any], slot_id: int, contact: GuestForm | None,
    mandate: Mandate | None,
) -> Booking:  # fmt: skip
    key = request.POST.get("key", "")[:64] or choice["key"]
    base_url = f"{request.scheme}://{request.get_host()}"
    if contact is None:
        person, helper = (mandate.grantor, _user(request)) if mandate else (_user(request), None)
        return do_book(person, slot_id, key, answers=choice.get("answers"),
                       notes=choice.get("notes", ""), base_url=base_url,
                       booked_by=helper)  # fmt: skip
    data = contact.cleaned_data
    guest = Guest(name=data["name"], phone=data["phone"], email=data["email"],
                  language=translation.get_language() or "fr")  # fmt: skip
    return do_book_as_guest(guest, slot_id, key, client_address(request),
                            answers=choice.get("answers"), notes=choice.get("notes", ""),
                            base_url=base_url)  # fmt: skip


@access("anonymous")
@require_GET
def confirmation(request: HttpRequest, token: str) -> HttpResponse:
    """A guest's appointment, at the address only they hold (the page to keep or print)."""
    booking = (
        Booking.objects.select_related("slot__schedule__help_point__municipality")
        .filter(cancellation_token=token[:64], person=None)
        .first()
    )
    if booking is None:
        do_record_security_event("appointment-unknown-guest-token", path=request.path[:40])
        raise Http404
    return _booking_page(request, booking)


def _booking_page(request: HttpRequest, booking: Booking) -> HttpResponse:
    return render(request, "appointments/booking.html", {
        "booking": booking, "point": booking.slot.schedule.help_point,
        "service": SERVICES.get(booking.service, booking.service),
        "bring": WHAT_TO_BRING.get(booking.service, []),
        "for_principal": booking.person_id is not None and booking.person_id != request.user.pk,
    })  # fmt: skip


def _valid_mandate(request: HttpRequest) -> Mandate | None:
    """The mandate acted under now, when it still lets the helper see a person's appointments."""
    mandate = acting_mandate(request)
    if mandate is None or mandate.enterprise_number:
        return None
    return mandate if mandate.is_valid_on(timezone.localdate()) else None


def _answer_label(form: BookingForm, name: str, value: str) -> str:
    choices = dict(getattr(form.fields[name], "choices", []))
    return str(choices.get(value, value))


@access("resident")
@login_required
@require_GET
def booking_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One's own appointment or, while acting for someone, one of theirs the mandate covers."""
    mandate = _valid_mandate(request)
    found = bookings_under(mandate) if mandate else bookings_of(_user(request))
    booking = get_object_or_404(found, reference=reference[:20])
    return _booking_page(request, booking)


@access("resident")
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """One's appointments or, while acting for someone, theirs that the mandate covers."""
    now = timezone.now()
    mandate = _valid_mandate(request)
    bookings = list(bookings_under(mandate) if mandate else bookings_of(_user(request)))
    upcoming = [b for b in bookings if b.slot.starts_at > now and b.status == Booking.Status.BOOKED]
    return render(request, "appointments/mine.html", {
        "upcoming": sorted(upcoming, key=lambda b: b.slot.starts_at),
        "past": [b for b in bookings if b not in upcoming], "services": SERVICES,
        "mandate": mandate,
    })  # fmt: skip


@access("anonymous")
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the mail: works without logging in; GET asks, POST cancels."""
    booking = (
        Booking.objects.select_related("slot__schedule__help_point__municipality")
        .filter(cancellation_token=token[:64])
        .first()
    )
    if booking is None:
        do_record_security_event("appointment-unknown-cancellation-token", path=request.path[:40])
        raise Http404
    if request.method == "POST" and booking.status == Booking.Status.BOOKED:
        do_cancel(booking.cancellation_token)
        booking.refresh_from_db()
    return render(request, "appointments/cancel.html", {
        "booking": booking, "point": booking.slot.schedule.help_point,
        "service": SERVICES.get(booking.service, booking.service),
        "done": request.method == "POST",
    })  # fmt: skip


@access("agent")
@login_required
@require_GET
def agenda(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not staff_administrations(user):
        raise PermissionDenied
    try:
        day = date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        day = timezone.localdate()
    return render(request, "appointments/agenda.html", {
        "day": day, "bookings": agenda_for(user, day), "services": SERVICES,
    })  # fmt: skip
