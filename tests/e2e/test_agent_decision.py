"""The civil servant's day, in Dutch at 1,920 px, on a case made in French: a request for
information, the applicant's answer, then a decision started from a model text, previewed as the
applicant will receive it and confirmed; the sealed decision is in French throughout (the case's
language) and names the review and the appeal to the Council of State. Screenshots of each step
go to docs/screenshots/agent-*.png.

Buttons are found by what they send, not by their words: the words are translated."""

from __future__ import annotations

import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Page, ViewportSize, expect
from pypdf import PdfReader

from loket.cases.models import Case
from loket.cases.motivations import motivation_models
from loket.tasks.queue import run_until_empty
from tests.conftest import client_for
from tests.e2e.journeys import demo_log_in
from tests.test_cases import apply_for_parking_card

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDE: ViewportSize = {"width": 1920, "height": 1080}
PHONE: ViewportSize = {"width": 360, "height": 740}


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    suffix = "" if size is None or size["width"] == WIDE["width"] else f"-{size['width']}"
    page.screenshot(path=str(SHOTS / f"agent-{name}{suffix}.png"), full_page=True)


def seal_in_worker() -> None:
    """What ``loket worker`` does with the decision's task, on a thread of its own."""
    try:
        run_until_empty()
    finally:
        connections.close_all()


def status(page: Page) -> Any:
    """The case's status tag in the summary at the top of the case page."""
    return page.locator(".summary-list dd > span.tag").first


@pytest.mark.usefixtures("seeded_transactional")
@pytest.mark.parametrize("screen", [WIDE, PHONE], ids=["1920", "360"])
def test_a_dutch_speaking_agent_decides_a_french_case_in_french_after_previewing_it(
    page: Page, live_server: object, sealing: dict[str, Any], screen: ViewportSize
) -> None:
    base = str(live_server)
    resident = client_for("resident")
    case = apply_for_parking_card(resident, lang="fr")
    page.set_viewport_size(screen)
    demo_log_in(page, base, "agent-parking", "nl")

    # The queue names the case's language; the case page says it beside the reasons.
    page.goto(f"{base}/nl/back-office/")
    row = page.locator("tbody tr", has_text=case.reference)
    expect(row).to_contain_text("Frans")
    expect(page.locator(".main-nav a").first).to_have_attribute("href", "/nl/back-office/")
    shot(page, "queue-nl")
    row.get_by_role("link", name=case.reference, exact=True).click()
    expect(page.locator("dd strong[lang='fr']")).to_have_text("Frans")
    offered = page.locator("input[name='status']")
    expect(offered).to_have_count(2)  # approve or refuse: "being handled" is no decision

    # A request for information, written in the case's language; the applicant answers.
    page.locator("#id_body").fill("Merci d'envoyer l'attestation d'assurance du véhicule.")
    page.locator("button[value='request']").click()
    expect(status(page)).to_have_class(re.compile("tag-information_requested"))
    shot(page, "request-nl")
    answered = resident.post(
        f"/fr/my-cases/{case.reference}/",
        {"action": "message", "body": "Voici l'attestation, envoyée par mon assureur."},
    )
    assert answered.status_code == 302
    page.reload()
    expect(page.locator(".messages, main")).to_contain_text("Voici l'attestation")
    expect(status(page)).to_have_class(re.compile("tag-in_progress"))

    # A model text in French, adapted, previewed, then confirmed.
    models = motivation_models(case.procedure_id, "fr", delivers=case.procedure.delivers)
    model = next(m for m in models if m.decision == "approved")
    page.locator("#id_decision_model").select_option(model.key)
    page.locator("button[value='model']").click()
    reasons = page.locator("#id_decision_note")
    expect(reasons).to_have_value(model.text)
    expect(page.locator("input[name='status'][value='approved']")).to_be_checked()
    motivation = model.text + " L'attestation d'assurance reçue le jour même a été vérifiée."
    reasons.fill(motivation)
    shot(page, "decide-nl")
    page.locator("button[value='preview']").click()
    preview = page.locator("article.decision-preview[lang='fr']")
    expect(preview).to_contain_text("Décision concernant votre demande")
    # A sentence, not "Accordé" ("décision" is feminine). Needs the merged catalogue.
    expect(preview).to_contain_text("La demande est accordée.")
    expect(preview).to_contain_text(motivation)
    expect(preview).to_contain_text("Conseil d'État")
    expect(preview).not_to_contain_text("Beslissing")
    shot(page, "preview-nl")
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS  # nothing sent yet
    page.locator("button[value='decide']").click()
    expect(status(page)).to_have_class(re.compile("tag-approved"))
    decided = Case.objects.get(pk=case.pk)
    assert decided.status == Case.Status.APPROVED

    # The sealed decision, as the worker makes it: French from end to end, with the appeal route.
    with ThreadPoolExecutor(1) as worker:  # the seal runs its own event loop, not Playwright's
        worker.submit(seal_in_worker).result()
    page.reload()
    shot(page, "decided-nl")
    document = page.request.get(f"{base}/nl/back-office/cases/{case.reference}/decision.pdf")
    assert document.ok and document.headers["content-type"] == "application/pdf"
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(document.body())).pages)
    text = re.sub(r"\s+", " ", text)
    # The outcome and the Council of State's address need the merged catalogue.
    for french in ("Décision concernant votre demande", "La demande est accordée", "Conseil d",
                   "rue de la Science 33, 1040 Bruxelles", "60 jours"):  # fmt: skip
        assert french in text, french
    assert "attestation d'assurance reçue" in text.replace("\u2019", "'")
    for dutch in ("Beslissing", "Goedgekeurd", "Raad van State binnen", "Uw antwoorden"):
        assert dutch not in text, dutch
