"""A review path after a decision (#14, #20): within 30 days of a decision the applicant asks the
administration to review it, saying why; the case opens again in the queue, and the new decision
gets its own sealed document while the first is kept. The decision states the last day."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import formats, timezone
from pypdf import PdfReader

from loket.cases.models import REVIEW_DAYS, Case, CaseMessage, DecisionDocument
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, with_version
from tests.test_cases import apply_for_parking_card
from tests.test_cases_decision_seal import decide, download

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_refused_applicant_asks_for_a_review_and_gets_a_new_sealed_decision(
    sealing: dict[str, Any], resident_client: Client, tmp_path: Path
) -> None:
    case = apply_for_parking_card(resident_client)
    decide(case, "rejected")
    run_until_empty()
    first = DecisionDocument.objects.get(case=case)
    until = formats.date_format(
        timezone.localtime(case.decided_at).date() + timedelta(days=REVIEW_DAYS), "DATE_FORMAT"
    )
    decision = " ".join(text_of(first.file.read()).split())
    assert f"review this decision until {until}" in decision
    assert "Council of State" in decision and "60 days" in decision
    assert "Decided by" in decision and "for parking.brussels" in decision

    page = resident_client.get(f"/en/my-cases/{case.reference}/")
    assert "Ask for a review of the decision" in page.content.decode()
    url = f"/en/my-cases/{case.reference}/"
    empty = resident_client.post(url, {"action": "review", "body": "  "})
    assert empty.status_code == 422
    assert "Say why the decision should be reviewed." in empty.content.decode()

    reasons = "My car is registered at this address since last month; see the attached form."
    sent = resident_client.post(url, {"action": "review", "body": reasons})
    assert sent.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.REVIEW_REQUESTED and case.is_open
    assert CaseMessage.objects.filter(case=case, body=reasons, from_applicant=True).exists()
    agent = client_for("agent-parking")
    queue = agent.get("/en/back-office/").content.decode()
    assert case.reference in queue
    after = resident_client.get(url).content.decode()
    assert "Review requested" in after and "Ask for a review of the decision" not in after

    decide(case, "approved")
    run_until_empty()
    documents = DecisionDocument.objects.filter(case=case).order_by("decided_at")
    assert [d.pk for d in documents] == [first.pk, documents.last().pk]  # type: ignore[union-attr]
    second = download(resident_client, f"/en/my-cases/{case.reference}/decision.pdf")
    assert second == documents.last().file.read() != first.file.read()  # type: ignore[union-attr]
    if shutil.which("pdfsig"):
        path = tmp_path / "second.pdf"
        path.write_bytes(second)
        report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
        assert "Signature is Valid" in report, report
    page_after = resident_client.get(url).content.decode()
    assert "since reviewed" in page_after


def test_no_review_after_the_time_limit_and_what_was_typed_stays(
    resident_client: Client,
) -> None:
    case = apply_for_parking_card(resident_client, lang="fr")
    decide(case, "rejected", lang="fr")
    late = timezone.now() - timedelta(days=REVIEW_DAYS + 1)
    Case.objects.filter(pk=case.pk).update(decided_at=late)
    url = f"/fr/my-cases/{case.reference}/"
    assert "Demander un réexamen" not in resident_client.get(url).content.decode()
    refused = resident_client.post(url, {"action": "review", "body": "Je conteste."})
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "Je conteste." in body and "ce délai est dépassé" in body
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED


def test_an_approved_case_cannot_be_reviewed_by_someone_else(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    decide(case, "approved")
    other = client_for("resident2")
    response = other.post(f"/en/my-cases/{case.reference}/", {"action": "review", "body": "x"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED


def test_the_back_office_decides_again_from_a_review(resident_client: Client) -> None:
    case = apply_for_parking_card(resident_client)
    decide(case, "rejected")
    resident_client.post(
        f"/en/my-cases/{case.reference}/", {"action": "review", "body": "Please look again."}
    )
    case.refresh_from_db()
    agent = client_for("agent-parking")
    page = agent.get(f"/en/back-office/cases/{case.reference}/").content.decode()
    assert "Please look again." in page and "Review requested" in page
    response = agent.post(
        f"/en/back-office/cases/{case.reference}/",
        with_version(case, {"action": "decide", "status": "rejected", "note": ""}),
    )
    assert response.status_code in (409, 422)  # a refusal still states its reasons
