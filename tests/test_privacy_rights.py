"""Data-subject rights: the access archive holds all of the person's data and nothing of anyone
else, downloadable once; erasure leaves only what the law requires, with the reason, and the log
still verifies; corrections reach the register's keeper or the handling administration; the
DPO's queue shows deadlines and extensions."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from loket.audit.models import AccessLogEntry
from loket.audit.subjects import subject_pseudonyms
from loket.audit.verify import verify_log
from loket.cases.models import Case, CaseMessage, DecisionDocument
from loket.forms.models import Draft
from loket.mandates.actions import do_give_mandate
from loket.notify.models import Notification
from loket.privacy.archive import delete_expired_archives
from loket.privacy.models import AccessArchive, DataSubjectRequest
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user, with_version
from tests.test_cases import apply_for_parking_card

PDF = b"%PDF-1.4\n%%EOF\n"
RIGHTS = "/en/privacy/rights/"


def resident_with_history(client: Client) -> Case:
    """A case with a message and a file, an agent's opening, question and decision."""
    case = apply_for_parking_card(client)
    client.post(
        f"/en/my-cases/{case.reference}/",
        {"action": "message", "body": "Here is my insurance certificate",
         "attachment": SimpleUploadedFile("insurance.pdf", PDF, "application/pdf")},
    )  # fmt: skip
    agent = client_for("agent-parking")
    url = f"/en/back-office/cases/{case.reference}/"
    assert agent.get(url).status_code == 200  # the opening is logged for the resident
    agent.post(
        url, with_version(case, {"action": "request", "body": "Which parking zone do you prefer?"})
    )
    agent.post(
        url,
        with_version(case, {"action": "decide", "status": "approved", "note": "Valid one year."}),
    )
    case.refresh_from_db()
    return case


def request_access(client: Client) -> DataSubjectRequest:
    response = client.post(RIGHTS, {"kind": "access"})
    assert response.status_code == 302
    filed = DataSubjectRequest.objects.latest("pk")
    assert filed.kind == "access" and filed.due_at.date() > filed.received_at.date()
    return filed


