"""Where a procedure page sends people who want a time slot (the procedure view calls this)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from loket.appointments.services import PROCEDURE_SERVICE


def booking_entry(procedure_id: str) -> str:
    """The finder with the procedure's service preset, or "" for a procedure not booked here."""
    service = PROCEDURE_SERVICE.get(procedure_id)
    if service is None:
        return ""
    return reverse("help-points:finder") + "?" + urlencode({"service": service})
