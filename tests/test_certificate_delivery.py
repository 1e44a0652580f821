"""Issuing at once: a certificate procedure sent through the ordinary apply pages is delivered
with no civil servant, or passed to one with the reason when the registers or the seal cannot
support it; a process that dies between the commit and the delivery leaves it to a worker."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from loket.audit.models import AccessLogEntry
from loket.cases import delivery
from loket.cases.models import Case, CaseEvent
from loket.cases.notices import notices_about
from loket.catalog.models import Procedure
from loket.certificates.models import IssuedCertificate
from loket.forms.actions import do_decline_prefill, get_or_start_draft
from loket.forms.definitions import get_definition
from loket.sources.registry import get_source
from loket.tasks.models import Task
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, demo_user
from tests.test_all_procedures import SAINT_GILLES, submit

IXELLES = "21009"

pytestmark = pytest.mark.django_db


def _code_of(certificate: IssuedCertificate) -> str:
    """The verification code, read off the PDF as its receiver would (it is never stored)."""
    text = subprocess.run(
        ["pdftotext", certificate.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    found = re.search(r"[A-Z2-7]{4}(?:-[A-Z2-7]{4}){7}", text)
    assert found is not None, text
    return found.group(0)


def _referral(case: Case) -> str:
    return str(case.events.get(kind=CaseEvent.Kind.REFERRAL).note)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_sent_is_delivered_at_once_with_one_notice_and_every_read_logged(
    sealing: dict[str, Any],
) -> None:
    client = client_for("resident")
    case = submit(client, "household-composition")
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED and case.decided_at is not None
    certificate = IssuedCertificate.objects.get(case=case)
    assert certificate.status == IssuedCertificate.Status.VALID and certificate.issued_by is None
    assert [n.kind for n in notices_about(case)] == ["delivered"]
    reads = AccessLogEntry.objects.filter(
        case_reference=case.reference, purpose="issue-certificate"
    )
    assert reads.exists() and {r.actor_role for r in reads} == {"self"}
    page = client.get(f"/en/my-cases/{case.reference}/?submitted=1").content.decode()
    assert "Your certificate is ready" in page
    assert f"/en/my-cases/{case.reference}/certificates/{certificate.number}.pdf" in page
    download = client.get(f"/en/my-cases/{case.reference}/certificates/{certificate.number}.pdf")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == certificate.file.open("rb").read()  # type: ignore[attr-defined]
    assert "Download the certificate (PDF)" in client.get("/en/my-cases/").content.decode()
    # My data says what was read for it, and each check of it by whoever received it.
    assert client.get(f"/en/verify/{_code_of(certificate)}/").status_code == 200
    my_data = client.get("/en/my-data/").content.decode()
    assert "This data was read to issue the certificate you asked for." in my_data
    assert f"no. {certificate.number} was checked on" in my_data
    # Another resident gets no certificate of this case.
    other = client_for("resident2")
    assert (
        other.get(
            f"/en/my-cases/{case.reference}/certificates/{certificate.number}.pdf"
        ).status_code
        == 404
    )


def test_a_person_the_register_no_longer_knows_goes_to_the_municipality_with_the_reason(
    sealing: dict[str, Any],
) -> None:
    client = client_for("resident")
    resident = demo_user("resident")

    def forget_the_person() -> None:  # between the prefill and the sending
        resident.national_number = "85073003328"
        resident.save()

    case = submit(client, "life-certificate", before_sending=forget_the_person)
    assert case.status == Case.Status.SUBMITTED
    assert not IssuedCertificate.objects.filter(case=case).exists()
    assert "The population register does not know the applicant." in _referral(case)
    assert [n.kind for n in notices_about(case)] == ["submitted"]
    page = client.get(f"/en/my-cases/{case.reference}/?submitted=1").content.decode()
    assert "We could not issue your document at once" in page
    assert "does not know the applicant" in page


def test_a_register_that_does_not_answer_passes_the_case_on(sealing: dict[str, Any]) -> None:
    client = client_for("resident")
    get_source.cache_clear()

    def take_the_register_down() -> None:
        get_source.cache_clear()
        down.enable()

    down = override_settings(
        LOKET_SOURCES={"population": "tests.down_registers.DownPopulationRegister"}
    )
    try:
        case = submit(client, "population-extract", before_sending=take_the_register_down)
    finally:
        down.disable()
        get_source.cache_clear()
    assert case.status == Case.Status.SUBMITTED
    assert "The population register did not answer." in _referral(case)


def test_a_timestamp_authority_that_does_not_answer_passes_the_case_on(
    sealing: dict[str, Any], settings: Any
) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.LOKET_SEAL = {**sealing["settings"], "tsa_url": f"http://127.0.0.1:{port}/"}
    case = submit(client_for("resident"), "life-certificate")
    assert case.status == Case.Status.SUBMITTED
    assert "The electronic seal could not be applied just now." in _referral(case)
    assert not IssuedCertificate.objects.filter(case=case).exists()


def test_a_process_that_dies_after_the_commit_leaves_the_delivery_to_a_worker(
    sealing: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The web process stops right after the submission's commit: nothing delivered inline.
    monkeypatch.setattr(delivery, "deliver", lambda case: None)
    case = submit(client_for("resident"), "life-certificate")
    assert case.status == Case.Status.SUBMITTED and not notices_about(case).exists()
    backstop = Task.objects.get(name=delivery.TASK)
    assert backstop.run_after >= timezone.now() + timedelta(minutes=1)
    Task.objects.filter(pk=backstop.pk).update(run_after=timezone.now())
    run_until_empty()
    case.refresh_from_db()
    assert case.status == Case.Status.DELIVERED
    assert [n.kind for n in notices_about(case)] == ["delivered"]
    # Run again (a second worker, a retry): nothing changes.
    delivery.deliver_later({"case": case.pk})
    assert IssuedCertificate.objects.filter(case=case).count() == 1


def test_a_backstop_for_a_delivered_case_does_nothing(sealing: dict[str, Any]) -> None:
    case = submit(client_for("resident"), "life-certificate")
    assert case.status == Case.Status.DELIVERED
    Task.objects.filter(name=delivery.TASK).update(run_after=timezone.now())
    run_until_empty()
    assert IssuedCertificate.objects.filter(case=case).count() == 1
    assert [n.kind for n in notices_about(case)] == ["delivered"]


@pytest.mark.parametrize("lang", ["fr", "nl"])
def test_the_certificate_language_is_the_one_the_person_reads_until_they_choose(lang: str) -> None:
    client = client_for("resident")
    base = f"/{lang}/procedures/household-composition/apply/"
    assert client.post(base, {"use_registers": "yes"}).status_code == 302
    page = client.get(f"{base}q/language/").content.decode()
    assert re.search(rf'value="{lang}"[^>]*checked', page), page
    other = "nl" if lang == "fr" else "fr"
    assert client.post(f"{base}q/language/", {"document_language": other}).status_code == 302
    again = client.get(f"{base}q/language/").content.decode()
    assert re.search(rf'value="{other}"[^>]*checked', again)
    assert not re.search(rf'value="{lang}"[^>]*checked', again)


def test_a_certificate_is_issued_by_the_municipality_of_the_register_not_the_one_typed(
    sealing: dict[str, Any],
) -> None:
    """The resident had declined the registers (a draft from before the first step of a
    certificate became information only) and typed a Saint-Gilles address; the register holds
    them in Ixelles, whose certificate it is: the case passes to Ixelles, saying why."""
    client = client_for("resident")
    # A draft declined before the first step of a certificate became information only.
    definition = get_definition("household-composition")
    assert definition is not None
    procedure = Procedure.objects.get(id="household-composition")
    do_decline_prefill(get_or_start_draft(demo_user("resident"), procedure, definition), definition)
    case = submit(client, "household-composition", use_registers=None)
    case.refresh_from_db()
    registered = demo_user("resident")
    assert case.answers["declared"]["population.address.municipality"] == SAINT_GILLES
    assert case.status == Case.Status.DELIVERED
    assert case.administration_id == IXELLES != SAINT_GILLES
    certificate = IssuedCertificate.objects.get(case=case)
    assert certificate.status == IssuedCertificate.Status.VALID
    moved = case.events.get(note__startswith="Passed to")
    assert "main residence in Ixelles" in moved.note, moved.note
    text = subprocess.run(
        ["pdftotext", certificate.file.path, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ixelles" in text and "Saint-Gilles" not in text
    assert registered.national_number and registered.national_number in re.sub(r"\D", "", text)


def test_a_certificate_whose_stored_file_is_gone_answers_404_and_is_logged(
    sealing: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """The holder's download of a certificate whose file the storage lost is a 404 with the
    error logged for the operator, not a 500 (the counter and the back-office share it)."""
    client = client_for("resident")
    case = submit(client, "household-composition")
    certificate = IssuedCertificate.objects.get(case=case)
    Path(certificate.file.path).unlink()
    with caplog.at_level("ERROR", logger="loket.web"):
        response = client.get(
            f"/en/my-cases/{case.reference}/certificates/{certificate.number}.pdf"
        )
    assert response.status_code == 404
    assert f"certificate {certificate.pk} cannot be read" in caplog.text
