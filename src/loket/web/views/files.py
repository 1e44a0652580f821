"""Attachments and case documents, served only to those who may see them."""

from __future__ import annotations

import logging
from typing import IO

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse

from loket.cases.actions import do_record_document_download
from loket.cases.decision_documents import decision_document
from loket.cases.documents import KINDS, document_pdf
from loket.cases.models import Case
from loket.cases.selectors import get_attachment_for, get_case_for_agent, get_case_for_applicant
from loket.certificates.models import IssuedCertificate
from loket.certificates.selectors import certificates_of_holders_case
from loket.core.models import User
from loket.mandates.selectors import get_principal_case_for

logger = logging.getLogger("loket.web")


def private_file(stream: IO[bytes], filename: str, content_type: str) -> FileResponse:
    """A stored file as a download that no shared cache keeps and no browser sniffs."""
    response = FileResponse(
        stream, as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def attachment(request: HttpRequest, attachment_id: str) -> FileResponse:
    found = get_attachment_for(_user(request), str(attachment_id))
    return private_file(
        default_storage.open(found.storage_name, "rb"), found.name, found.content_type
    )


def _pdf(request: HttpRequest, case: Case, kind: str, back_url: str) -> HttpResponseBase:
    """The receipt, made now; the decision, as it was sealed (or a page saying it is being
    prepared, while the worker has not sealed it yet)."""
    if kind not in KINDS or (kind == "decision" and not case.is_decided):
        raise Http404
    if kind == "decision":
        return _sealed_decision(request, case, back_url)
    return document_made_now(case, kind)


def document_made_now(case: Case, kind: str) -> HttpResponse:
    """A document made from the case as it stands (the receipt), as a private download."""
    response = HttpResponse(document_pdf(case, kind), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-{kind}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _sealed_decision(request: HttpRequest, case: Case, back_url: str) -> HttpResponseBase:
    document = decision_document(case)
    if document is None and case.anonymised_at:
        raise Http404  # removed with the rest under the retention rule
    if document is None:
        context = {"case": case, "back_url": back_url}
        preparing = render(request, "web/decision_preparing.html", context, status=202)
        preparing["Retry-After"] = "60"
        preparing["Cache-Control"] = "private, no-store"
        return preparing
    return private_file(
        document.file.open("rb"), f"{case.reference}-decision.pdf", "application/pdf"
    )


def _certificate_file(case: Case, number: str) -> FileResponse:
    certificate = certificates_of_holders_case(case).filter(number=number[:40]).first()
    if certificate is None:
        raise Http404
    return stored_certificate(certificate)


def stored_certificate(certificate: IssuedCertificate) -> FileResponse:
    """The sealed PDF exactly as it was issued (the bytes whose SHA-256 the register holds);
    a 404, logged, when its stored file cannot be read."""
    try:
        stored = certificate.file.open("rb")
    except OSError:
        logger.error("the stored file of certificate %s cannot be read", certificate.pk)
        raise Http404 from None
    return private_file(stored, f"{certificate.number}.pdf", "application/pdf")


@login_required
def applicant_certificate(request: HttpRequest, reference: str, number: str) -> FileResponse:
    """The sealed certificate exactly as it was issued (the same bytes the register hashed)."""
    return _certificate_file(get_case_for_applicant(_user(request), reference), number)


@login_required
def applicant_document(request: HttpRequest, reference: str, kind: str) -> HttpResponseBase:
    case = get_case_for_applicant(_user(request), reference)
    return _pdf(request, case, kind, reverse("web:case", args=[case.reference]))


@login_required
def principal_document(
    request: HttpRequest, mandate_id: int, reference: str, kind: str
) -> HttpResponseBase:
    """The receipt or decision of a case a helper follows under a mandate valid today."""
    case = get_principal_case_for(_user(request), mandate_id, reference)
    back_url = reverse("web:mandate-case", args=[mandate_id, case.reference])
    return _pdf(request, case, kind, back_url)


@login_required
def agent_document(request: HttpRequest, reference: str, kind: str) -> HttpResponseBase:
    agent = _user(request)
    case = get_case_for_agent(agent, reference)
    response = _pdf(request, case, kind, reverse("web:backoffice-case", args=[case.reference]))
    if response.status_code == 200:  # a document handed out, not the "being prepared" page
        do_record_document_download(case, agent, kind)
    return response
