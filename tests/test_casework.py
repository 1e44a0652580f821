"""Case handling: requests for information, messages with attachments, withdrawal, documents,
and the references people read on the phone."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from loket.cases.models import OPEN_STATUSES, Case
from loket.cases.references import is_valid, new_reference, normalise_reference
from loket.cases.selectors import cases_visible_to, queue_figures
from loket.forms.models import Attachment
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_references_carry_check_digits_that_catch_a_typo() -> None:
    reference = new_reference()
    assert is_valid(reference)
    assert normalise_reference(reference.lower().replace("-", " ")) == reference
    digits = list(reference)
    digits[9] = "1" if digits[9] != "1" else "2"
    assert normalise_reference("".join(digits)) == ""


@pytest.mark.django_db
def test_a_request_for_information_pauses_the_case_until_the_applicant_answers(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    response = agent.post(
        url, with_version(case, {"action": "request", "body": "Please send your insurance."})
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.INFORMATION_REQUESTED
    page = resident_client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert "Please send your insurance." in page
    assert "is paused until you answer" in page

    answer = resident_client.post(
        f"/en/my-cases/{case.reference}/",
        {"action": "message", "body": "Here it is.",
         "attachment": SimpleUploadedFile("insurance.pdf", PDF, "application/pdf")},
    )  # fmt: skip
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    attachment = Attachment.objects.get(case=case)
    assert attachment.name == "insurance.pdf"
    page = agent.get(url).content.decode()
    assert "Here it is." in page
    download = agent.get(f"/en/files/{attachment.id}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert client_for("agent-ixelles").get(f"/en/files/{attachment.id}/").status_code == 404
    assert client_for("resident2").get(f"/en/files/{attachment.id}/").status_code == 404


@pytest.mark.django_db
def test_an_executable_renamed_pdf_is_refused_and_the_message_is_kept(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client)
    response = resident_client.post(
        f"/en/my-cases/{case.reference}/",
        {"action": "message", "body": "My certificate attached.",
         "attachment": SimpleUploadedFile("certificate.pdf", b"MZ\x90\x00" + b"\x00" * 100,
                                          "application/pdf")},
    )  # fmt: skip
    assert response.status_code == 422
    page = response.content.decode()
    assert "This file is a program, not a document" in page
    assert "My certificate attached." in page
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_an_oversized_upload_is_refused_without_losing_the_form(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    big = PDF + b"0" * (10 * 1024 * 1024 + 1)
    response = resident_client.post(
        f"/en/my-cases/{case.reference}/",
        {"action": "message", "body": "Large scan.",
         "attachment": SimpleUploadedFile("scan.pdf", big, "application/pdf")},
    )  # fmt: skip
    assert response.status_code == 422
    assert "larger than 10" in response.content.decode()
    assert "Large scan." in response.content.decode()


@pytest.mark.django_db
def test_a_text_file_named_pdf_is_refused(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    response = resident_client.post(
        f"/en/my-cases/{case.reference}/",
        {"action": "message", "body": "x",
         "attachment": SimpleUploadedFile("letter.pdf", b"just text", "application/pdf")},
    )  # fmt: skip
    assert response.status_code == 422
    assert "whatever its name says" in response.content.decode()


@pytest.mark.django_db
def test_receipt_and_decision_are_tagged_pdfs_in_the_applicants_language(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client, lang="nl")
    receipt = resident_client.get(f"/nl/my-cases/{case.reference}/receipt.pdf")
    assert receipt.status_code == 200
    assert receipt.content.startswith(b"%PDF")
    catalog: Any = PdfReader(io.BytesIO(receipt.content)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged, as PDF/UA requires
    assert catalog["/Lang"] == "nl"
    assert catalog["/MarkInfo"]["/Marked"]
    assert resident_client.get(f"/nl/my-cases/{case.reference}/decision.pdf").status_code == 404
    client_for("agent-parking").post(
        f"/en/back-office/cases/{case.reference}/",
        with_version(case, {"action": "decide", "status": "approved", "note": "OK"}),
    )
    preparing = resident_client.get(f"/en/my-cases/{case.reference}/decision.pdf")
    assert preparing.status_code == 202  # until the worker has sealed it
    assert "The sealed decision is being prepared" in preparing.content.decode()
    run_until_empty()
    decision = resident_client.get(f"/en/my-cases/{case.reference}/decision.pdf")
    assert decision.status_code == 200
    sealed = b"".join(decision.streaming_content)  # type: ignore[attr-defined]
    catalog = PdfReader(io.BytesIO(sealed)).trailer["/Root"]
    assert catalog["/Lang"] == "nl" and "/StructTreeRoot" in catalog  # still tagged once sealed
    assert (
        client_for("resident2").get(f"/en/my-cases/{case.reference}/receipt.pdf").status_code == 404
    )


@pytest.mark.django_db
def test_the_applicant_can_withdraw_an_open_case(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    resident_client.post(f"/en/my-cases/{case.reference}/withdraw/")
    case.refresh_from_db()
    assert case.status == Case.Status.WITHDRAWN


@pytest.mark.django_db
def test_the_queue_filters_assigns_and_changes_cases_in_bulk(resident_client: Client) -> None:
    first = apply_for_parking_card(resident_client)
    second = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451")
    agent = client_for("agent-parking")
    page = agent.get(f"/en/back-office/?reference={first.reference.lower()}").content.decode()
    assert first.reference in page and second.reference not in page
    agent.post(f"/en/back-office/cases/{first.reference}/", with_version(first, {"action": "assign",
               "assignee": str(demo_user("agent-parking").pk)}))  # fmt: skip
    first.refresh_from_db()
    assert first.assigned_to is not None
    mine = agent.get("/en/back-office/?assigned=me").content.decode()
    assert first.reference in mine and second.reference not in mine
    agent.post("/en/back-office/", {"selected": [first.reference, second.reference],
                                    "bulk_status": "in_progress", "confirm": "yes",
                                    **{f"version-{c.reference}": str(c.version)
                                       for c in Case.objects.all()}})  # fmt: skip
    assert set(Case.objects.values_list("status", flat=True)) == {"in_progress"}
    assert agent.get("/en/back-office/?older_than_days=abc").status_code == 422


@pytest.mark.django_db
def test_the_queues_figures_count_each_kind_of_case_once(resident_client: Client) -> None:
    """The figures bar (open, overdue, waiting for the applicant, with a reply to read) is read
    in one query; each figure is what counting the agent's cases one by one gives."""
    made = [apply_for_parking_card(resident_client)]
    made.append(apply_for_parking_card(client_for("resident2"), plate="1-JPN-451"))
    today = timezone.localdate()
    Case.objects.filter(pk=made[0].pk).update(due_on=today - timedelta(days=3))
    Case.objects.filter(pk=made[1].pk).update(
        status=Case.Status.INFORMATION_REQUESTED, reply_received_at=timezone.now()
    )
    agent = demo_user("agent-parking")
    cases = list(cases_visible_to(agent))
    is_open = [c for c in cases if c.status in OPEN_STATUSES]
    figures = queue_figures(cases_visible_to(agent))
    assert (figures.open, figures.overdue, figures.waiting_for_applicant, figures.replies) == (
        len(is_open),
        sum(1 for c in is_open if c.due_on and c.due_on < today),
        sum(1 for c in cases if c.status == Case.Status.INFORMATION_REQUESTED),
        sum(1 for c in is_open if c.reply_received_at is not None),
    )
    assert figures.overdue >= 1 and figures.waiting_for_applicant >= 1 and figures.replies >= 1
