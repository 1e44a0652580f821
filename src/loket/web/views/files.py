"""Attachments and case documents, served only to those who may see them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils import translation

from loket.cases.documents import KINDS, document_pdf
from loket.cases.models import Case
from loket.cases.selectors import get_attachment_for, get_case_for_agent, get_case_for_applicant
from loket.certificates.selectors import certificates_of_holders_case
from loket.core.models import User
from loket.forms.answers import answer_rows
from loket.forms.definitions import get_definition


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
def attachment(request: HttpRequest, attachment_id: str) -> FileResponse:
    found = get_attachment_for(_user(request), str(attachment_id))
    response = FileResponse(
        default_storage.open(found.storage_name, "rb"),
        as_attachment=True,
        filename=found.name,
        content_type=found.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _pdf(case: Case, kind: str) -> HttpResponse:
    if kind not in KINDS or (kind == "decision" and not case.is_decided):
        raise Http404
    definition = get_definition(case.procedure_id, case.definition_version)
    with translation.override(case.language or "fr"):
        rows = answer_rows(definition, case.answers, case.facts) if definition else []
    response = HttpResponse(document_pdf(case, kind, rows), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-{kind}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


def _certificate_file(case: Case, number: str) -> FileResponse:
    certificate = certificates_of_holders_case(case).filter(number=number[:40]).first()
    if certificate is None:
        raise Http404
    response = FileResponse(
        certificate.file.open("rb"),
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def applicant_certificate(request: HttpRequest, reference: str, number: str) -> FileResponse:
    """The sealed certificate exactly as it was issued (the same bytes the register hashed)."""
    return _certificate_file(get_case_for_applicant(_user(request), reference), number)


@login_required
def applicant_document(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    return _pdf(get_case_for_applicant(_user(request), reference), kind)


@login_required
def agent_document(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    return _pdf(get_case_for_agent(_user(request), reference), kind)
