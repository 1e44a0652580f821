"""Browser journeys of the report suggestions: in French, a report typed as free text gets the
right suggestion, is confirmed and routed; in Dutch, a civil servant's change of category is
recorded and enters the next training set. axe-core checks the new pages."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from loket.assist.actions import THRESHOLD
from loket.assist.classifier import train
from loket.assist.corpus import corpus_examples, frozen_examples
from loket.assist.evaluation import evaluate
from loket.assist.models import ModelVersion, Rerouting, Suggestion
from loket.assist.selectors import confirmed_reports
from loket.cases.models import Case
from loket.core.models import Membership, User
from tests.e2e.journeys import demo_log_in, log_out
from tests.e2e.test_accessibility import axe_violations
from tests.e2e.test_incidents import HAECHT_1177, click_map_at

pytestmark = pytest.mark.usefixtures("seeded_transactional")


@pytest.fixture
def page(browser: Any) -> Iterator[Page]:
    """A page that lets axe-core be injected (the test tool, not the page, bypasses the CSP)."""
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def model() -> ModelVersion:
    pipeline = train(corpus_examples())
    return ModelVersion.objects.create(
        task="incidents", version=1, pipeline=pickle.dumps(pipeline), threshold=THRESHOLD,
        evaluation=evaluate(pipeline, frozen_examples(), THRESHOLD), active=True,
        corpus_examples=len(corpus_examples()),
    )  # fmt: skip


def submit(page: Page) -> None:
    page.locator("main form button[type='submit']").last.click()


def report_in_words(page: Page, base: str, language: str, words: str) -> None:
    """Start a report and describe it; the next page is the one that suggests."""
    page.goto(f"{base}/{language}/procedures/public-space-incident/apply/")
    consent = page.locator("input[name='use_registers'][value='yes']")
    if consent.count():
        consent.check()
        submit(page)
    facts_ok = page.locator("main a[href$='/q/describe/']")
    if facts_ok.count():
        facts_ok.first.click()
    page.locator("textarea[name='description']").fill(words)
    submit(page)


def send_from_the_place_page(page: Page) -> str:
    click_map_at(page, *HAECHT_1177)
    expect(page.locator("[name='incident_location__street']")).not_to_have_value("")
    submit(page)
    submit(page)  # no photo, no e-mail
    page.locator("main form button[type='submit']").last.click()  # send
    return page.locator(".reference").inner_text()


def test_french_free_text_report_is_suggested_confirmed_and_routed(
    page: Page, live_server: object, model: ModelVersion
) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident", language="fr")
    report_in_words(page, base, "fr", "Le lampadère devant chez moi est éteint depuis lundi, "
                                      "toute la rue est dans le noir")  # fmt: skip
    suggestion = page.locator("#suggestion")
    expect(suggestion).to_be_visible()
    # The suggested kind is chosen, in the page's language (the form's own French labels).
    expect(page.locator("select[name='category'] option:checked")).to_have_text(
        "Éclairage public en panne"
    )
    assert axe_violations(page) == []
    page.locator("input[name='dangerous'][value='no']").check()
    submit(page)  # the resident confirms the suggestion
    reference = send_from_the_place_page(page)
    case = Case.objects.get(reference=reference)
    assert case.answers["category"] == "lighting"
    assert case.administration_id == "brussels-mobility"  # a regional road: Brussels Mobility
    recorded = Suggestion.objects.get(case=case)
    assert recorded.accepted and recorded.language == "fr" and recorded.model_version == model


def test_dutch_override_by_a_civil_servant_is_recorded_and_trained_on(
    page: Page, live_server: object, model: ModelVersion
) -> None:
    base = str(live_server)
    demo_log_in(page, base, "resident", language="nl")
    report_in_words(page, base, "nl", "Er liggen overal vuilniszakken en een oude matras "
                                      "op het voetpad, bel 0475 11 22 33")  # fmt: skip
    expect(page.locator("select[name='category'] option:checked")).to_have_text("Sluikstort")
    # The resident thinks of the street furniture instead and changes the choice.
    page.locator("select[name='category']").select_option("street_furniture")
    page.locator("input[name='dangerous'][value='no']").check()
    submit(page)
    reference = send_from_the_place_page(page)
    case = Case.objects.get(reference=reference)
    assert Suggestion.objects.get(case=case).chosen_category == "street_furniture"
    log_out(page)

    agent = User.objects.get(username="demo-agent-parking")
    Membership.objects.create(user=agent, administration_id=case.administration_id, role="agent")
    demo_log_in(page, base, "agent-parking", language="nl")
    page.goto(f"{base}/nl/back-office/cases/{reference}/")
    panel = page.locator("#suggestion")
    expect(panel).to_contain_text("Sluikstort")  # what Loket suggested
    expect(page.locator("#weighing-words")).to_contain_text("vuilniszakken")
    assert axe_violations(page) == []
    page.locator("#reroute-category").select_option("dumping")
    page.locator("#suggestion form button[type='submit']").click()

    rerouting = Rerouting.objects.get(case=case)
    assert (rerouting.from_category, rerouting.to_category) == ("street_furniture", "dumping")
    assert rerouting.agent == agent and rerouting.to_administration == "bruxelles-proprete"
    training = [e for e in confirmed_reports() if "matras" in e.text]
    assert [(e.category, e.language) for e in training] == [("dumping", "nl")]
    assert "0475" not in training[0].text


def test_dutch_phone_changed_description_moves_the_chosen_category(
    browser: Any, live_server: object, model: ModelVersion
) -> None:
    """At 360 px in Dutch: the resident accepts a suggestion, goes back and describes another
    problem; the list follows the new suggestion and the report is filed in it."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = str(live_server)
    demo_log_in(page, base, "resident", language="nl")
    report_in_words(page, base, "nl", "De straatlamp voor mijn deur brandt niet meer, "
                                      "de hele straat is donker")  # fmt: skip
    chosen = page.locator("select[name='category'] option:checked")
    expect(chosen).to_have_text("Defecte straatverlichting")
    expect(page.locator("#suggestion-level")).not_to_contain_text("%")
    expect(page.locator("#suggestion a[href='/nl/algorithms/']")).to_be_visible()
    page.locator("input[name='dangerous'][value='no']").check()
    submit(page)  # accepted
    page.goto(f"{base}/nl/procedures/public-space-incident/apply/q/describe/")
    page.locator("textarea[name='description']").fill(
        "Er liggen overal vuilniszakken en een oude matras op het voetpad"
    )
    submit(page)
    expect(page.locator("#suggestion h2")).to_contain_text("Sluikstort")
    expect(chosen).to_have_text("Sluikstort")  # the choice followed the new description
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    submit(page)
    reference = send_from_the_place_page(page)
    case = Case.objects.get(reference=reference)
    assert case.answers["category"] == "dumping"
    assert Suggestion.objects.get(case=case).accepted
    context.close()


def test_algorithm_register_passes_axe_in_three_languages(
    page: Page, live_server: object, model: ModelVersion
) -> None:
    base = str(live_server)
    for language in ("fr", "nl", "en"):
        page.goto(f"{base}/{language}/algorithms/")
        expect(page.locator("#performance tbody tr")).to_have_count(3)
        assert axe_violations(page) == []
