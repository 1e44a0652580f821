"""Unpaid applications: reminded once after the procedure's ``remind_after_days``, lapsed after
its ``lapse_after_days`` (data/fees.yaml). The worker runs it every hour.

Before lapsing, each payment still open is fetched from its provider once more: a payment the
provider confirmed but never told Loket about (a lost notification, an applicant who closed the
page) is applied, and the case goes on, instead of lapsing with the money taken. A provider that
cannot answer now keeps the case waiting until the next run."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from loket.cases.actions import do_lapse_unpaid
from loket.cases.models import Case
from loket.payments import fees, history
from loket.payments.actions import do_close_open_payments, do_refresh
from loket.payments.fees import payment_terms
from loket.payments.models import CaseFee, Payment
from loket.payments.notices import do_tell_payment_due
from loket.payments.providers import ProviderError
from loket.tasks.queue import every, handler

logger = logging.getLogger("loket.payments")

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
            if not _still_unpaid(fee.case):
                continue
            params = {"days": lapse_days}
            note = history.written(history.LAPSED, params, fee.case.language)
            do_lapse_unpaid(fee.case, note, history.LAPSED, params)
            do_close_open_payments(fee.case)  # a transfer is expected no more
            lapsed += 1
        elif age >= timedelta(days=remind_days) and fee.reminded_at is None:
            with transaction.atomic():
                if CaseFee.objects.filter(pk=fee.pk, reminded_at=None).update(reminded_at=now):
                    do_tell_payment_due(fee, reminder=True)
                    reminded += 1
    return reminded, lapsed


def pay_by(fee: CaseFee) -> date:
    """The last day to pay ``fee``: the run of the next day lapses the application."""
    return fees.pay_by(fee.case.procedure_id, fee.case.administration_id, fee.created_at)


def _still_unpaid(case: Case) -> bool:
    """Ask the providers about the case's open payments (each applied once if paid meanwhile):
    True when the case still waits for a payment and every provider answered."""
    for payment in Payment.objects.filter(case=case, status=Payment.Status.OPEN):
        try:
            do_refresh(payment)
        except ProviderError as problem:
            logger.warning(
                "payment %s: its provider did not answer before lapsing (%s); the case waits",
                payment.pk, type(problem).__name__,
            )  # fmt: skip
            return False
    return Case.objects.filter(pk=case.pk, status=Case.Status.AWAITING_PAYMENT).exists()


@handler(TASK)
def remind_and_lapse(payload: dict[str, Any]) -> None:
    do_remind_and_lapse()
