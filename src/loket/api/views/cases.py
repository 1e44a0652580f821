"""An administration's cases, for its own systems: read, change status, message, decide.

Every read goes through ``cases.selectors`` with the client's service user (tenancy in one
place); every write goes through ``cases.actions`` under If-Match: the ETag is the case's version,
which the action checks on the locked case, so two systems (or a system and a civil servant in
the back-office) cannot overwrite each other's change unknowingly.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from loket.api import representation
from loket.api.http import api_view, json_response, paginate, read_json, string_field
from loket.api.models import ApiClient
from loket.cases.actions import (
    CaseRefused,
    StaleCase,
    UnfitText,
    check_can_decide,
    check_can_post_message,
    check_language,
    check_version,
    do_change_status,
    do_decide,
    do_post_message,
    do_record_case_opening,
    do_request_information,
)
from loket.cases.models import Case
from loket.cases.selectors import (
    cases_visible_to,
    get_case_attachment_for_agent,
    get_case_for_agent,
)
from loket.core.problems import Problem, invalid
from loket.forms.models import Attachment
from loket.forms.uploads import FileKind, check_upload, store_upload

MAX_TEXT = 10_000
MAX_DOCUMENTS = 5
MAX_DOCUMENT_MB = 10
ACCEPTED = ["pdf", "jpeg", "png"]


def _client(request: HttpRequest) -> ApiClient:
    client: ApiClient = request.api_client  # type: ignore[attr-defined]
    return client


def _moment(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "")
    if not raw:
        return None
    try:
        moment = parse_datetime(raw[:40])
        day = None if moment else parse_date(raw[:40])
    except ValueError:
        moment = day = None
    if moment is None and day is not None:
        moment = datetime(day.year, day.month, day.day)
    if moment is None:
        raise invalid(name, _("Give %(name)s as a date or date-time (ISO 8601).") % {"name": name})
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment.astimezone(UTC)  # the database compares in UTC: year 1 in Brussels is not there
    except (OverflowError, ValueError):
        raise invalid(name, _("This date is out of range.")) from None
    return moment


@api_view(("GET",), scope="cases:read")
def case_list(request: HttpRequest) -> HttpResponse:
    cases = cases_visible_to(_client(request).user)
    status = request.GET.get("status", "")
    if status:
        if status not in Case.Status.values:
            raise invalid("status", _("This status does not exist."))
        cases = cases.filter(status=status)
    if request.GET.get("procedure"):
        cases = cases.filter(procedure_id=request.GET["procedure"][:60])
    after, before = _moment(request, "submitted_after"), _moment(request, "submitted_before")
    if after:
        cases = cases.filter(submitted_at__gte=after)
    if before:
        cases = cases.filter(submitted_at__lt=before)
    ordered = cases.order_by("-submitted_at", "-id")
    return json_response(paginate(request, ordered, representation.case_summary))


def _represented(request: HttpRequest, case: Case) -> HttpResponse:
    body = representation.case_detail(request, case)
    return json_response(body, etag=representation.etag_of(case))


@api_view(("GET",), scope="cases:read")
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    client = _client(request)
    case = get_case_for_agent(client.user, reference)
    do_record_case_opening(case, client.user)
    return _represented(request, case)


@api_view(("GET",), scope="cases:read")
def case_document(request: HttpRequest, reference: str, attachment_id: str) -> FileResponse:
    attachment = get_case_attachment_for_agent(_client(request).user, reference, attachment_id)
    return FileResponse(
        default_storage.open(attachment.storage_name, "rb"),
        content_type=attachment.content_type,
        as_attachment=True,
        filename=attachment.name,
    )


def _documents(data: dict[str, Any]) -> list[tuple[SimpleUploadedFile, FileKind]]:
    """Base64 documents checked by their content, as the web uploads are; nothing stored yet."""
    documents = data.get("documents", [])
    if not isinstance(documents, list) or len(documents) > MAX_DOCUMENTS:
        raise invalid("documents", _("Give at most %(max)s documents.") % {"max": MAX_DOCUMENTS})
    checked = []
    for index, document in enumerate(documents):
        field = f"documents[{index}]"
        if not isinstance(document, dict):
            raise invalid(field, _("Each document has a name and a content_base64."))
        name = string_field(document, "name", 120) if "name" in document else "document"
        encoded = document.get("content_base64")
        if not isinstance(encoded, str) or len(encoded) > MAX_DOCUMENT_MB * 1400 * 1024:
            raise invalid(f"{field}.content_base64", _("Give the file as base64, 10 MB at most."))
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise invalid(f"{field}.content_base64", _("This is not valid base64.")) from None
        upload = SimpleUploadedFile(name, content)
        try:
            kind = check_upload(upload, ACCEPTED, MAX_DOCUMENT_MB)
        except ValidationError as error:
            raise invalid(f"{field}.content_base64", " ".join(error.messages)) from None
        checked.append((upload, kind))
    return checked


Change = Callable[[Case, ApiClient, dict[str, Any], int | None], None]


def _write(request: HttpRequest, reference: str, change: Change) -> HttpResponse:
    """Make the change under the version If-Match names, answer with the new state."""
    client = _client(request)
    data = read_json(request)
    if_match = str(request.META.get("HTTP_IF_MATCH", "")).strip()
    if not if_match:
        raise Problem(
            428, "precondition-required", _("Send If-Match with the case's ETag."),
            _("Read the case first and send its ETag in If-Match, so that no change is lost."),
        )  # fmt: skip
    case = get_case_for_agent(client.user, reference)
    expected = _expected_version(if_match, case)
    try:
        check_version(case, expected)  # early, before documents are stored; the action rechecks
        with transaction.atomic():
            change(case, client, data, expected)
    except StaleCase:
        raise Problem(
            412, "precondition-failed", _("The case has changed since you read it."),
            _("Read the case again, check the change, and retry with its new ETag."),
        ) from None  # fmt: skip
    except UnfitText as unfit:
        raise Problem(
            422, unfit.code, _("The request is not valid."), unfit.message,
            errors=[{"field": unfit.field, "detail": unfit.message}],
        ) from None  # fmt: skip
    except CaseRefused as refused:
        raise Problem(409, refused.code, refused.message) from None
    case.refresh_from_db()
    return _represented(request, case)


def _expected_version(if_match: str, case: Case) -> int | None:
    """The version the writer read: ``*`` asks for none; of several tags, the current one if
    listed (the action checks it again under its lock), else one that is no longer current."""
    if if_match == "*":
        return None
    versions = representation.versions_in(if_match)
    if case.version in versions:
        return case.version
    return versions[0] if versions else 0


def _store(
    client: ApiClient, documents: list[tuple[SimpleUploadedFile, FileKind]]
) -> list[Attachment]:
    return [store_upload(upload, kind, client.user) for upload, kind in documents]


@api_view(("POST",), scope="cases:write")
def case_status(request: HttpRequest, reference: str) -> HttpResponse:
    def change(case: Case, client: ApiClient, data: dict[str, Any], expected: int | None) -> None:
        status = string_field(data, "status", 30)
        note = string_field(data, "note", MAX_TEXT, required=False)
        if status not in Case.Status.values:
            raise invalid("status", _("This status does not exist."))
        if status == Case.Status.INFORMATION_REQUESTED:
            if not note.strip():
                raise invalid("note", _("Say what information you need."))
            do_request_information(case, client.user, note, expected_version=expected)
        else:
            do_change_status(case, client.user, status, note, expected_version=expected)

    return _write(request, reference, change)


@api_view(("POST",), scope="cases:write")
def case_messages(request: HttpRequest, reference: str) -> HttpResponse:
    def change(case: Case, client: ApiClient, data: dict[str, Any], expected: int | None) -> None:
        body = string_field(data, "body", MAX_TEXT)
        request_information = data.get("requests_information", False)
        if not isinstance(request_information, bool):
            raise invalid("requests_information", _("Give true or false."))
        documents = _documents(data)
        check_language(case, body)  # before storing documents; the action checks again
        if request_information:
            do_request_information(
                case, client.user, body, _store(client, documents), expected_version=expected
            )
        else:
            check_can_post_message(case)  # before storing documents; the action checks again
            do_post_message(
                case, client.user, body, _store(client, documents), expected_version=expected
            )

    return _write(request, reference, change)


@api_view(("POST",), scope="cases:write")
def case_decision(request: HttpRequest, reference: str) -> HttpResponse:
    def change(case: Case, client: ApiClient, data: dict[str, Any], expected: int | None) -> None:
        status = string_field(data, "status", 30)
        if status not in (Case.Status.APPROVED, Case.Status.REJECTED):
            raise invalid("status", _("A decision is approved or rejected."))
        note = string_field(data, "note", MAX_TEXT, required=False)
        documents = _documents(data)
        # before storing documents; the action checks again
        check_can_decide(case, status, note, with_documents=bool(documents))
        do_decide(
            case, client.user, status, note, _store(client, documents), expected_version=expected
        )

    return _write(request, reference, change)
