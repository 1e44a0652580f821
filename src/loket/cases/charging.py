"""Fees: whether a case must be paid before it is handled.

Cases knows no fee and no payment: the app that charges fees (payments) registers a charger
from its ``AppConfig.ready``. :func:`charge` runs inside the submission's transaction, right after
the case is created; the charger records what is due and answers whether the case waits for a
payment. Once paid, the payments app calls ``actions.do_record_payment``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

from loket.cases.models import Case
from loket.tasks.queue import where

Charger = Callable[[Case], bool]
FeeElsewhere = Callable[[Case], Decimal | None]

CHARGERS: list[Charger] = []
FEES_ELSEWHERE: list[FeeElsewhere] = []


def register_charger(charger: Charger) -> None:
    """Make ``charger`` decide, for every new case, whether a fee is due (True: wait for it)."""
    if CHARGERS and where(CHARGERS[0]) != where(charger):
        raise ImproperlyConfigured(f"two chargers: {where(CHARGERS[0])} and {where(charger)}")
    CHARGERS[:] = [charger]


def charge(case: Case) -> bool:
    """Call inside the submission's transaction: True when the case waits for a payment."""
    return any(charger(case) for charger in CHARGERS)


def register_fee_elsewhere(fee: FeeElsewhere) -> None:
    """Make ``fee`` tell, for a case, the amount due that Loket does not collect (None: none)."""
    FEES_ELSEWHERE[:] = [fee]


def fee_elsewhere(case: Case) -> Decimal | None:
    """The amount due for ``case`` that the administration collects itself, which a decision
    granting it states (the applicant must learn what they owe); None when there is none."""
    for fee in FEES_ELSEWHERE:
        amount = fee(case)
        if amount:
            return amount
    return None
