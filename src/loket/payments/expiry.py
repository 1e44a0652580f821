"""Unpaid applications: reminded once after the procedure's ``remind_after_days``, lapsed after
its ``lapse_after_days`` (data/fees.yaml). The worker runs it every hour."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from loket.cases.actions import do_lapse_unpaid
from loket.cases.models import Case
from loket.cases.notices import PAYMENT_DUE, do_notify_applicant
from loket.payments import history
from loket.payments.fees import payment_terms
from loket.payments.models import CaseFee
from loket.tasks.queue import every, handler

TASK = "payments.remind-and-lapse"
every(TASK, timedelta(hours=1))


def do_remind_and_lapse(now: datetime | None = None) -> tuple[int, int]:
    """Remind and lapse what is due; return how many were reminded and lapsed."""
    now = now or timezone.now()
    reminded = lapsed = 0
    waiting = CaseFee.objects.filter(
        case__status=Case.Status.AWAITING_PAYMENT, paid_by=None
    ).select_related("case")
    for fee in waiting:
        remind_days, lapse_days = payment_terms(fee.case.procedure_id, fee.case.administration_id)
        age = now - fee.created_at
        if age >= timedelta(days=lapse_days):
            params = {"days": lapse_days}
            note = history.written(history.LAPSED, params, fee.case.language)
            do_lapse_unpaid(fee.case, note, history.LAPSED, params)
            lapsed += 1
        elif age >= timedelta(days=remind_days) and fee.reminded_at is None:
            with transaction.atomic():
                if CaseFee.objects.filter(pk=fee.pk, reminded_at=None).update(reminded_at=now):
                    do_notify_applicant(fee.case, PAYMENT_DUE, "payment-reminder")
                    reminded += 1
    return reminded, lapsed


@handler(TASK)
def remind_and_lapse(payload: dict[str, Any]) -> None:
    do_remind_and_lapse()
