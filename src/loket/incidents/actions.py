"""Every write on reports in public space: recording a report from its case, supporting one,
and passing address-error reports on to the register's owner.

A case of ``public-space-incident`` or ``address-error-report`` is made by
``cases.actions.do_submit_case`` like any other; ``on_case_saved`` (connected in ``apps.py``)
adds what this app keeps, in the same transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import IntegrityError, transaction

from loket.cases.models import Case
from loket.core.models import User
from loket.geo.feedback import do_record_feedback
from loket.geo.models import RegisterFeedback
from loket.geo.places import resolve_place
from loket.incidents.models import Incident, Support

logger = logging.getLogger(__name__)

INCIDENT_PROCEDURE = "public-space-incident"
ADDRESS_ERROR_PROCEDURE = "address-error-report"
LOCATION, CATEGORY, PHOTO = "incident_location", "category", "photo"


class CannotSupport(Exception):
    """The report is closed, or it is the supporter's own."""


def on_case_saved(sender: type[Case], instance: Case, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw"):
        return
    if instance.procedure_id == INCIDENT_PROCEDURE:
        do_record_incident(instance)
    elif instance.procedure_id == ADDRESS_ERROR_PROCEDURE:
        do_forward_address_error(instance)


def do_record_incident(case: Case) -> Incident:
    """What the public may know of a report, and its photo stripped of metadata."""
    location = case.answers.get(LOCATION)
    place = resolve_place(location if isinstance(location, dict) else {})
    incident = Incident.objects.create(
        case=case,
        category=str(case.answers.get(CATEGORY) or "other"),
        lat=place.lat,
        lon=place.lon,
        municipality=place.nis_code,
        street_fr=place.street_fr,
        street_nl=place.street_nl,
    )
    return incident


def do_forward_address_error(case: Case) -> RegisterFeedback:
    """An address-error report becomes an item of the register owner's feed."""
    location = case.answers.get("error_location")
    return do_record_feedback(
        RegisterFeedback.Kind.ERROR_REPORT,
        location if isinstance(location, dict) else {},
        problem=str(case.answers.get("error_kind") or ""),
        proposed_correction=str(case.answers.get("details") or ""),
        procedure_id=case.procedure_id,
        case_reference=case.reference,
    )


def do_support(incident: Incident, user: User) -> bool:
    """+1 on an open report (once per person; not on one's own). True if newly recorded."""
    if not incident.case.is_open:
        raise CannotSupport("closed")
    if incident.case.applicant_id == user.pk:
        raise CannotSupport("own report")
    try:
        with transaction.atomic():
            Support.objects.create(incident=incident, user=user)
    except IntegrityError:
        return False
    return True
