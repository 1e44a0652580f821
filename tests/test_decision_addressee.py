"""What a decision says and to whom: templates that fit what the procedure delivers (an answer
with information is neither granted nor refused), the outcome as a sentence (never a bare status
such as "Accordé" after the feminine "Décision"), the Council of State with its address, and an
application made for an enterprise addressed to the enterprise, the person named as who applied.

French and Dutch wording waits for the merged catalogues: these tests read English pages, or
the model texts, which the data file holds in each language."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from loket.cases.documents import document_html
from loket.cases.models import Case, decision_outcome, status_label
from loket.cases.motivations import motivation_models
from loket.cases.notices import do_notify_applicant
from loket.forms.models import Draft
from tests.conftest import client_for, demo_user, with_version
from tests.test_agent_day import copy_of
from tests.test_cases import apply_for_parking_card

pytestmark = pytest.mark.django_db

INFORMATION = "urban-planning-information"
# Words of a decision that grants or refuses, per language: an answer with information has none.
GRANTING = {
    "en": r"\b(approv|refus|grant|accept)",
    "fr": r"\b(accord|refus|octroi|accept)",
    "nl": r"\b(goedgekeurd|geweigerd|toegekend|weiger)",
}


def url(case: Case) -> str:
    return f"/en/back-office/cases/{case.reference}/"


def information_case(language: str = "fr") -> Case:
    case = apply_for_parking_card(client_for("resident"), lang=language)
    return copy_of(case, procedure_id=INFORMATION)


# Templates depend on what the procedure delivers -----------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_an_information_procedures_templates_speak_of_information_not_of_granting(
    language: str,
) -> None:
    models = motivation_models(INFORMATION, language, delivers="information")
    assert {m.decision for m in models} == {"approved", "rejected"}
    for model in models:
        assert not re.search(GRANTING[language], model.text, re.IGNORECASE), model.text
    words = {"fr": "renseignements", "nl": "inlichtingen", "en": "information"}[language]
    assert all(words in model.text.lower() for model in models)
    # The same keys in every language: the case page posts a key, the case's language picks.
    assert [m.key for m in models] == [
        m.key for m in motivation_models(INFORMATION, "en", delivers="information")
    ]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_procedure_that_grants_keeps_templates_that_grant_or_refuse(language: str) -> None:
    models = motivation_models("population-extract", language, delivers="certificate")
    assert models and all(re.search(GRANTING[language], m.text, re.IGNORECASE) for m in models)
    information = {m.text for m in motivation_models("x", language, delivers="information")}
    assert not information & {m.text for m in models}


def test_the_case_page_of_an_information_request_offers_answers_not_approvals() -> None:
    case = information_case("fr")
    agent = client_for("agent-parking")
    page = agent.get(url(case)).content.decode()
    assert "Provide the information" in page
    assert "Say the information cannot be provided" in page
    assert ">Refuse<" not in page and ">Approve<" not in page
    assert "Renseignements dans le document joint" in page  # in the case's language
    assert "Demande complète et conforme" not in page  # the general approval is not offered
    chosen = next(
        m
        for m in motivation_models(INFORMATION, "fr", delivers="information")
        if m.decision == "rejected"
    )
    filled = agent.post(url(case), with_version(case, {"action": "model", "model": chosen.key}))
    assert filled.status_code == 200
    assert chosen.text.replace("'", "&#x27;") in filled.content.decode()


# The outcome in words, and where to appeal -----------------------------------------------------


def decided(case: Case, status: str, note: str) -> Case:
    agent = client_for("agent-parking")
    done = agent.post(
        url(case), with_version(case, {"action": "decide", "status": status, "note": note})
    )
    assert done.status_code == 302, done.content
    case.refresh_from_db()
    return case


def test_the_decision_states_its_outcome_as_a_sentence_and_the_council_of_states_address() -> None:
    case = apply_for_parking_card(client_for("resident"), lang="en")
    case = decided(case, "rejected", "The vehicle is not registered in your name.")
    with translation.override("en"):
        html = document_html(case, "decision")
    outcome = re.search(r'class="decision-outcome">([^<]*)<', html)
    assert outcome is not None and outcome.group(1) == "The application is refused."
    assert "Council of State, Rue de la Science 33, 1040 Brussels" in html


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_no_outcome_is_a_bare_status_label(language: str) -> None:
    """ "Décision : Accordé" was wrong (décision is feminine); a sentence agrees in any language."""
    with translation.override(language):
        for delivers in ("", "permit", "information"):
            for status in (Case.Status.APPROVED, Case.Status.REJECTED):
                outcome = decision_outcome(status, delivers)
                assert outcome.endswith(".") and outcome != status_label(status, delivers)
        assert decision_outcome(Case.Status.SUBMITTED) == ""


def test_an_information_answer_says_the_information_is_provided() -> None:
    case = information_case("en")
    case = decided(case, "approved", "The parcel lies in a housing area of the regional plan.")
    with translation.override("en"):
        html = document_html(case, "decision")
    assert "The information asked for is provided." in html
    assert "Council of State" not in html  # information is not a decision to contest


# An application made for an enterprise ---------------------------------------------------------


def enterprise_case() -> Case:
    """An urban-planning request of the demo business manager, with the enterprise's identity as
    the enterprise register gives it through the one door."""
    business = client_for("business")
    start = f"/en/procedures/{INFORMATION}/apply/"
    assert business.post(start, {"use_registers": "yes"}).status_code == 302
    draft = Draft.objects.get(user=demo_user("business"), procedure_id=INFORMATION)
    assert draft.facts["enterprise"]["identity"]["number"]
    model = apply_for_parking_card(client_for("resident"), lang="en")
    return copy_of(model, procedure_id=INFORMATION, applicant=demo_user("business"),
                   facts=draft.facts, language="en")  # fmt: skip


def test_a_case_for_an_enterprise_is_addressed_to_it_and_names_who_applied() -> None:
    case = enterprise_case()
    identity = case.facts["enterprise"]["identity"]
    number = identity["number"]
    dotted = f"{number[:4]}.{number[4:7]}.{number[7:]}"
    person = case.applicant.display_name
    with translation.override("en"):
        line = case.enterprise_line
    assert line == f"{identity['name']} (enterprise no. {dotted})"

    # The back-office case header.
    agent = client_for("agent-parking")
    page = agent.get(url(case)).content.decode()
    header = page[page.index("<h1>") : page.index("</dl>")]
    assert f"For {line}, applied for by {person}" in header
    assert re.search(rf"<dt>Addressee</dt><dd[^>]*><strong>{re.escape(line)}</strong>", header)
    assert "<dt>Applied by</dt>" in header

    # The decision (what the sealed PDF prints) and the receipt.
    case = decided(case, "approved", "The parcel lies in a housing area of the regional plan.")
    with translation.override("en"):
        for kind in ("decision", "receipt"):
            html = document_html(case, kind)
            assert f'class="addressee">{line}<' in html, kind
            assert f"{person}, on behalf of the enterprise" in html

    # The notice the applicant's inbox and e-mail get.
    demo_user("business").__class__.objects.filter(pk=case.applicant_id).update(
        preferred_language="en"
    )
    case.applicant.refresh_from_db()
    notice = do_notify_applicant(case, "decided", "test")
    assert notice is not None
    assert f"made on behalf of {line}; the decision is addressed to the enterprise" in notice.body


def test_a_persons_own_case_names_no_enterprise() -> None:
    case = apply_for_parking_card(client_for("resident"), lang="en")
    assert case.enterprise_line == ""
    page = client_for("agent-parking").get(url(case)).content.decode()
    assert "<dt>Applicant</dt>" in page and "<dt>Addressee</dt>" not in page
