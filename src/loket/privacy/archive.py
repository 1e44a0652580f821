"""The answer to an access request (Art. 15): everything the platform holds about one person,
as JSON, CSV files and a readable PDF summary in their language, in one ZIP file.

Only what is the person's own: their profile, the cases they applied for (with what they declared
in them, including people they named themselves), consultations of their data, mandates they gave
or received, their notifications, consents and requests. Civil servants appear by administration,
never by name. The file is built by the worker, downloaded once through a random token, and
deleted on download or expiry.
"""

from __future__ import annotations

import io
import json
import secrets
import zipfile
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from loket.audit.models import AccessLogEntry
from loket.audit.subjects import subject_pseudonyms
from loket.cases.decision_documents import decision_document, earlier_decisions
from loket.cases.documents import document_pdf
from loket.cases.models import Case
from loket.core import csv_export
from loket.core.models import User
from loket.core.pdf import html_to_pdf
from loket.forms.models import Draft
from loket.mandates.models import Mandate
from loket.notify.models import Notification
from loket.privacy.models import AccessArchive, ConsentRecord, DataSubjectRequest

ARCHIVE_LIFETIME = timedelta(days=7)


def _when(moment: Any) -> str:
    return moment.isoformat() if moment else ""


def _case(case: Case) -> dict[str, Any]:
    administration = case.administration.name
    return {
        "reference": case.reference,
        "procedure": case.procedure_id,
        "procedure_name": case.procedure.name,
        "administration": administration,
        "status": case.status,
        "submitted_at": _when(case.submitted_at),
        "decided_at": _when(case.decided_at),
        "due_on": _when(case.due_on),
        "data_from_registers": case.facts,
        "your_answers": case.answers,
        "declared_instead_of_registers": case.declared_instead,
        "history": [
            {"at": _when(e.at), "status": e.status, "note": e.note}
            for e in case.events.status_changes()
        ],
        "messages": [
            {
                "at": _when(m.created_at),
                "from": "you" if m.from_applicant else administration,
                "body": m.body,
                "attachments": [a.name for a in m.attachments.all()],
            }
            for m in case.messages.all()
        ],
    }


def personal_data(person: User) -> dict[str, Any]:
    """Everything held about ``person``, as plain JSON-ready data."""
    cases = Case.objects.filter(applicant=person).select_related("procedure", "administration")
    entries = AccessLogEntry.objects.filter(
        subject_pseudonym__in=subject_pseudonyms(person)
    ).order_by("leaf_index")
    return {
        "profile": {
            "username": person.username, "first_name": person.first_name,
            "last_name": person.last_name, "email": person.email,
            "national_number": person.national_number or "",
            "enterprise_number": person.enterprise_number,
            "preferred_language": person.preferred_language,
            "account_created_at": _when(person.date_joined), "last_login": _when(person.last_login),
        },
        "cases": [_case(case) for case in cases],
        "drafts": [
            {"procedure": d.procedure_id, "updated_at": _when(d.updated_at), "answers": d.answers}
            for d in Draft.objects.filter(user=person)
        ],
        "consultations": [
            {"entry": e.leaf_index, "at": _when(e.created_at),
             "administration": e.administration_id, "by": e.actor_role,
             "procedure": e.procedure_id, "case": e.case_reference,
             "register": e.source, "data": e.attributes, "purpose": e.purpose,
             "legal_basis": e.legal_basis_id, "outcome": e.outcome}
            for e in entries
        ],
        "mandates_given": [_mandate(m, m.helper) for m in Mandate.objects.filter(grantor=person)],
        "mandates_received": [
            _mandate(m, m.grantor) for m in Mandate.objects.filter(helper=person)
        ],
        "notifications": [
            {"at": _when(n.created_at), "kind": n.kind, "subject": n.subject, "body": n.body,
             "email": n.mail}
            for n in Notification.objects.filter(recipient=person)
        ],
        "consents": [
            {"purpose": c.purpose, "text_version": c.text_version, "text_hash": c.text_hash,
             "given": c.given, "given_at": _when(c.given_at), "withdrawn_at": _when(c.withdrawn_at)}
            for c in ConsentRecord.objects.filter(person=person)
        ],
        "requests": [
            {"kind": r.kind, "received_at": _when(r.received_at), "due_at": _when(r.deadline),
             "status": r.status, "details": r.details, "outcome": r.outcome,
             "extension_reason": r.extension_reason}
            for r in DataSubjectRequest.objects.filter(person=person)
        ],
    }  # fmt: skip


def _mandate(mandate: Mandate, other: User | None) -> dict[str, Any]:
    """A mandate names the other party: the person chose them (given) or was chosen (received)."""
    return {
        "other_party": other.display_name if other else "",
        "enterprise_number": mandate.enterprise_number,
        "procedures": mandate.procedure_ids or "all",
        "starts_on": _when(mandate.starts_on), "ends_on": _when(mandate.ends_on),
        "revoked_at": _when(mandate.revoked_at),
    }  # fmt: skip


