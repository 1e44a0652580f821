"""A decision is a legal act: its PDF is sealed with the administration's seal and stored once.

``do_decide`` queues :data:`TASK` in the decision's transaction; the worker renders the decision,
seals it (PAdES B-T/B-LT, ``core.seal``) and stores it as a :class:`DecisionDocument`. From then on
every download (the applicant's, the back-office's, the access archive's) is those same bytes.
Until then the pages say that the sealed decision is being prepared. A seal or timestamp
authority that is down makes the task fail and retry later; the decision itself stands.
``loket decisions seal`` seals what has no document yet (decisions made before this existed, or
whose task gave up).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from loket.cases.documents import document_pdf
from loket.cases.models import Case, DecisionDocument
from loket.core.seal import SealUnavailable, seal_pdf
from loket.tasks.queue import enqueue, handler

logger = logging.getLogger("loket.cases")

TASK = "cases.seal_decision"


def enqueue_sealing(case: Case) -> None:
    """Call inside the decision's transaction: the task exists if and only if the decision does
    (one per decision: a case decided again after a review gets its own)."""
    assert case.decided_at is not None
    decision = int(case.decided_at.timestamp() * 1_000_000)
    enqueue(TASK, {"case": case.pk}, dedupe_key=f"seal-decision:{case.pk}:{decision}")


def decision_document(case: Case) -> DecisionDocument | None:
    """The sealed document of the case's current decision, or None while it is being prepared."""
    return DecisionDocument.objects.filter(case=case, decided_at=case.decided_at).first()


def earlier_decisions(case: Case) -> QuerySet[DecisionDocument]:
    """The sealed documents of decisions since reviewed, oldest first: each is kept."""
    return (
        DecisionDocument.objects.filter(case=case)
        .exclude(decided_at=case.decided_at)
        .order_by("decided_at")
    )


def decisions_to_seal() -> QuerySet[Case]:
    """Decided cases whose current decision has no sealed document yet; anonymised ones are left
    alone (their decision would carry nothing of what was decided)."""
    sealed = DecisionDocument.objects.filter(case=OuterRef("pk"), decided_at=OuterRef("decided_at"))
    return (
        Case.objects.filter(
            status__in=(Case.Status.APPROVED, Case.Status.REJECTED), anonymised_at__isnull=True
        )
        .exclude(Exists(sealed))
        .order_by("decided_at", "id")
    )


def sealed_decision_pdf(case: Case) -> bytes:
    """The decision's PDF sealed in the administration's name, stamp on the last page.
    Raises ``SealUnavailable`` when the seal or the timestamp authority cannot be used."""
    pdf = document_pdf(case, "decision")
    with translation.override(case.language or "fr"):
        decided_by = _("Decided by %(administration)s") % {
            "administration": case.administration.name
        }
        stamp = "\n".join(
            (
                decided_by.replace("%", "%%"),
                _("Electronic seal"),
                "%(signer)s",
                _("Timestamp: %(ts)s"),
            )
        )
        reason = _("Decision on case %(reference)s") % {"reference": case.reference}
    return seal_pdf(pdf, stamp_text=stamp, reason=reason, location="Brussels")


def do_seal_decision(case: Case) -> DecisionDocument | None:
    """Seal and store the decision of ``case`` once; return its document (the existing one when
    it was sealed before), or None when the case has no decision to seal. Safe to run twice at
    once: the second store is dropped and the first document kept."""
    case = Case.objects.select_related("administration", "applicant", "procedure").get(pk=case.pk)
    if not case.is_decided or case.anonymised_at:
        return None
    existing = decision_document(case)
    if existing is not None:
        return existing
    sealed = sealed_decision_pdf(case)  # slow, and may reach the TSA: outside any transaction
    document = DecisionDocument(
        case=case, decided_at=case.decided_at, sha256=hashlib.sha256(sealed).hexdigest()
    )
    document.file.save(f"{case.reference}-decision.pdf", ContentFile(sealed), save=False)
    try:
        with transaction.atomic():
            document.save(force_insert=True)
    except IntegrityError:  # sealed meanwhile by another run: keep that one
        document.file.delete(save=False)
        return decision_document(case)
    return document


def seal_pending_decisions(limit: int | None = None) -> tuple[int, list[str]]:
    """Seal the decisions that have none yet (``loket decisions seal``). Returns how many were
    sealed, and the references that could not be (the seal was unavailable)."""
    sealed, failed = 0, []
    for case in decisions_to_seal()[:limit]:
        try:
            if do_seal_decision(case) is not None:
                sealed += 1
        except SealUnavailable as problem:  # the others may still go through later
            logger.warning("decision of case %s could not be sealed: %s", case.reference, problem)
            failed.append(case.reference)
    return sealed, failed


@handler(TASK)
def seal_decision(payload: dict[str, Any]) -> None:
    """The worker's task; a failure (seal or TSA down) is retried by the queue with backoff."""
    case = Case.objects.filter(pk=payload["case"]).first()
    if case is not None:
        do_seal_decision(case)
