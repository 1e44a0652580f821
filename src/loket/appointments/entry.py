"""What a procedure page says of its time slots: where to book one, whether without logging in,
and what to bring (the procedure view calls this)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from loket.appointments.services import GUEST_BOOKABLE, PROCEDURE_SERVICE, WHAT_TO_BRING


def booking_entry(procedure_id: str) -> str:
    """The finder with the procedure's service preset, or "" for a procedure not booked here."""
    service = PROCEDURE_SERVICE.get(procedure_id)
    if service is None:
        return ""
    return reverse("help-points:finder") + "?" + urlencode({"service": service})


def books_without_login(procedure_id: str) -> bool:
    """True if the procedure's time slot is booked with a name and a phone number or e-mail."""
    return PROCEDURE_SERVICE.get(procedure_id) in GUEST_BOOKABLE


def what_to_bring(procedure_id: str) -> list[str]:
    """What to bring to the procedure's appointment; empty for a procedure not booked here."""
    return [str(item) for item in WHAT_TO_BRING.get(PROCEDURE_SERVICE.get(procedure_id, ""), [])]