TABLES = ("cases", "drafts", "consultations", "mandates_given", "mandates_received",
          "notifications", "consents", "requests")  # fmt: skip


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    if rows:
        writer = csv_export.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v
                 for k, v in row.items()}
            )  # fmt: skip
    return out.getvalue()


def summary_pdf(person: User, data: dict[str, Any]) -> bytes:
    """A readable, tagged (PDF/UA-1) summary in the person's language."""
    with translation.override(person.preferred_language or "fr"):
        html = render_to_string(
            "privacy/archive_summary.html",
            {"data": data, "language": person.preferred_language or "fr", "now": timezone.now()},
        )
    return html_to_pdf(html)


def build_zip(person: User) -> bytes:
    data = personal_data(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("profile.csv", _csv([data["profile"]]))
        for table in TABLES:
            rows = data[table]
            if table == "cases":
                rows = [{k: v for k, v in c.items() if k != "messages"} for c in rows]
                messages = [{"case": c["reference"], **m} for c in data["cases"]
                            for m in c["messages"]]  # fmt: skip
                archive.writestr("messages.csv", _csv(messages))
            archive.writestr(f"{table}.csv", _csv(rows))
        archive.writestr("summary.pdf", summary_pdf(person, data))
        _add_case_files(archive, person)
    return buffer.getvalue()


def _add_case_files(archive: zipfile.ZipFile, person: User) -> None:
    """The files uploaded in the person's cases and the documents the cases produced: the
    receipt, and the sealed decision once it has been sealed."""
    for case in Case.objects.filter(applicant=person).prefetch_related("attachments"):
        for index, attachment in enumerate(case.attachments.all(), start=1):
            with default_storage.open(attachment.storage_name, "rb") as file:
                archive.writestr(f"cases/{case.reference}/files/{index}-{attachment.name}",
                                 file.read())  # fmt: skip
        archive.writestr(f"cases/{case.reference}/receipt.pdf", document_pdf(case, "receipt"))
        sealed = decision_document(case) if case.is_decided else None
        if sealed is not None:  # the decision as it was sealed; none yet while it is prepared
            with sealed.file.open("rb") as file:
                archive.writestr(f"cases/{case.reference}/decision.pdf", file.read())
        for earlier in earlier_decisions(case):  # decisions since reviewed, each kept
            when = timezone.localtime(earlier.decided_at or earlier.issued_at).strftime(
                "%Y-%m-%d-%H%M"
            )
            with earlier.file.open("rb") as file:
                archive.writestr(f"cases/{case.reference}/decision-{when}.pdf", file.read())


def do_build_access_archive(request: DataSubjectRequest) -> AccessArchive:
    """Build and store the archive, then tell the person it is ready (the worker calls this)."""
    content = build_zip(request.person)
    token = secrets.token_urlsafe(32)
    name = default_storage.save(f"privacy/archives/{secrets.token_hex(16)}.zip",
                                ContentFile(content))  # fmt: skip
    with transaction.atomic():
        archive = AccessArchive.objects.create(
            request=request, token=token, storage_name=name, size=len(content),
            expires_at=timezone.now() + ARCHIVE_LIFETIME,
        )  # fmt: skip
        request.status = DataSubjectRequest.Status.DONE
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "closed_at", "updated_at"])
    from loket.privacy.mail import notify_archive_ready

    notify_archive_ready(request)
    return archive


class ArchiveGone(Exception):
    """Downloaded already, or expired: the file no longer exists."""


def take_archive(token: str, person: User) -> tuple[AccessArchive, bytes]:
    """Hand the file over once: read it, delete it, mark the archive downloaded."""
    with transaction.atomic():
        archive = (
            AccessArchive.objects.select_for_update()
            .filter(token=token, request__person=person)
            .first()
        )
        if archive is None:
            raise LookupError(token)
        if not archive.is_available or archive.downloaded_at:
            raise ArchiveGone
        with default_storage.open(archive.storage_name, "rb") as file:
            content = file.read()
        _delete_file(archive)
        archive.downloaded_at = timezone.now()
        archive.save(update_fields=["downloaded_at", "deleted_at"])
    return archive, content


def _delete_file(archive: AccessArchive) -> None:
    default_storage.delete(archive.storage_name)
    archive.deleted_at = timezone.now()


def delete_expired_archives() -> int:
    """Remove the files of archives past their expiry (the worker runs this every hour)."""
    count = 0
    for archive in AccessArchive.objects.filter(
        deleted_at__isnull=True, expires_at__lte=timezone.now()
    ):
        _delete_file(archive)
        archive.save(update_fields=["deleted_at"])
        count += 1
    return count
