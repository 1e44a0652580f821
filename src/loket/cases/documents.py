"""The documents a case produces: the receipt and the decision, as tagged PDF/UA files.

They are rendered from HTML templates in the applicant's language and made on demand, so that a
document always matches the case's recorded state; the same case gives the same document.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from loket.cases.models import Case
from loket.core.pdf import html_to_pdf
from loket.forms.definitions import get_definition

KINDS = ("receipt", "decision")


def document_html(case: Case, kind: str, answer_rows: list[dict[str, str]]) -> str:
    with translation.override(case.language or "fr"):
        return render_to_string(
            f"cases/{kind}.html",
            {
                "case": case,
                "answers": answer_rows,
                "events": case.events.status_changes(),
                "decision": case.events.status_changes()
                .filter(status=case.status)
                .order_by("-at")
                .first(),
                "definition": get_definition(case.procedure_id, case.definition_version),
            },
        )


def document_pdf(case: Case, kind: str, answer_rows: list[dict[str, str]]) -> bytes:
    """A PDF/UA-1 (tagged, with language and title) of the receipt or the decision."""
    return html_to_pdf(document_html(case, kind, answer_rows))
