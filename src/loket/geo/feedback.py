"""Feeding problems found with the address register back to its owner, and their answers."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from loket.geo.models import RegisterFeedback
from loket.geo.places import resolve_place

Verdict = RegisterFeedback.Verdict


class UnknownVerdict(ValueError):
    pass


def _address_text(location: dict[str, Any]) -> str:
    parts = [location.get("street", ""), location.get("house_number", ""),
             location.get("box", ""), location.get("postcode", "")]  # fmt: skip
    return " ".join(str(p) for p in parts if p)[:300]


def do_record_feedback(
    kind: str, location: dict[str, Any], *, problem: str = "", proposed_correction: str = "",
    procedure_id: str = "", case_reference: str = "",
) -> RegisterFeedback:  # fmt: skip
    """One item of the feed: where (the register's id when it knows the place, and the point),
    what is wrong and what is proposed."""
    place = resolve_place(location)
    return RegisterFeedback.objects.create(
        kind=kind,
        register_id=place.address_id,
        register_precision=place.precision,
        municipality=place.nis_code,
        address_as_given=_address_text(location),
        problem=problem[:30],
        proposed_correction=proposed_correction,
        lat=place.lat,
        lon=place.lon,
        procedure_id=procedure_id,
        case_reference=case_reference,
    )


def do_record_unknown_address(
    location: dict[str, Any], procedure_id: str, case_reference: str = ""
) -> RegisterFeedback:
    """An address the register did not know and the applicant confirmed as right."""
    return do_record_feedback(
        RegisterFeedback.Kind.UNKNOWN_ADDRESS, location, problem="missing",
        proposed_correction=_address_text(location), procedure_id=procedure_id,
        case_reference=case_reference,
    )  # fmt: skip


@transaction.atomic
def do_set_verdict(feedback_id: int, verdict: str, note: str = "") -> RegisterFeedback:
    """The register owner's answer: accepted (the register will change) or rejected."""
    if verdict not in (Verdict.ACCEPTED, Verdict.REJECTED, Verdict.OPEN):
        raise UnknownVerdict(verdict)
    item = RegisterFeedback.objects.select_for_update().get(pk=feedback_id)
    item.status, item.status_note, item.status_at = verdict, note, timezone.now()
    item.save(update_fields=["status", "status_note", "status_at"])
    return item
