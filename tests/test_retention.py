"""Retention with a frozen clock: drafts go, decided cases are anonymised by their rule, each run
leaves a metadata-only record, and a replay after a restore applies the rules again."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from loket.cases.models import Case, CaseAttachment
from loket.cases.notices import notices_about
from loket.forms.models import Attachment, Draft
from loket.privacy.models import RetentionRun
from loket.privacy.retention import apply_retention, delete_case
from tests.conftest import client_for, with_version
from tests.test_cases import apply_for_parking_card

PDF = b"%PDF-1.4\n%%EOF\n"


def decided_case(client: Client) -> Case:
    case = apply_for_parking_card(client)
    client.post(
        f"/en/my-cases/{case.reference}/",
        {"action": "message", "body": "my insurance",
         "attachment": SimpleUploadedFile("insurance.pdf", PDF, "application/pdf")},
    )  # fmt: skip
    client_for("agent-parking").post(
        f"/en/back-office/cases/{case.reference}/",
        with_version(case, {"action": "decide", "status": "approved"}),
    )
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_rules_apply_at_their_time_and_leave_only_what_statistics_need(
    resident_client: Client,
) -> None:
    case = decided_case(resident_client)
    resident_client.post("/en/procedures/residents-parking-card/apply/", {"use_registers": "yes"})
    assert Draft.objects.count() == 1

    apply_retention(as_of=timezone.now() + timedelta(days=10))
    case.refresh_from_db()
    assert case.anonymised_at is None and Draft.objects.count() == 1  # too early for both

    apply_retention(as_of=timezone.now() + timedelta(days=31))
    assert Draft.objects.count() == 0  # the 30-day draft rule
    case.refresh_from_db()
    assert case.anonymised_at is None  # decided cases are kept 5 years

    run = apply_retention(as_of=timezone.now() + timedelta(days=365 * 5 + 2))
    case.refresh_from_db()
    assert case.anonymised_at is not None
    assert (case.facts, case.answers) == ({}, {})
    assert case.applicant.username == "anonymised"
    assert not Attachment.objects.exists()
    assert list(case.messages.values_list("body", flat=True)) == [""]
    assert set(notices_about(case).values_list("subject", "body")) == {("", "")}
    assert (case.status, case.procedure_id, case.administration_id) == (
        "approved", "residents-parking-card", "parking-brussels")  # fmt: skip
    assert run.counts["residents-parking-card"]["cases_anonymised"] == 1
    assert "El Amrani" not in str(run.counts)


@pytest.mark.django_db
def test_a_deleted_case_takes_its_files_and_notices_with_it(resident_client: Client) -> None:
    case = decided_case(resident_client)
    stored = list(case.attachments.values_list("storage_name", flat=True))
    assert len(stored) == 1 and notices_about(case).count() == 3  # to pay, received, decided
    delete_case(case)
    assert not Attachment.objects.exists() and not CaseAttachment.objects.exists()
    assert not notices_about(case).exists()
    assert not default_storage.exists(stored[0])


@pytest.mark.django_db
def test_a_replay_after_a_restore_removes_again_what_was_removed(resident_client: Client) -> None:
    case = decided_case(resident_client)
    later = timezone.now() + timedelta(days=365 * 6)
    apply_retention(as_of=later)
    # The database is restored from a backup taken before the run: the data is back.
    Case.objects.filter(pk=case.pk).update(
        anonymised_at=None, facts={"population": {"identity": {"last_name": "El Amrani"}}}
    )
    run = apply_retention(as_of=later, replay=True)
    case.refresh_from_db()
    assert case.facts == {}
    assert run.replay and RetentionRun.objects.count() == 2


@pytest.mark.django_db
def test_the_command_runs_the_rules() -> None:
    out = StringIO()
    call_command("retention", "run", stdout=out)
    assert "retention applied" in out.getvalue()
