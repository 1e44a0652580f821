"""The documents a case produces: the receipt and the decision, as tagged PDF/UA files.

They are rendered from HTML templates in the applicant's language. The receipt is made on demand,
so that it always matches the case's recorded state; the same case gives the same receipt. The
decision is a legal act: it is rendered once, sealed and stored (``decision_documents``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from loket.cases.charging import fee_elsewhere
from loket.cases.models import Case, CaseEvent
from loket.core.models import User
from loket.core.pdf import html_to_pdf
from loket.core.typography import french_html
from loket.forms.answers import answer_rows, case_address
from loket.forms.definitions import get_definition
from loket.forms.models import Attachment

KINDS = ("receipt", "decision")


def case_answer_rows(case: Case) -> list[dict[str, str]]:
    """The applicant's answers as they would say them, in the case's language."""
    definition = get_definition(case.procedure_id, case.definition_version)
    if definition is None:
        return []
    with translation.override(case.language or "fr"):
        return answer_rows(definition, case.answers, case.facts)


def receipt_address(case: Case) -> str:
    """The address the application carries (where a collection takes place), in the case's
    language; "" when it carries none."""
    with translation.override(case.language or "fr"):
        return case_address(case.facts, case.answers)


# What allows reading a register (not what the decision applies): left out of a decision's bases.
REGISTER_ACCESS = ("National Register", "GDPR", "Crossroads Bank", "communication of information")


def decision_legal_bases(case: Case) -> list[str]:
    """The laws the procedure applies, in the case's language, each once: the procedure's
    declared legal bases without those that only allow reading a register (the catalogue gives
    them side by side, in the same order in each language)."""
    language = case.language or "fr"
    bases: list[str] = []
    for need in case.procedure.needs:
        texts = need.get("legal_basis") or {}
        english = [part.strip() for part in str(texts.get("en", "")).split(";")]
        local = [part.strip() for part in str(texts.get(language, "")).split(";")]
        if len(local) != len(english):
            continue  # not side by side: nothing is cited rather than something wrong
        for kept, shown in zip(english, local, strict=True):
            access_only = any(marker in kept for marker in REGISTER_ACCESS)
            if shown and not access_only and shown not in bases:
                bases.append(shown)
    return bases


def document_html(case: Case, kind: str) -> str:
    rows = case_answer_rows(case)
    decision = case.events.status_changes().filter(status=case.status).order_by("-at").first()
    return _render(
        case,
        f"cases/{kind}.html",
        {
            "case": case,
            "answers": rows,
            "address": receipt_address(case) if kind == "receipt" else "",
            "events": case.events.status_changes(),
            "decision": decision,
            "annexes": _annexes(case, decision),
            "legal_bases": decision_legal_bases(case),
            "definition": get_definition(case.procedure_id, case.definition_version),
            "fee_elsewhere": _fee_to_pay(case, case.status),
        },
    )


def _render(case: Case, template: str, context: dict[str, Any]) -> str:
    """A document of ``case`` in the case's language, with French typography in French."""
    language = case.language or "fr"
    with translation.override(language):
        html = render_to_string(template, context)
    return french_html(html) if language == "fr" else html


def _annexes(case: Case, decision: CaseEvent | None) -> list[str]:
    """The names of the files sent with the decision (its message carries the same version)."""
    if decision is None or not case.is_decided:
        return []
    return [
        attachment.name
        for message in case.messages.filter(version=decision.version, from_applicant=False)
        for attachment in message.attachments.all()
    ]


def decision_preview(
    case: Case, agent: User, status: str, note: str, attachments: Sequence[Attachment]
) -> str:
    """The body of the decision ``agent`` is about to make, as the applicant will receive it
    (HTML, in the case's language). Nothing is saved; the date is now, as it will be within a
    minute."""
    decided = copy.copy(case)
    decided.status = status
    decided.decided_at = timezone.now()
    context = {
        "case": decided,
        "answers": case_answer_rows(case),
        "decision": CaseEvent(case=decided, status=status, actor=agent, note=note.strip()),
        "annexes": [attachment.name for attachment in attachments],
        "legal_bases": decision_legal_bases(case),
        "fee_elsewhere": _fee_to_pay(case, status),
    }
    return _render(case, "cases/decision_content.html", context)


def _fee_to_pay(case: Case, status: str) -> Decimal | None:
    """The fee a granting decision states because the administration collects it itself."""
    return fee_elsewhere(case) if status == Case.Status.APPROVED else None


def document_pdf(case: Case, kind: str) -> bytes:
    """A PDF/UA-1 (tagged, with language and title) of the receipt or the (unsealed) decision."""
    return html_to_pdf(document_html(case, kind))
