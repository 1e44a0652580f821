"""Documents handed over at once when an application is sent, with no civil servant.

A form definition lists the documents its procedure produces (``documents: [receipt,
certificate]``). Cases knows no certificate: the app that can deliver a kind of document at once
registers a deliverer for it from its ``AppConfig.ready`` (certificates does, for
``certificate``). When such an application is sent, :func:`deliver` runs right after the case is
committed; the deliverer either closes the case as delivered
(``actions.do_close_as_delivered``) or passes it to a civil servant with the reason
(``actions.do_refer_to_civil_servant``).

The submission also queues a backstop task in its own transaction, so that a process that dies
between the commit and the delivery leaves the work to a worker: it runs a little later and does
nothing if the case was delivered or passed on meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext as _

from loket.cases.models import Case, CaseEvent
from loket.forms.definitions import FormDefinition, get_definition
from loket.tasks.queue import enqueue, handler, where

logger = logging.getLogger("loket.cases")

Deliverer = Callable[[Case], None]


@dataclass(frozen=True)
class Registration:
    deliverer: Deliverer
    procedures: frozenset[str]


DELIVERERS: dict[str, Registration] = {}
TASK = "cases.deliver"
BACKSTOP_DELAY = timedelta(minutes=2)


def register_deliverer(document: str, deliverer: Deliverer, procedures: Iterable[str]) -> None:
    """Make ``document`` (as named in form definitions) of ``procedures`` delivered at once by
    ``deliverer``, which must close the case or refer it, and may run twice for one case."""
    existing = DELIVERERS.get(document)
    if existing is not None and where(existing.deliverer) != where(deliverer):
        raise ImproperlyConfigured(
            f"two deliverers for {document!r}: {where(existing.deliverer)} and {where(deliverer)}"
        )
    DELIVERERS[document] = Registration(deliverer, frozenset(procedures))


def delivered_at_once(definition: FormDefinition | None) -> list[str]:
    """The documents of this definition that are handed over when the application is sent."""
    if definition is None:
        return []
    return [
        document
        for document in definition.documents
        if document in DELIVERERS and definition.procedure_id in DELIVERERS[document].procedures
    ]


def enqueue_backstop(case: Case) -> None:
    """Call inside the submission's transaction."""
    enqueue(TASK, {"case": case.pk}, dedupe_key=f"deliver:{case.pk}", delay=BACKSTOP_DELAY)


def _waiting(case: Case) -> bool:
    """Still waiting for its delivery: open, and neither delivered nor passed on yet."""
    if case.status == Case.Status.AWAITING_PAYMENT:
        return False  # delivered once paid (actions.do_record_payment)
    return case.is_open and not case.events.filter(kind=CaseEvent.Kind.REFERRAL).exists()


def deliver(case: Case) -> None:
    """Run the case's deliverers now (right after the submission commits). An unexpected error
    is logged and left to the backstop task: the applicant still sees their case."""
    try:
        _run(case)
    except Exception:
        logger.exception("delivery of case %s failed; the backstop task will retry", case.pk)


def _run(case: Case) -> None:
    definition = get_definition(case.procedure_id, case.definition_version)
    for document in delivered_at_once(definition):
        case.refresh_from_db()
        if not _waiting(case):
            return
        DELIVERERS[document].deliverer(case)


@handler(TASK)
def deliver_later(payload: dict[str, Any]) -> None:
    """The backstop: deliver what the submitting process did not. If delivering fails here
    too, the case goes to a civil servant rather than waiting for ever."""
    from loket.cases.actions import do_refer_to_civil_servant  # actions imports this module

    case = Case.objects.filter(pk=payload["case"]).first()
    if case is None or not _waiting(case):
        return
    try:
        _run(case)
    except Exception:
        logger.exception("delivery of case %s failed again; passed to a civil servant", case.pk)
        with translation.override(case.language or "fr"):
            reason = _("A technical problem prevented it.")
        do_refer_to_civil_servant(case, reason)
