"""The certificate as a document: one template per kind, a tagged PDF/UA, then the seal.

French or Dutch, as the applicant chose; English is a courtesy translation and says so on the
page. Each carries the verification code and a QR code of the verification page's address.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from loket.cases.models import Case
from loket.certificates.content import KINDS, certified_lines
from loket.core.i18n import pick
from loket.core.pdf import html_to_pdf
from loket.core.public import public_base
from loket.core.seal import seal_pdf
from loket.core.typography import french_html
from loket.forms.definitions import get_definition

LANGUAGES = ("fr", "nl", "en")


@dataclass(frozen=True)
class Document:
    """Everything printed on one certificate."""

    case: Case
    number: str
    code: str
    language: str
    issued_at: datetime
    purpose: str
    rows: list[dict[str, Any]]


def certificate_language(case: Case) -> str:
    chosen = str(case.answers.get("document_language") or case.language or "fr")
    return chosen if chosen in LANGUAGES else "fr"


def purpose_text(case: Case, language: str) -> str:
    """The purpose the applicant gave, as the form's choice label in ``language``."""
    value = str(case.answers.get("purpose") or "")
    if value == "other" and case.answers.get("purpose_other"):
        return str(case.answers["purpose_other"])[:200]
    definition = get_definition(case.procedure_id, case.definition_version)
    for field in definition.fields() if definition else ():
        if field.name == "purpose":
            choice = field.options.get("choices", {}).get(value)
            return pick(choice, language) if choice else value
    return ""


def verification_url(code: str) -> str:
    """Printed and in the QR code: the language-neutral address, which opens the page in the
    language of whoever checks (a bank in Ghent reads a French certificate's check in Dutch)."""
    return public_base() + reverse("verify-any-language", kwargs={"code": code})


def rows_for(case: Case, facts: dict[str, Any], language: str) -> list[dict[str, Any]]:
    with translation.override(language):
        return certified_lines(case.procedure_id, facts, language, _since(case))


def _since(case: Case) -> str:
    if case.answers.get("period") == "since":
        return str(case.answers.get("period_start") or "")
    return ""


def qr_code(url: str) -> str:
    """The QR code of ``url`` as a data URI: a PNG of one pixel per module (some 500 bytes),
    which the template scales up unsmoothed (``image-rendering: pixelated``, so its edges stay
    sharp at any size). WeasyPrint embeds it as it is, where the same code as an SVG path of a
    few hundred segments is parsed and drawn point by point: about 5 ms of CPU more per
    certificate (bench/certificates.py)."""
    return str(segno.make(url, error="m").png_data_uri(scale=1, border=2))


def document_html(document: Document) -> str:
    kind = KINDS[document.case.procedure_id]
    url = verification_url(document.code)
    qr = qr_code(url)
    with translation.override(document.language):
        html = render_to_string(
            f"certificates/{kind.procedure_id}.html",
            {
                "document": document,
                "kind": kind,
                "authority": pick(document.case.administration.names, document.language),
                "issued_at": timezone.localtime(document.issued_at),
                "verification_url": url,
                "qr": qr,
                "courtesy": document.language == "en",
            },
        )
    return french_html(html) if document.language == "fr" else html


def render_pdf(document: Document) -> bytes:
    """The unsealed PDF/UA-1: tagged, with its language and title."""
    return html_to_pdf(document_html(document))


def sealed_pdf(document: Document) -> bytes:
    """The PDF sealed with the administration's seal, timestamped, stamp on the last page."""
    pdf = render_pdf(document)
    with translation.override(document.language):
        stamp = _("Electronic seal") + "\n%(signer)s\n" + _("Timestamp: %(ts)s")
        reason = _("Certificate no. %(number)s") % {"number": document.number}
    return seal_pdf(pdf, stamp_text=stamp, reason=reason, location="Brussels")