def archive_files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.django_db
def test_the_access_archive_holds_everything_about_the_person_and_nothing_of_another() -> None:
    resident, other = demo_user("resident"), demo_user("resident2")
    client = client_for("resident")
    case = resident_with_history(client)
    others_case = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451")
    do_give_mandate(resident, demo_user("helper").national_number or "", [],
                    timezone.localdate(), timezone.localdate() + timedelta(days=30))  # fmt: skip

    filed = request_access(client)
    assert "We are preparing" in client.get(f"{RIGHTS}{filed.pk}/").content.decode()
    assert run_until_empty() >= 1
    archive = AccessArchive.objects.get(request=filed)
    page = client.get(f"{RIGHTS}{filed.pk}/").content.decode()
    assert f"/en/privacy/rights/archive/{archive.token}/" in page
    # The inbox says the archive is ready (a notice without a case) and My cases still opens.
    notice = Notification.objects.get(recipient=resident, event_key=f"privacy-archive:{filed.pk}")
    assert notice.topic == "" and notice.link == ""
    inbox = client.get("/en/my-cases/")
    assert inbox.status_code == 200 and escape(notice.subject) in inbox.content.decode()

    response = client.get(f"/en/privacy/rights/archive/{archive.token}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    files = archive_files(response.content)
    data = json.loads(files["my-data.json"])
    assert data["profile"]["national_number"] == resident.national_number
    assert [c["reference"] for c in data["cases"]] == [case.reference]
    bodies = [m["body"] for m in data["cases"][0]["messages"]]
    assert "Here is my insurance certificate" in bodies
    assert "Which parking zone do you prefer?" in bodies
    assert files[f"cases/{case.reference}/files/1-insurance.pdf"] == PDF
    # The decision as it was sealed, the very bytes the applicant downloads.
    assert (
        files[f"cases/{case.reference}/decision.pdf"]
        == DecisionDocument.objects.get(case=case).file.read()
    )
    assert files["summary.pdf"].startswith(b"%PDF")
    mine = AccessLogEntry.objects.filter(subject_pseudonym__in=subject_pseudonyms(resident))
    assert len(data["consultations"]) == mine.count() >= 4  # 3 prefill reads + the opening
    assert any(c["register"] == "case" for c in data["consultations"])
    assert len(data["mandates_given"]) == 1
    assert {n["kind"] for n in data["notifications"]} >= {"submitted", "decided"}
    assert "Which parking zone" in files["messages.csv"].decode()
    text = b"".join(v for k, v in files.items() if not k.endswith(".pdf")).decode()
    for foreign in (others_case.reference, other.last_name, other.national_number or "-",
                    "1-JPN-451"):  # fmt: skip
        assert foreign not in text
    assert not any(others_case.reference in name for name in files)

    # Once only: the file is gone, the link answers 410, then the page says so.
    assert not default_storage.exists(archive.storage_name)
    assert client.get(f"/en/privacy/rights/archive/{archive.token}/").status_code == 410
    assert (
        client_for("resident2").get(f"/en/privacy/rights/archive/{archive.token}/").status_code
        == 404
    )


@pytest.mark.django_db
def test_an_archive_not_downloaded_in_time_expires_and_its_file_is_deleted() -> None:
    client = client_for("resident")
    filed = request_access(client)
    run_until_empty()
    archive = AccessArchive.objects.get(request=filed)
    assert default_storage.exists(archive.storage_name)
    AccessArchive.objects.filter(pk=archive.pk).update(expires_at=timezone.now() - timedelta(1))
    assert client.get(f"/en/privacy/rights/archive/{archive.token}/").status_code == 410
    assert delete_expired_archives() == 1
    assert not default_storage.exists(archive.storage_name)


@pytest.mark.django_db
def test_erasure_shows_the_plan_then_leaves_only_what_the_law_requires() -> None:
    resident = demo_user("resident")
    client = client_for("resident")
    kept = resident_with_history(client)
    withdrawn = apply_for_parking_card(client, plate="1-ABC-123")
    client.post(f"/en/my-cases/{withdrawn.reference}/withdraw/")
    client.post("/en/procedures/residents-parking-card/apply/", {"use_registers": "yes"})
    assert Draft.objects.filter(user=resident).exists()

    plan = client.post(RIGHTS, {"kind": "erasure", "details": "Please forget me"})
    page = plan.content.decode()
    assert plan.status_code == 200 and "What stays, and why" in page
    assert "archival obligation" in page and kept.reference in page
    assert DataSubjectRequest.objects.count() == 0  # nothing filed before confirming
    client.post(RIGHTS, {"kind": "erasure", "details": "Please forget me", "confirmed": "yes"})
    filed = DataSubjectRequest.objects.get(kind="erasure")
    assert filed.status == "received"

    dpo = client_for("dpo")
    assert "What will go" in dpo.get(f"/en/privacy/dpo/requests/{filed.pk}/").content.decode()
    dpo.post(f"/en/privacy/dpo/requests/{filed.pk}/", {"action": "approve-erasure"})
    filed.refresh_from_db()
    assert filed.status == "done" and "archival obligation" in filed.outcome
    assert "access log" in filed.outcome
    withdrawn_now = Case.objects.filter(pk=withdrawn.pk).first()
    assert withdrawn_now is None or withdrawn_now.anonymised_at is not None
    kept.refresh_from_db()
    assert kept.applicant == resident and kept.anonymised_at is None
    assert not Notification.objects.filter(recipient=resident).exists()
    assert not Draft.objects.filter(user=resident).exists()
    resident.refresh_from_db()
    assert resident.national_number  # an application is kept, so the account stays
    assert AccessLogEntry.objects.filter(subject_pseudonym__in=subject_pseudonyms(resident))
    assert verify_log().ok
    assert "archival obligation" in client.get(f"{RIGHTS}{filed.pk}/").content.decode()


@pytest.mark.django_db
def test_erasure_with_nothing_to_keep_anonymises_the_account() -> None:
    client = client_for("resident2")
    case = apply_for_parking_card(client, plate="1-JPN-451")
    client.post(f"/en/my-cases/{case.reference}/withdraw/")
    client.post(RIGHTS, {"kind": "erasure", "details": "Forget me", "confirmed": "yes"})
    filed = DataSubjectRequest.objects.get(kind="erasure")
    client_for("dpo").post(f"/en/privacy/dpo/requests/{filed.pk}/", {"action": "approve-erasure"})
    person = filed.person
    person.refresh_from_db()
    assert person.national_number is None and person.last_name == "" and not person.is_active
    assert verify_log().ok


@pytest.mark.django_db
def test_a_correction_of_register_data_goes_to_the_registers_keeper() -> None:
    client = client_for("resident")
    response = client.post(RIGHTS, {"kind": "rectification", "register": "population",
                                    "details": "My first name is misspelt"})  # fmt: skip
    filed = DataSubjectRequest.objects.get()
    assert response["Location"] == f"{RIGHTS}{filed.pk}/"
    page = client.get(response["Location"]).content.decode()
    link = "/en/procedures/personal-data-correction/?register=population"
    assert link in page
    assert "population service of your municipality" in client.get(link).content.decode()


@pytest.mark.django_db
def test_a_correction_of_declared_data_reaches_the_handling_administration() -> None:
    client = client_for("resident")
    case = apply_for_parking_card(client)
    client.post(RIGHTS, {"kind": "rectification", "case": case.reference,
                         "details": "The start date I typed is wrong"})  # fmt: skip
    message = CaseMessage.objects.get(case=case)
    assert message.from_applicant and "The start date I typed is wrong" in message.body
    back_office = client_for("agent-parking").get(f"/en/back-office/cases/{case.reference}/")
    assert "The start date I typed is wrong" in back_office.content.decode()


@pytest.mark.django_db
def test_a_request_without_the_needed_details_is_refused_with_the_typed_text_kept() -> None:
    client = client_for("resident")
    response = client.post(RIGHTS, {"kind": "rectification", "details": "Wrong name"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Choose the register or the application with the error." in page
    assert "Wrong name" in page
    assert client.post(RIGHTS, {"kind": "objection"}).status_code == 422
    assert not DataSubjectRequest.objects.exists()


@pytest.mark.django_db
def test_the_dpo_queue_shows_due_dates_overdue_requests_and_extensions() -> None:
    client = client_for("resident")
    client.post(RIGHTS, {"kind": "objection", "details": "No statistics about me"})
    filed = DataSubjectRequest.objects.get()
    long_ago = timezone.now() - timedelta(days=40)
    DataSubjectRequest.objects.filter(pk=filed.pk).update(
        received_at=long_ago, due_at=long_ago + timedelta(days=30)
    )
    dpo = client_for("dpo")
    queue = dpo.get("/en/privacy/dpo/requests/").content.decode()
    assert "Overdue:" in queue and demo_user("resident").display_name in queue
    url = f"/en/privacy/dpo/requests/{filed.pk}/"
    assert dpo.post(url, {"action": "extend", "months": "2", "reason": ""}).status_code == 422
    dpo.post(url, {"action": "extend", "months": "2", "reason": "Three registers to check"})
    filed.refresh_from_db()
    assert filed.extended_due_at is not None
    assert (filed.extended_due_at - filed.due_at).days in range(59, 63)
    assert "Overdue:" not in dpo.get("/en/privacy/dpo/requests/").content.decode()
    assert "Three registers to check" in client.get(f"{RIGHTS}{filed.pk}/").content.decode()
    dpo.post(url, {"action": "outcome", "status": "done", "outcome": "Excluded from statistics"})
    filed.refresh_from_db()
    assert filed.status == "done" and filed.closed_at is not None
    assert client.get("/en/privacy/dpo/requests/").status_code == 403
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_the_personal_data_access_procedure_leads_to_the_rights_page() -> None:
    page = Client().get("/en/procedures/personal-data-access/").content.decode()
    assert 'href="/en/privacy/rights/"' in page
