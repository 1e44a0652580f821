"""Fees: whether a case must be paid before it is handled.

Cases knows no fee and no payment: the app that charges fees (payments) registers a charger
from its ``AppConfig.ready``. :func:`charge` runs inside the submission's transaction, right after
the case is created; the charger records what is due and answers whether the case waits for a
payment. Once paid, the payments app calls ``actions.do_record_payment``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

from loket.cases.models import Case
from loket.tasks.queue import where

Charger = Callable[[Case], bool]

CHARGERS: list[Charger] = []


def register_charger(charger: Charger) -> None:
    """Make ``charger`` decide, for every new case, whether a fee is due (True: wait for it)."""
    if CHARGERS and where(CHARGERS[0]) != where(charger):
        raise ImproperlyConfigured(f"two chargers: {where(CHARGERS[0])} and {where(charger)}")
    CHARGERS[:] = [charger]


def charge(case: Case) -> bool:
    """Call inside the submission's transaction: True when the case waits for a payment."""
    return any(charger(case) for charger in CHARGERS)
