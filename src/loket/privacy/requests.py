"""Every write on data-subject requests: filing one (and what each kind sets in motion),
extending its deadline, recording its outcome. Views, the tests and the worker call these."""

from __future__ import annotations

import calendar
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases.actions import do_post_rectification_request
from loket.cases.models import Case
from loket.core.models import User
from loket.privacy.models import DataSubjectRequest
from loket.tasks.queue import enqueue

Kind = DataSubjectRequest.Kind
Status = DataSubjectRequest.Status
MAX_EXTENSION_MONTHS = 2


class CannotExtend(Exception):
    """The extension is longer than the two months the GDPR allows, or has no reason."""


def add_months(moment: datetime, months: int) -> datetime:
    """The same day ``months`` later (the last day of a shorter month: 31 Jan + 1 = 28/29 Feb)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def due_after(received_at: datetime) -> datetime:
    """One month from receipt (Art. 12(3))."""
    return add_months(received_at, 1)


@transaction.atomic
def do_file_request(
    person: User, kind: str, details: str, case: Case | None = None, register: str = ""
) -> DataSubjectRequest:
    """Record the request with its deadline and start what its kind needs: the archive for
    access, the message to the handling administration for a correction of declared data."""
    now = timezone.now()
    request = DataSubjectRequest.objects.create(
        person=person, kind=kind, details=details, received_at=now, due_at=due_after(now),
        case_reference=case.reference if case else "", register=register,
    )  # fmt: skip
    if kind == Kind.ACCESS:
        request.status = Status.IN_PROGRESS
        request.save(update_fields=["status"])
        enqueue("privacy.access-archive", {"request": request.pk}, dedupe_key=f"dsr:{request.pk}")
    elif kind == Kind.RECTIFICATION and case is not None:
        # Declared data: the administration handling the case corrects it; the message shows in
        # its back-office and in the case's history.
        body = _("Request to correct data I declared (GDPR Art. 16): %(details)s") % {
            "details": details
        }
        do_post_rectification_request(case, person, body)
        request.status = Status.IN_PROGRESS
        request.save(update_fields=["status"])
    return request


def do_extend(request: DataSubjectRequest, by: User, months: int, reason: str) -> None:
    """Extend the deadline (Art. 12(3)): two months at most, with a reason the person sees."""
    if not reason.strip() or not 1 <= months <= MAX_EXTENSION_MONTHS:
        raise CannotExtend
    request.extended_due_at = add_months(request.due_at, months)
    request.extension_reason = reason.strip()
    request.handled_by = by
    request.save(update_fields=["extended_due_at", "extension_reason", "handled_by", "updated_at"])


def do_record_outcome(request: DataSubjectRequest, by: User, status: str, outcome: str) -> None:
    request.status = status
    request.outcome = outcome
    request.handled_by = by
    if status in (Status.DONE, Status.REFUSED):
        request.closed_at = timezone.now()
    request.save()
