"""The decision step in the back-office: approve or refuse only, a model text to start from in
the case's language, the agent's own PDF, a preview of the decision as the applicant receives it,
and nothing decided until the agent confirms."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from loket.cases.documents import document_html
from loket.cases.models import Case
from loket.cases.motivations import motivation_models
from loket.forms.models import Attachment
from tests.conftest import client_for, with_version
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def french_case() -> Case:
    case = apply_for_parking_card(client_for("resident"), lang="fr")
    assert case.language == "fr"
    return case


def url(case: Case, lang: str = "nl") -> str:
    return f"/{lang}/back-office/cases/{case.reference}/"


def test_the_case_page_offers_approve_or_refuse_and_being_handled_is_not_a_decision() -> None:
    case = french_case()
    agent = client_for("agent-parking")
    page = agent.get(url(case, "en")).content.decode()
    offered = re.findall(r'name="status" value="([a-z_]+)"', page)
    assert offered == ["approved", "rejected"]
    assert "Mark as being handled" in page
    assert agent.post(url(case), with_version(case, {"action": "take"})).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS
    refused = agent.post(
        url(case), with_version(case, {"action": "decide", "status": "in_progress"})
    )
    assert refused.status_code == 422
    case.refresh_from_db()
    assert case.status == Case.Status.IN_PROGRESS


def test_the_preview_shows_the_decision_in_the_cases_language_and_decides_nothing() -> None:
    case = french_case()
    agent = client_for("agent-parking")  # working in Dutch on a French case
    reasons = "Vous êtes domicilié dans la zone 3."
    preview = agent.post(
        url(case),
        with_version(case, {"action": "preview", "status": "approved", "note": reasons,
                            "attachment": SimpleUploadedFile("plan.pdf", PDF, "application/pdf")}),
    )  # fmt: skip
    assert preview.status_code == 200
    page = preview.content.decode()
    article = page[page.index('<article class="decision-preview" lang="fr"') :]
    article = article[: article.index("</article>")]
    assert "Décision concernant votre demande" in article
    # A sentence: "décision" is feminine. Needs the catalogue merged from translations.json.
    assert "La demande est accordée." in article
    assert "Motifs et conditions" in article and reasons in article
    assert "Si vous n'êtes pas d'accord" in article and "Conseil d'État" in article  # appeals
    assert "rue de la Science 33, 1040 Bruxelles" in article  # needs the merged catalogue
    assert "plan.pdf" in article
    assert "Beslissing" not in article and "Goedgekeurd" not in article
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED  # nothing decided yet
    kept = re.search(r'name="kept" value="([0-9a-f-]+)"', page)
    assert kept is not None
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    confirm.pop("csrfmiddlewaretoken", None)
    assert agent.post(url(case), {**confirm, "action": "decide"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.APPROVED
    assert case.events.get(status=Case.Status.APPROVED).note == reasons
    assert Attachment.objects.get(pk=kept.group(1)).cases.get() == case
    assert case.messages.get(from_applicant=False).attachments.get().name == "plan.pdf"


def test_a_refusal_without_reasons_is_not_previewed_and_what_was_typed_stays() -> None:
    case = french_case()
    response = client_for("agent-parking").post(
        url(case, "en"),
        with_version(case, {"action": "preview", "status": "rejected", "note": " "}),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "A refusal must give its reasons" in page
    assert re.search(r'value="rejected"[^>]*checked', page)
    assert "decision-preview" not in page


def test_the_agent_picks_a_model_text_in_the_cases_language_and_must_fill_its_blanks() -> None:
    case = french_case()
    agent = client_for("agent-parking")
    models = motivation_models(case.procedure_id, "fr", delivers=case.procedure.delivers)
    assert {m.decision for m in models} == {"approved", "rejected"}
    page = agent.get(url(case)).content.decode()
    for model in models:
        assert model.title in page  # offered in French although the agent works in Dutch
    chosen = next(m for m in models if m.decision == "rejected")
    filled = agent.post(url(case), with_version(case, {"action": "model", "model": chosen.key}))
    assert filled.status_code == 200
    text = filled.content.decode()
    assert re.search(r'value="rejected"[^>]*checked', text)  # the model's decision is chosen
    assert chosen.text.replace("'", "&#x27;") in text
    blank = "Votre demande ne remplit pas la condition suivante, prévue par [base légale]."
    refused = agent.post(
        url(case, "en"),
        with_version(case, {"action": "preview", "status": "rejected", "note": blank}),
    )
    assert refused.status_code == 422
    assert "Replace the parts in square brackets" in refused.content.decode()


def test_a_procedure_without_its_own_models_gets_the_general_ones_in_each_language() -> None:
    dutch = motivation_models("population-extract", "nl", delivers="certificate")
    french = motivation_models("population-extract", "fr", delivers="certificate")
    assert [m.key for m in dutch] == [m.key for m in french] and len(dutch) >= 3
    assert "Voorwaarden niet vervuld" in [m.title for m in dutch]
    assert "Conditions non remplies" in [m.title for m in french]


def test_the_case_page_names_the_cases_language_next_to_the_reasons() -> None:
    case = french_case()
    page = client_for("agent-parking").get(url(case, "en")).content.decode()
    assert "Language of this case: French." in page


def test_reasons_in_another_language_than_the_cases_are_refused_before_confirming() -> None:
    case = french_case()
    dutch = (
        "Uw aanvraag wordt goedgekeurd omdat u in de zone woont en het voertuig op uw naam staat."
    )
    preview = client_for("agent-parking").post(
        url(case, "en"),
        with_version(case, {"action": "preview", "status": "approved", "note": dutch}),
    )
    page = preview.content.decode()
    assert preview.status_code == 422
    assert "Language the reasons seem written in: Dutch. Language of the case: French." in page
    assert "Confirm and send the decision" not in page
    french = "Vous habitez dans la zone et le véhicule est immatriculé à votre nom, pour un an."
    preview = client_for("agent-parking").post(
        url(case, "en"),
        with_version(case, {"action": "preview", "status": "approved", "note": french}),
    )
    assert "Language the reasons seem written in" not in preview.content.decode()


def test_a_french_decision_made_from_the_dutch_back_office_has_no_dutch_fixed_text() -> None:
    case = french_case()
    reasons = "Vous habitez dans la zone et le véhicule est immatriculé à votre nom."
    agent = client_for("agent-parking")
    decided = agent.post(
        url(case), with_version(case, {"action": "decide", "status": "approved", "note": reasons})
    )
    assert decided.status_code == 302
    case.refresh_from_db()
    html = document_html(case, "decision")
    assert '<html lang="fr">' in html and "Décision concernant votre demande" in html
    assert "Conseil d'État" in html and reasons in html  # needs the merged catalogue
    for dutch in ("Beslissing", "Goedgekeurd", "Motivering", "Als u het niet eens bent", "Frans"):
        assert dutch not in html


def test_the_queue_and_the_case_page_show_the_cases_language() -> None:
    case = french_case()
    agent = client_for("agent-parking")
    queue = agent.get("/en/back-office/").content.decode()
    row = queue[queue.index(case.reference) :]
    row = row[: row.index("</tr>")]
    assert 'data-label="Language">French</td>' in row
    page = agent.get(url(case, "en")).content.decode()
    assert re.search(r'Language of the case</dt><dd><strong lang="fr">French</strong>', page)


def test_a_decision_cites_the_law_it_applies_not_the_laws_that_let_registers_be_read() -> None:
    case = french_case()
    agent = client_for("agent-parking")
    decided = agent.post(
        url(case), with_version(case, {"action": "decide", "status": "approved", "note": "OK."})
    )
    assert decided.status_code == 302
    case.refresh_from_db()
    html = document_html(case, "decision")
    basis = html[html.index("Bases légales") :].split("</p>", 1)[0]
    assert "Ordonnance du 22 janvier 2009 portant organisation de la politique" in basis
    assert "RGPD" not in basis and "registre national des personnes physiques" not in basis
