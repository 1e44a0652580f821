"""The documents a case produces: the receipt and the decision, as tagged PDF/UA files.

They are rendered from HTML templates in the applicant's language. The receipt is made on demand,
so that it always matches the case's recorded state; the same case gives the same receipt. The
decision is a legal act: it is rendered once, sealed and stored (``decision_documents``).
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from loket.cases.models import Case
from loket.core.pdf import html_to_pdf
from loket.forms.answers import answer_rows
from loket.forms.definitions import get_definition

KINDS = ("receipt", "decision")


def case_answer_rows(case: Case) -> list[dict[str, str]]:
    """The applicant's answers as they would say them, in the case's language."""
    definition = get_definition(case.procedure_id, case.definition_version)
    if definition is None:
        return []
    with translation.override(case.language or "fr"):
        return answer_rows(definition, case.answers, case.facts)


def document_html(case: Case, kind: str) -> str:
    rows = case_answer_rows(case)
    with translation.override(case.language or "fr"):
        return render_to_string(
            f"cases/{kind}.html",
            {
                "case": case,
                "answers": rows,
                "events": case.events.status_changes(),
                "decision": case.events.status_changes()
                .filter(status=case.status)
                .order_by("-at")
                .first(),
                "definition": get_definition(case.procedure_id, case.definition_version),
            },
        )


def document_pdf(case: Case, kind: str) -> bytes:
    """A PDF/UA-1 (tagged, with language and title) of the receipt or the (unsealed) decision."""
    return html_to_pdf(document_html(case, kind))
