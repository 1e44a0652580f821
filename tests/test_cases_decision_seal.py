"""A decision is a legal act (#14): when a civil servant decides, the worker seals the decision's
PDF with the administration's seal (PAdES, RFC 3161 timestamp from a real local TSA over HTTP) and
stores it once; every download is those bytes, checked by pdfsig (a verifier nobody here wrote)
and by Loket's own offline checker."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader

from loket.cases.decision_documents import TASK
from loket.cases.models import Case, DecisionDocument
from loket.core.democa import DEMO_SEAL_NAME
from loket.core.seal import check_pdf
from loket.privacy.retention import anonymise_case, anonymous_user
from loket.tasks.models import Task
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for, with_version
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db
needs_pdfsig = pytest.mark.skipif(shutil.which("pdfsig") is None, reason="poppler-utils")


def decide(case: Case, status: str = "approved", lang: str = "en") -> None:
    response = client_for("agent-parking").post(
        f"/{lang}/back-office/cases/{case.reference}/",
        with_version(case, {"action": "decide", "status": status, "note": "Zone 3, one year."}),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == status


def download(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def seal_of(pdf: bytes) -> Any:
    return PdfFileReader(io.BytesIO(pdf), strict=False).embedded_signatures[-1]


@needs_pdfsig
def test_a_decided_case_gets_its_decision_sealed_once_and_every_download_is_those_bytes(
    sealing: dict[str, Any], resident_client: Client, tmp_path: Path
) -> None:
    case = apply_for_parking_card(resident_client)
    decide(case)
    requests = sealing["tsa"].requests
    assert run_until_empty() >= 1
    assert sealing["tsa"].requests > requests  # the timestamp came over HTTP
    document = DecisionDocument.objects.get(case=case)
    stored = document.file.read()

    mine = f"/en/my-cases/{case.reference}/decision.pdf"
    first, again = download(resident_client, mine), download(resident_client, mine)
    agents = download(
        client_for("agent-parking"), f"/en/back-office/cases/{case.reference}/decision.pdf"
    )
    assert first == again == agents == stored
    assert hashlib.sha256(first).hexdigest() == document.sha256

    check = check_pdf(first)
    assert check.ok, check.problems
    assert DEMO_SEAL_NAME in check.signer
    seal = seal_of(first)
    assert seal.sig_object["/Reason"] == f"Decision on case {case.reference}"
    path = tmp_path / "decision.pdf"
    path.write_bytes(first)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid" in report, report
    assert "ETSI.CAdES.detached" in report  # PAdES
    assert DEMO_SEAL_NAME in report
    assert f"Decided by {case.administration.name}" in stamp_text(first)  # who decided

    assert run_until_empty() == 0  # nothing left to seal: one document, never a second
    assert DecisionDocument.objects.filter(case=case).count() == 1
    page = resident_client.get(f"/en/my-cases/{case.reference}/").content.decode()
    assert mine in page and "being prepared" not in page


def stamp_text(pdf: bytes) -> str:
    """The text drawn in the seal's visible stamp on the last page."""
    for annotation in PdfReader(io.BytesIO(pdf)).pages[-1].get("/Annots", []):
        widget = annotation.get_object()
        if widget.get("/FT") == "/Sig" or widget.get("/T") == "LoketSeal":
            drawn = widget["/AP"]["/N"].get_object().get_data().decode("latin-1")
            return re.sub(r"\\([0-7]{3})", lambda code: chr(int(code[1], 8)), drawn)
    return ""


def test_a_decision_made_while_the_seal_is_unavailable_stands_and_the_pages_say_it_is_prepared(
    sealing: dict[str, Any], resident_client: Client
) -> None:
    case = apply_for_parking_card(resident_client, lang="fr")
    sealing["tsa"].down = True
    try:
        decide(case)  # the decision itself never waits for the seal
        assert run_until_empty() >= 1
    finally:
        sealing["tsa"].down = False
    task = Task.objects.get(name=TASK, payload={"case": case.pk})
    assert task.state == Task.State.QUEUED and task.attempts == 1  # to be retried
    assert "could not be sealed" in task.last_error
    assert not DecisionDocument.objects.filter(case=case).exists()

    waiting = resident_client.get(f"/fr/my-cases/{case.reference}/decision.pdf")
    assert waiting.status_code == 202 and waiting["Retry-After"] == "60"
    assert "La décision scellée est en préparation" in waiting.content.decode()
    agent = client_for("agent-parking")
    in_dutch = agent.get(f"/nl/back-office/cases/{case.reference}/decision.pdf")
    assert in_dutch.status_code == 202
    assert "De verzegelde beslissing wordt voorbereid" in in_dutch.content.decode()
    page = agent.get(f"/en/back-office/cases/{case.reference}/").content.decode()
    assert "the sealed PDF is being prepared" in page
    assert f"/en/back-office/cases/{case.reference}/decision.pdf" not in page

    Task.objects.filter(pk=task.pk).update(run_after=timezone.now())  # its retry falls due
    assert run_until_empty() == 1
    task.refresh_from_db()
    assert task.state == Task.State.DONE
    sealed = download(resident_client, f"/fr/my-cases/{case.reference}/decision.pdf")
    assert check_pdf(sealed).ok
    assert seal_of(sealed).sig_object["/Reason"] == f"Décision sur le dossier {case.reference}"


def test_loket_decisions_seal_seals_the_decisions_made_before_once(
    sealing: dict[str, Any], resident_client: Client
) -> None:
    older = apply_for_parking_card(resident_client)
    decide(older, "rejected")
    Task.objects.filter(name=TASK).delete()  # decided before decisions were sealed
    open_case = apply_for_parking_card(client_for("resident2"), plate="1-JPN-451")

    call_command("decisions", "seal")
    document = DecisionDocument.objects.get(case=older)
    assert check_pdf(document.file.read()).ok
    assert not DecisionDocument.objects.filter(case=open_case).exists()  # nothing decided yet

    requests = sealing["tsa"].requests
    call_command("decisions", "seal")  # again: nothing left to seal, nothing sealed twice
    assert sealing["tsa"].requests == requests
    assert list(DecisionDocument.objects.filter(case=older)) == [document]


def test_loket_decisions_seal_says_which_could_not_be_sealed_and_seals_them_next_time(
    sealing: dict[str, Any], resident_client: Client
) -> None:
    case = apply_for_parking_card(resident_client)
    decide(case)
    Task.objects.filter(name=TASK).delete()
    sealing["tsa"].down = True
    try:
        with pytest.raises(CommandError, match=case.reference):
            call_command("decisions", "seal")
    finally:
        sealing["tsa"].down = False
    assert not DecisionDocument.objects.filter(case=case).exists()
    call_command("decisions", "seal")
    assert DecisionDocument.objects.filter(case=case).exists()


def test_anonymising_a_case_removes_its_sealed_decision_with_the_rest(
    sealing: dict[str, Any], resident_client: Client
) -> None:
    case = apply_for_parking_card(resident_client)
    decide(case)
    run_until_empty()
    document = DecisionDocument.objects.get(case=case)
    name = str(document.file.name)
    anonymise_case(Case.objects.get(pk=case.pk), anonymous_user())
    assert not DecisionDocument.objects.filter(case=case).exists()
    assert not document.file.storage.exists(name)
    call_command("decisions", "seal")  # an anonymised case is never sealed again
    assert not DecisionDocument.objects.filter(case=case).exists()
    agent = client_for("agent-parking")
    assert agent.get(f"/en/back-office/cases/{case.reference}/decision.pdf").status_code == 404
