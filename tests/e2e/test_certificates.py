"""Certificates in one sitting, as the demo resident: from the procedure page to the sealed PDF,
with no civil servant. In French for the household composition, in Dutch for the residence
certificate with address history."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from loket.cases.models import Case
from loket.certificates.models import IssuedCertificate
from tests.e2e.journeys import demo_log_in

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def _text_of(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def _download(page: Page, link_name: str) -> Path:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).first.click()
    path = download.value.path()
    assert path is not None
    return Path(path)


def _through_the_registers(page: Page, start: str, go_on: str, correct: str) -> None:
    """Start, go past the step that says the register is read under the law (a certificate
    offers no choice there), and confirm what it holds (labels in the page's language)."""
    page.get_by_role("link", name=start).click()
    expect(page.get_by_role("radio")).to_have_count(0)
    page.get_by_role("button", name=go_on).click()
    page.get_by_role("link", name=correct).click()


def _registered(pdf: Path, procedure_id: str) -> IssuedCertificate:
    """The file is the one the register of issued certificates holds, byte for byte."""
    case = Case.objects.get(procedure_id=procedure_id)
    assert case.status == Case.Status.DELIVERED
    certificate = IssuedCertificate.objects.get(case=case)
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == certificate.sha256
    return certificate


@needs_poppler
@pytest.mark.usefixtures("seeded_transactional")
def test_household_composition_in_french_from_the_page_to_the_certificate(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident", "fr")
    page.goto(f"{base}/fr/procedures/household-composition/")
    expect(page.locator("main")).to_contain_text("tout de suite")
    _through_the_registers(
        page, "Commencer", "Continuer", "C'est correct, continuer",
    )  # fmt: skip
    page.get_by_label("Mutualité").check()
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_label("Français")).to_be_checked()  # the language being read
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifiez vos réponses avant l'envoi")
    page.get_by_role("button", name="Envoyer la demande").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Votre certificat est prêt")
    pdf = _download(page, "Télécharger le certificat (PDF)")
    certificate = _registered(pdf, "household-composition")
    text = _text_of(pdf)
    assert "Certificat de composition de ménage" in text
    assert certificate.number in text
    assert "El Amrani" in text  # the members of the household, from the register
    assert "Mutualité" in text  # the purpose asked for
    # Under My cases, the same certificate, ready to download again.
    page.goto(f"{base}/fr/my-cases/")
    expect(page.locator("main")).to_contain_text("Délivré")
    assert _download(page, "Télécharger le certificat (PDF)").read_bytes() == pdf.read_bytes()
    # On a 360 px phone, the status and the download are on screen, not beyond its right edge.
    page.set_viewport_size({"width": 360, "height": 740})
    for shown in (
        page.get_by_text("Délivré").first,
        page.get_by_role("link", name="Télécharger le certificat (PDF)"),
    ):
        box = shown.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 360, box


@needs_poppler
@pytest.mark.usefixtures("seeded_transactional")
def test_residence_certificate_with_address_history_in_dutch(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident", "nl")
    page.goto(f"{base}/nl/procedures/residence-certificate/")
    expect(page.locator("main")).to_contain_text("meteen")
    _through_the_registers(
        page, "Nu starten", "Doorgaan", "Dit klopt, doorgaan",
    )  # fmt: skip
    page.get_by_label("De volledige historiek van mijn adressen in België").check()
    page.get_by_role("button", name="Doorgaan").click()
    page.get_by_label("Pensioendossier").check()
    page.get_by_label("Nederlands").check()
    page.get_by_role("button", name="Doorgaan").click()
    page.get_by_role("button", name="Aanvraag verzenden").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Uw attest is klaar")
    pdf = _download(page, "Het attest downloaden (pdf)")
    certificate = _registered(pdf, "residence-certificate")
    assert certificate.language == "nl"
    text = _text_of(pdf)
    assert "Bewijs van woonst met historiek" in text
    assert "Vorige adressen" in text
    assert "Pensioendossier" in text
